package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/errs"
)

type auditRow struct {
	ID         int64 `gorm:"primaryKey"`
	ActorID    *int64
	Actor      string
	Verb       string
	ObjectType string
	ObjectID   string
	Details    string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (auditRow) TableName() string { return "audit_log" }

// AppendAudit writes one audit entry, in the transaction of ctx if any.
func (db *DB) AppendAudit(ctx context.Context, e audit.Entry) error {
	details, err := json.Marshal(e.Details)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "encode audit details")
	}
	r := auditRow{ActorID: nullID(e.ActorID), Actor: e.Actor, Verb: e.Verb, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, Details: string(details), CreatedAt: e.At.UTC()}
	return translate(db.conn(ctx).Create(&r).Error)
}

// AuditEntries lists the log, newest first.
func (db *DB) AuditEntries(ctx context.Context, f audit.Filter) ([]audit.Entry, int, error) {
	q := db.conn(ctx).Model(&auditRow{})
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Verb != "" {
		if family, ok := strings.CutSuffix(f.Verb, "."); ok {
			q = q.Where(`(verb LIKE ? ESCAPE '\' OR object_type = ?)`, escapeLike(f.Verb)+"%", family)
		} else {
			q = q.Where("verb = ?", f.Verb)
		}
	}
	if term := strings.TrimSpace(f.Actor); term != "" {
		people, err := db.peopleMatching(ctx, term)
		if err != nil {
			return nil, 0, err
		}
		// A person is found by their current name and email, whatever
		// label the entry kept; the program's own work ("scheduler") has
		// no person, and only its label can match. Either side can use
		// the index on actor_id.
		label := "%" + escapeLike(strings.ToLower(term)) + "%"
		ids, _ := json.Marshal(people)
		q = q.Where(`(actor_id IN (`+db.jsonIDs()+`) OR (actor_id IS NULL AND lower(actor) LIKE ? ESCAPE '\'))`, string(ids), label)
	}
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	var rows []auditRow
	if err := q.Order("created_at DESC, id DESC").Limit(limit(f.Limit)).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out := make([]audit.Entry, len(rows))
	for i, r := range rows {
		out[i] = audit.Entry{ID: r.ID, ActorID: idOf(r.ActorID), Actor: r.Actor, Verb: r.Verb,
			ObjectType: r.ObjectType, ObjectID: r.ObjectID, At: r.CreatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Details), &out[i].Details); err != nil {
			return nil, 0, errs.Wrap(errs.Internal, err, "decode audit entry %d", r.ID)
		}
	}
	return out, int(total), nil
}

// peopleMatching returns the ids of the people whose name or email holds
// term in any case. Names are folded in Go, as SQLite's lower() folds
// ASCII only and "élodie" must find Élodie on both engines; a scan of
// id, name and email is small next to the log it narrows.
func (db *DB) peopleMatching(ctx context.Context, term string) ([]int64, error) {
	rows, err := db.conn(ctx).Model(&userRow{}).Select("id, name, email").Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	term = fold(term)
	ids := []int64{} // "[]", never "null", to the JSON subquery
	for rows.Next() {
		var id int64
		var name, email string
		if err := rows.Scan(&id, &name, &email); err != nil {
			return nil, translate(err)
		}
		if strings.Contains(fold(name), term) || strings.Contains(fold(email), term) {
			ids = append(ids, id)
		}
	}
	return ids, translate(rows.Err())
}

// jsonIDs is a subquery of the ids in one JSON array parameter: one
// parameter however many people match, where an IN list would meet the
// engines' limits on parameters.
func (db *DB) jsonIDs() string {
	if db.engine == config.Postgres {
		return "SELECT value::bigint FROM json_array_elements_text(CAST(? AS json))"
	}
	return "SELECT value FROM json_each(?)"
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// limit is the one rule for page sizes: 50 by default, 500 at most.
func limit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// utc normalises an optional time read from either engine.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
