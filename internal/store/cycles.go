package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/date"

	"github.com/pctracker/pctracker/internal/cycle"
)

type cycleRow struct {
	ID        int64 `gorm:"primaryKey"`
	Year      int
	OpensAt   time.Time
	Deadline  time.Time
	ReportAt  time.Time
	ForumDate time.Time
	Embargo   string
	Version   int
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (cycleRow) TableName() string { return "cycles" }

func cycleToRow(c cycle.Cycle) cycleRow {
	return cycleRow{ID: c.ID, Year: c.Year, OpensAt: c.OpensAt, Deadline: c.Deadline, ReportAt: c.ReportAt,
		ForumDate: c.ForumDate, Embargo: string(c.Embargo), Version: 1, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (r cycleRow) domain() cycle.Cycle {
	return cycle.Cycle{ID: r.ID, Year: r.Year, OpensAt: date.Day(r.OpensAt), Deadline: date.Day(r.Deadline),
		ReportAt: date.Day(r.ReportAt), ForumDate: date.Day(r.ForumDate), Embargo: cycle.Embargo(r.Embargo),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// CreateCycle inserts c and sets its ID.
func (db *DB) CreateCycle(ctx context.Context, c *cycle.Cycle) error {
	r := cycleToRow(*c)
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	c.ID = r.ID
	return nil
}

// Cycle returns the cycle of a year.
func (db *DB) Cycle(ctx context.Context, year int) (cycle.Cycle, error) {
	var r cycleRow
	if err := db.conn(ctx).Where("year = ?", year).Take(&r).Error; err != nil {
		return cycle.Cycle{}, notFound(err, "no reporting cycle for %d", year)
	}
	return r.domain(), nil
}

// Cycles returns every cycle, latest first.
func (db *DB) Cycles(ctx context.Context) ([]cycle.Cycle, error) {
	var rows []cycleRow
	if err := db.conn(ctx).Order("year DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]cycle.Cycle, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
