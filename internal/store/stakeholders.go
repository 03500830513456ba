package store

import (
	"context"
	"strings"
	"time"

	"golang.org/x/text/cases"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

type stakeholderRow struct {
	ID             int64 `gorm:"primaryKey"`
	Name           string
	NameKey        string
	Kind           string
	Country        string
	Website        string
	SupporterSince *time.Time
	Verified       bool
	Active         bool
	Reviewer       bool
	ReviewerSince  *time.Time
	ReviewerUntil  *time.Time
	Version        int
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
}

func (stakeholderRow) TableName() string { return "stakeholders" }

func stakeholderToRow(s stakeholder.Stakeholder) stakeholderRow {
	return stakeholderRow{ID: s.ID, Name: s.Name, NameKey: fold(s.Name), Version: s.Version, Kind: string(s.Kind), Country: s.Country, Website: s.Website,
		SupporterSince: s.SupporterSince, Verified: s.Verified, Active: s.Active,
		Reviewer: s.Reviewer, ReviewerSince: s.ReviewerSince, ReviewerUntil: s.ReviewerUntil, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func (r stakeholderRow) domain() stakeholder.Stakeholder {
	return stakeholder.Stakeholder{ID: r.ID, Name: r.Name, Kind: stakeholder.Kind(r.Kind), Country: r.Country,
		Website: r.Website, SupporterSince: utc(r.SupporterSince), Verified: r.Verified, Active: r.Active,
		Reviewer: r.Reviewer, ReviewerSince: utc(r.ReviewerSince), ReviewerUntil: utc(r.ReviewerUntil), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// stakeholderError translates a database error of an organisation's row: a
// name taken already is a Conflict of the name field.
func stakeholderError(err error) error {
	if isUnique(err) {
		return errs.Field(errs.Conflict, "name", "an organisation with this name already exists")
	}
	return translate(err)
}

// CreateStakeholder inserts s and sets its ID.
func (db *DB) CreateStakeholder(ctx context.Context, s *stakeholder.Stakeholder) error {
	r := stakeholderToRow(*s)
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return stakeholderError(err)
	}
	s.ID = r.ID
	return nil
}

// UpdateStakeholder writes every field of s if the stored version is still
// expected.
func (db *DB) UpdateStakeholder(ctx context.Context, s *stakeholder.Stakeholder, expected int) error {
	r := stakeholderToRow(*s)
	return stakeholderError(updateVersioned(db.conn(ctx).Select("*").Omit("id", "created_at"), &r, s.ID, expected, "this organisation"))
}

// Stakeholder returns one organisation.
func (db *DB) Stakeholder(ctx context.Context, id int64) (stakeholder.Stakeholder, error) {
	var r stakeholderRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return stakeholder.Stakeholder{}, notFound(err, "no organisation %d", id)
	}
	return r.domain(), nil
}

// Stakeholders lists organisations by name.
func (db *DB) Stakeholders(ctx context.Context, f stakeholder.Filter) ([]stakeholder.Stakeholder, int, error) {
	q := db.conn(ctx).Model(&stakeholderRow{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Country != "" {
		q = q.Where("country = ?", strings.ToUpper(f.Country))
	}
	if f.Query != "" {
		q = q.Where(`name_key LIKE ? ESCAPE '\'`, "%"+escapeLike(fold(f.Query))+"%")
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	if len(f.IDs) > 0 {
		q = q.Where("id IN ?", f.IDs)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, translate(err)
	}
	q = q.Order("name_key, id")
	if !f.All {
		q = q.Limit(limit(f.Limit)).Offset(f.Offset)
	}
	var rows []stakeholderRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out := make([]stakeholder.Stakeholder, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, int(total), nil
}

// fold returns the case-folded form of a name, for comparisons that must
// agree on both engines (SQLite's lower() folds ASCII only).
func fold(s string) string { return cases.Fold().String(s) }

// escapeLike keeps % and _ typed by people literal; queries say ESCAPE '\'
// because SQLite has no default escape character.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// EndOrganisationAccess ends the sessions, and revokes the API tokens, of
// every person of an organisation, and drops their sign-ins waiting for a
// code; it says how many sessions and tokens it ended.
func (db *DB) EndOrganisationAccess(ctx context.Context, stakeholderID int64, at time.Time) (sessions, tokens int, err error) {
	people := db.conn(ctx).Model(&userRow{}).Select("id").Where("stakeholder_id = ?", stakeholderID)
	res := db.conn(ctx).Where("user_id IN (?)", people).Delete(&sessionRow{})
	if res.Error != nil {
		return 0, 0, translate(res.Error)
	}
	sessions = int(res.RowsAffected)
	res = db.conn(ctx).Model(&tokenRow{}).Where("user_id IN (?) AND revoked_at IS NULL", people).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return 0, 0, translate(res.Error)
	}
	tokens = int(res.RowsAffected)
	if err := db.conn(ctx).Where("user_id IN (?)", people).Delete(&challengeRow{}).Error; err != nil {
		return 0, 0, translate(err)
	}
	return sessions, tokens, nil
}
