package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/date"
)

// Publishers returns the organisations with actions the public sees on
// the day of on, by name: what the public list of actions can be narrowed
// to, by organisation or by country.
func (db *DB) Publishers(ctx context.Context, on time.Time) ([]action.Publisher, error) {
	var rows []struct {
		ID            int64
		Name, Country string
	}
	err := db.conn(ctx).Model(&stakeholderRow{}).Select("id, name, country").
		Where("id IN (SELECT stakeholder_id FROM actions WHERE "+publicActionCondition+")", date.Day(on)).
		Order("LOWER(name), id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]action.Publisher, len(rows))
	for i, r := range rows {
		out[i] = action.Publisher{ID: r.ID, Name: r.Name, Country: r.Country}
	}
	return out, nil
}
