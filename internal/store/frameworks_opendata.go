package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/framework"
)

// EachPublicLink reads the links of the public actions a batch of actions
// at a time, keyed on the action id: two queries a batch (which actions,
// then their links), whatever the number of links.
func (db *DB) EachPublicLink(ctx context.Context, f framework.LinkFilter, on time.Time, batch int, fn func([]framework.PublicLink) error) error {
	from := `provision_links pl JOIN actions a ON a.id = pl.action_id JOIN provisions p ON p.id = pl.provision_id
		JOIN frameworks f ON f.id = p.framework_id JOIN cycles c ON c.id = a.cycle_id
		WHERE a.state = 'accepted' AND a.visibility = 'public' AND a.cycle_id IN ` + publicCycles
	where, args := "", []any{date.Day(on)}
	if f.Year != 0 {
		where += " AND c.year = ?"
		args = append(args, f.Year)
	}
	if f.Framework != "" {
		where += " AND f.key = ?"
		args = append(args, f.Framework)
	}
	if f.Provision != "" {
		where += " AND p.key = ?"
		args = append(args, f.Provision)
	}
	for after := int64(0); ; {
		var ids []int64
		if err := db.conn(ctx).Raw(`SELECT DISTINCT pl.action_id FROM `+from+where+` AND pl.action_id > ?
			ORDER BY pl.action_id LIMIT ?`, append(args, after, batch)...).Scan(&ids).Error; err != nil {
			return translate(err)
		}
		if len(ids) == 0 {
			return nil
		}
		var rows []struct {
			ActionID     int64
			Year         int
			FrameworkKey string
			ProvisionKey string
			Kind         string
		}
		if err := db.conn(ctx).Raw(`SELECT pl.action_id, c.year, f.key AS framework_key, p.key AS provision_key, pl.kind
			FROM `+from+where+` AND pl.action_id IN ?
			ORDER BY pl.action_id, f.position, f.id, p.position, p.id`, append(args, ids)...).Scan(&rows).Error; err != nil {
			return translate(err)
		}
		out := make([]framework.PublicLink, len(rows))
		for i, r := range rows {
			out[i] = framework.PublicLink{ActionID: r.ActionID, Year: r.Year, FrameworkKey: r.FrameworkKey,
				ProvisionKey: r.ProvisionKey, Kind: framework.LinkKind(r.Kind)}
		}
		if len(out) > 0 {
			if err := fn(out); err != nil {
				return err
			}
		}
		if len(ids) < batch {
			return nil
		}
		after = ids[len(ids)-1]
	}
}
