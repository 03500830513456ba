package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
)

// CycleActivity counts each organisation's actions in a cycle by state,
// with the time of its latest change.
func (db *DB) CycleActivity(ctx context.Context, cycleID int64) (map[int64]cycle.Activity, error) {
	type row struct {
		StakeholderID int64
		State         string
		N             int
	}
	var rows []row
	if err := db.conn(ctx).Model(&actionRow{}).Select("stakeholder_id, state, count(*) AS n").
		Where("cycle_id = ?", cycleID).Group("stakeholder_id, state").Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[int64]cycle.Activity{}
	for _, r := range rows {
		a := out[r.StakeholderID]
		if a.Counts == nil {
			a.Counts = map[string]int{}
		}
		a.Counts[r.State] = r.N
		out[r.StakeholderID] = a
	}
	// The latest change is read as rows, not as max(updated_at): an
	// aggregate has no declared type on SQLite and comes back as text.
	var latest []actionRow
	if err := db.conn(ctx).Select("stakeholder_id", "updated_at").Where("cycle_id = ?", cycleID).Find(&latest).Error; err != nil {
		return nil, translate(err)
	}
	for _, r := range latest {
		a := out[r.StakeholderID]
		if t := r.UpdatedAt.UTC(); t.After(a.LastActivity) {
			a.LastActivity = t
		}
		out[r.StakeholderID] = a
	}
	return out, nil
}

// FocalPoints names each organisation's focal point ("Name <email>"); with
// several, the first by email.
func (db *DB) FocalPoints(ctx context.Context) (map[int64]string, error) {
	var rows []userRow
	if err := db.conn(ctx).Where("org_role = 'focal_point' AND disabled = ?", false).Order("email").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[int64]string{}
	for _, r := range rows {
		if id := idOf(r.StakeholderID); out[id] == "" {
			out[id] = r.Name + " <" + r.Email + ">"
		}
	}
	return out, nil
}

// DeadlineExtensions returns every extension of a cycle by organisation.
func (db *DB) DeadlineExtensions(ctx context.Context, cycleID int64) (map[int64]time.Time, error) {
	var rows []extensionRow
	if err := db.conn(ctx).Where("cycle_id = ?", cycleID).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := map[int64]time.Time{}
	for _, r := range rows {
		out[r.StakeholderID] = date.Day(r.Deadline)
	}
	return out, nil
}
