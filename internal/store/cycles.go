package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
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
	Evidence  string
	Version   int
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
	Reported  bool      `gorm:"->"` // read only: the cycle has a published report
}

func (cycleRow) TableName() string { return "cycles" }

// cycles starts a query of cycles that also reads whether each has a
// published report.
func (db *DB) cycles(ctx context.Context) *gorm.DB {
	return db.conn(ctx).Model(&cycleRow{}).Select("cycles.*, EXISTS (SELECT 1 FROM reports " +
		"WHERE reports.cycle_id = cycles.id AND reports.status = 'published') AS reported")
}

func cycleToRow(c cycle.Cycle) cycleRow {
	return cycleRow{ID: c.ID, Year: c.Year, OpensAt: c.OpensAt, Deadline: c.Deadline, ReportAt: c.ReportAt,
		ForumDate: c.ForumDate, Embargo: string(c.Embargo), Evidence: string(c.Evidence), Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (r cycleRow) domain() cycle.Cycle {
	return cycle.Cycle{ID: r.ID, Year: r.Year, OpensAt: date.Day(r.OpensAt), Deadline: date.Day(r.Deadline),
		ReportAt: date.Day(r.ReportAt), ForumDate: date.Day(r.ForumDate), Embargo: cycle.Embargo(r.Embargo), Evidence: cycle.EvidenceRule(r.Evidence), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Reported: r.Reported}
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

// UpdateCycle writes the dates, embargo and evidence rule of c if the stored version is
// still expected.
func (db *DB) UpdateCycle(ctx context.Context, c *cycle.Cycle, expected int) error {
	r := cycleToRow(*c)
	q := db.conn(ctx).Select("opens_at", "deadline", "report_at", "forum_date", "embargo", "evidence", "version", "updated_at")
	return translate(updateVersioned(q, &r, c.ID, expected, "the cycle"))
}

// Cycle returns the cycle of a year.
func (db *DB) Cycle(ctx context.Context, year int) (cycle.Cycle, error) {
	var r cycleRow
	if err := db.cycles(ctx).Where("year = ?", year).Take(&r).Error; err != nil {
		return cycle.Cycle{}, notFound(err, "no reporting cycle for %d", year)
	}
	return r.domain(), nil
}

// Cycles returns every cycle, latest first.
func (db *DB) Cycles(ctx context.Context) ([]cycle.Cycle, error) {
	var rows []cycleRow
	if err := db.cycles(ctx).Order("year DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]cycle.Cycle, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// CycleByID returns a cycle by its id.
func (db *DB) CycleByID(ctx context.Context, id int64) (cycle.Cycle, error) {
	var r cycleRow
	if err := db.cycles(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return cycle.Cycle{}, notFound(err, "no such reporting cycle")
	}
	return r.domain(), nil
}

type extensionRow struct {
	CycleID       int64 `gorm:"primaryKey"`
	StakeholderID int64 `gorm:"primaryKey"`
	Deadline      time.Time
	GrantedAt     time.Time
	GrantedBy     *int64
}

func (extensionRow) TableName() string { return "deadline_extensions" }

// extensionListRow is an extension with the names of its organisation and
// of the person who granted it.
type extensionListRow struct {
	StakeholderID int64
	Deadline      time.Time
	GrantedAt     time.Time
	GrantedBy     *int64
	Organisation  string
	GrantedByName *string
}

func (r extensionListRow) domain() cycle.Extension {
	e := cycle.Extension{StakeholderID: r.StakeholderID, Organisation: r.Organisation, Deadline: date.Day(r.Deadline),
		GrantedBy: idOf(r.GrantedBy), GrantedAt: r.GrantedAt.UTC()}
	if r.GrantedByName != nil {
		e.GrantedByName = *r.GrantedByName
	}
	return e
}

// extensions starts a query of a cycle's extensions with their names.
func (db *DB) extensions(ctx context.Context, cycleID int64) *gorm.DB {
	return db.conn(ctx).Table("deadline_extensions").
		Select("deadline_extensions.stakeholder_id, deadline_extensions.deadline, deadline_extensions.granted_at, "+
			"deadline_extensions.granted_by, stakeholders.name AS organisation, users.name AS granted_by_name").
		Joins("JOIN stakeholders ON stakeholders.id = deadline_extensions.stakeholder_id").
		Joins("LEFT JOIN users ON users.id = deadline_extensions.granted_by").
		Where("deadline_extensions.cycle_id = ?", cycleID)
}

// DeadlineExtension returns an organisation's own deadline in a cycle.
func (db *DB) DeadlineExtension(ctx context.Context, cycleID, stakeholderID int64) (time.Time, bool, error) {
	var rows []extensionRow
	if err := db.conn(ctx).Where("cycle_id = ? AND stakeholder_id = ?", cycleID, stakeholderID).Limit(1).Find(&rows).Error; err != nil {
		return time.Time{}, false, translate(err)
	}
	if len(rows) == 0 {
		return time.Time{}, false, nil
	}
	return date.Day(rows[0].Deadline), true, nil
}

// SetDeadlineExtension grants or moves an organisation's own deadline, on
// behalf of nobody in particular (fixtures).
func (db *DB) SetDeadlineExtension(ctx context.Context, cycleID, stakeholderID int64, deadline, at time.Time) error {
	return db.GrantDeadlineExtension(ctx, cycleID, cycle.Extension{StakeholderID: stakeholderID, Deadline: deadline, GrantedAt: at})
}

// GrantDeadlineExtension grants or moves an organisation's own deadline;
// a moved one records who moved it and when.
func (db *DB) GrantDeadlineExtension(ctx context.Context, cycleID int64, e cycle.Extension) error {
	r := extensionRow{CycleID: cycleID, StakeholderID: e.StakeholderID, Deadline: date.Day(e.Deadline), GrantedAt: e.GrantedAt.UTC(),
		GrantedBy: nullID(e.GrantedBy)}
	return translate(db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "cycle_id"}, {Name: "stakeholder_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"deadline", "granted_at", "granted_by"}),
	}).Create(&r).Error)
}

// GrantedExtension returns an organisation's extension in a cycle, with
// the names.
func (db *DB) GrantedExtension(ctx context.Context, cycleID, stakeholderID int64) (cycle.Extension, error) {
	var rows []extensionListRow
	if err := db.extensions(ctx, cycleID).Where("deadline_extensions.stakeholder_id = ?", stakeholderID).Limit(1).
		Scan(&rows).Error; err != nil {
		return cycle.Extension{}, translate(err)
	}
	if len(rows) == 0 {
		return cycle.Extension{}, errs.E(errs.NotFound, "this organisation has no deadline extension in this cycle")
	}
	return rows[0].domain(), nil
}

// GrantedExtensions returns a cycle's extensions, by organisation name.
func (db *DB) GrantedExtensions(ctx context.Context, cycleID int64) ([]cycle.Extension, error) {
	var rows []extensionListRow
	if err := db.extensions(ctx, cycleID).Order("stakeholders.name_key, stakeholders.id").Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]cycle.Extension, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// RevokeDeadlineExtension deletes an organisation's extension in a cycle;
// NotFound when it has none.
func (db *DB) RevokeDeadlineExtension(ctx context.Context, cycleID, stakeholderID int64) error {
	res := db.conn(ctx).Where("cycle_id = ? AND stakeholder_id = ?", cycleID, stakeholderID).Delete(&extensionRow{})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "this organisation has no deadline extension in this cycle")
	}
	return nil
}
