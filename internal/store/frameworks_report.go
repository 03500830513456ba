package store

import (
	"context"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/framework"
)

// OwnActions returns every action of an organisation in the cycle of
// year, by id: what its focal point downloads by framework.
func (db *DB) OwnActions(ctx context.Context, stakeholderID int64, year int) ([]framework.Own, error) {
	var rows []struct {
		ID    int64
		Title string
		State string
		Stage string
	}
	if err := db.conn(ctx).Table("actions").Select("actions.id, actions.title, actions.state, actions.stage").
		Joins("JOIN cycles ON cycles.id = actions.cycle_id").
		Where("actions.stakeholder_id = ? AND cycles.year = ?", stakeholderID, year).
		Order("actions.id").Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]framework.Own, len(rows))
	for i, r := range rows {
		out[i] = framework.Own{ID: r.ID, Title: r.Title, State: action.State(r.State), Stage: action.Stage(r.Stage)}
	}
	return out, nil
}
