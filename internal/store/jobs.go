package store

import (
	"context"
	"time"
)

type jobRunRow struct {
	ID         int64 `gorm:"primaryKey"`
	Job        string
	Slot       string
	Node       string
	Status     string
	Error      string
	StartedAt  time.Time
	FinishedAt *time.Time
}

func (jobRunRow) TableName() string { return "job_runs" }

// ClaimJobRun takes the slot of a job for this node. It returns false,
// without error, when another run already holds it.
func (db *DB) ClaimJobRun(ctx context.Context, job, slot, node string, at time.Time) (bool, error) {
	r := jobRunRow{Job: job, Slot: slot, Node: node, Status: "running", StartedAt: at.UTC()}
	err := db.conn(ctx).Create(&r).Error
	if err != nil {
		if isUnique(err) {
			return false, nil
		}
		return false, translate(err)
	}
	return true, nil
}

// FinishJobRun records the outcome of a claimed run.
func (db *DB) FinishJobRun(ctx context.Context, job, slot string, runErr error, at time.Time) error {
	status, msg := "succeeded", ""
	if runErr != nil {
		status, msg = "failed", runErr.Error()
	}
	finished := at.UTC()
	return translate(db.conn(ctx).Model(&jobRunRow{}).Where("job = ? AND slot = ?", job, slot).
		Updates(map[string]any{"status": status, "error": msg, "finished_at": finished}).Error)
}
