package store

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
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
	if db.engine == dburl.Postgres {
		return "SELECT value::bigint FROM json_array_elements_text(CAST(? AS json))"
	}
	return "SELECT value FROM json_each(?)"
}

// AuditNames looks up the people, organisations, actions and reports a
// page of the log names, one query for each kind. An action missing from
// its table was a draft deleted since: the entry of its deletion keeps its
// title.
func (db *DB) AuditNames(ctx context.Context, w audit.Wanted) (audit.Names, error) {
	n := audit.Names{People: map[int64]audit.PersonName{}, Organisations: map[int64]string{},
		Actions: map[int64]audit.ActionName{}, Reports: map[int64]audit.ReportName{}}
	if len(w.People) > 0 {
		var rows []userRow
		if err := db.conn(ctx).Select("id, name, email, stakeholder_id").Where("id IN ?", w.People).Find(&rows).Error; err != nil {
			return n, translate(err)
		}
		for _, r := range rows {
			n.People[r.ID] = audit.PersonName{Name: r.Name, Email: r.Email, OrgID: idOf(r.StakeholderID)}
		}
	}
	if len(w.Organisations) > 0 {
		var rows []stakeholderRow
		if err := db.conn(ctx).Select("id, name").Where("id IN ?", w.Organisations).Find(&rows).Error; err != nil {
			return n, translate(err)
		}
		for _, r := range rows {
			n.Organisations[r.ID] = r.Name
		}
	}
	if len(w.Actions) > 0 {
		var rows []actionRow
		if err := db.conn(ctx).Select("id, title, stakeholder_id").Where("id IN ?", w.Actions).Find(&rows).Error; err != nil {
			return n, translate(err)
		}
		for _, r := range rows {
			n.Actions[r.ID] = audit.ActionName{Title: r.Title, OrgID: r.StakeholderID}
		}
		if err := db.deletedActions(ctx, w.Actions, n.Actions); err != nil {
			return n, err
		}
	}
	if len(w.Reports) > 0 {
		var rows []struct {
			ID   int64
			Year int
		}
		if err := db.conn(ctx).Table("reports").Select("reports.id, cycles.year").
			Joins("JOIN cycles ON cycles.id = reports.cycle_id").Where("reports.id IN ?", w.Reports).Scan(&rows).Error; err != nil {
			return n, translate(err)
		}
		for _, r := range rows {
			n.Reports[r.ID] = audit.ReportName{Year: r.Year}
		}
	}
	return n, nil
}

// deletedActions names, from the entries of their deletion, the actions of
// ids that found is missing.
func (db *DB) deletedActions(ctx context.Context, ids []int64, found map[int64]audit.ActionName) error {
	var gone []string
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			gone = append(gone, strconv.FormatInt(id, 10))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	var rows []auditRow
	if err := db.conn(ctx).Select("object_id, details").Where("verb = ? AND object_type = ? AND object_id IN ?",
		"action.delete", "action", gone).Find(&rows).Error; err != nil {
		return translate(err)
	}
	for _, r := range rows {
		var d struct {
			Title         string `json:"title"`
			StakeholderID int64  `json:"stakeholder_id"`
		}
		if err := json.Unmarshal([]byte(r.Details), &d); err != nil {
			return errs.Wrap(errs.Internal, err, "decode audit entry of action %s", r.ObjectID)
		}
		id, _ := strconv.ParseInt(r.ObjectID, 10, 64)
		found[id] = audit.ActionName{Title: d.Title, OrgID: d.StakeholderID, Gone: true}
	}
	return nil
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
