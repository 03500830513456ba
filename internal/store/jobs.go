package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/jobs"

	"gorm.io/gorm/clause"
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

// ClaimJobRun takes the slot of a job for node, in the transaction of ctx:
// the claim commits with the job's effect or not at all. A slot whose last
// run failed can be claimed again; one that succeeded, or that another node
// holds, cannot, and the answer is false. On PostgreSQL a second claimer
// waits on the unique index until the first commits or rolls back.
func (db *DB) ClaimJobRun(ctx context.Context, job, slot, node string, at time.Time) (bool, error) {
	r := jobRunRow{Job: job, Slot: slot, Node: node, Status: "running", StartedAt: at.UTC()}
	res := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "job"}, {Name: "slot"}},
		Where:     clause.Where{Exprs: []clause.Expression{clause.Eq{Column: clause.Column{Table: "job_runs", Name: "status"}, Value: "failed"}}},
		DoUpdates: clause.AssignmentColumns([]string{"node", "status", "error", "started_at", "finished_at"}),
	}).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FinishJobRun marks a claimed run as succeeded, in the job's transaction.
func (db *DB) FinishJobRun(ctx context.Context, job, slot string, at time.Time) error {
	return translate(db.conn(ctx).Model(&jobRunRow{}).Where("job = ? AND slot = ?", job, slot).
		Updates(map[string]any{"status": "succeeded", "error": "", "finished_at": at.UTC()}).Error)
}

// FailJobRun records that a run failed, after its transaction rolled back,
// so that the slot shows the error and may be claimed again.
func (db *DB) FailJobRun(ctx context.Context, job, slot, node, msg string, at time.Time) error {
	finished := at.UTC()
	r := jobRunRow{Job: job, Slot: slot, Node: node, Status: "failed", Error: msg, StartedAt: finished, FinishedAt: &finished}
	return translate(db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "job"}, {Name: "slot"}},
		Where:     clause.Where{Exprs: []clause.Expression{clause.Neq{Column: clause.Column{Table: "job_runs", Name: "status"}, Value: "succeeded"}}},
		DoUpdates: clause.AssignmentColumns([]string{"node", "status", "error", "finished_at"}),
	}).Create(&r).Error)
}

// LastJobRuns returns the latest run of each job, by start time.
func (db *DB) LastJobRuns(ctx context.Context) (map[string]jobs.Run, error) {
	var rows []jobRunRow
	if err := db.conn(ctx).Order("started_at DESC, id DESC").Limit(1000).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[string]jobs.Run{}
	for _, r := range rows {
		if _, seen := out[r.Job]; !seen {
			out[r.Job] = jobs.Run{Slot: r.Slot, Status: r.Status, Error: r.Error, StartedAt: r.StartedAt.UTC(), FinishedAt: utc(r.FinishedAt)}
		}
	}
	return out, nil
}
