package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
)

type cycleRow struct {
	ID        int64 `gorm:"primaryKey"`
	Year      int
	OpensAt   time.Time
	Deadline  time.Time
	ReportAt  time.Time
	ForumDate time.Time
	Embargo   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (cycleRow) TableName() string { return "cycles" }

func cycleToRow(c cycle.Cycle) cycleRow {
	return cycleRow{ID: c.ID, Year: c.Year, OpensAt: c.OpensAt, Deadline: c.Deadline, ReportAt: c.ReportAt,
		ForumDate: c.ForumDate, Embargo: string(c.Embargo), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (r cycleRow) domain() cycle.Cycle {
	return cycle.Cycle{ID: r.ID, Year: r.Year, OpensAt: cycle.Day(r.OpensAt), Deadline: cycle.Day(r.Deadline),
		ReportAt: cycle.Day(r.ReportAt), ForumDate: cycle.Day(r.ForumDate), Embargo: cycle.Embargo(r.Embargo),
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

// UpdateCycle writes the dates and embargo of c.
func (db *DB) UpdateCycle(ctx context.Context, c *cycle.Cycle) error {
	r := cycleToRow(*c)
	res := db.conn(ctx).Model(&cycleRow{}).Where("id = ?", c.ID).
		Select("opens_at", "deadline", "report_at", "forum_date", "embargo", "updated_at").Updates(&r)
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no cycle %d", c.Year)
	}
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
