package store

import (
	"context"
	"time"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/recommendation"
)

type frameworkRow struct {
	ID           int64 `gorm:"primaryKey"`
	Key          string
	TitleEN      string `gorm:"column:title_en"`
	TitleFR      string `gorm:"column:title_fr"`
	FRUnofficial bool   `gorm:"column:fr_unofficial"`
	Issued       *time.Time
	Source       string
	Note         string
	Position     int
	Version      int
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt    time.Time `gorm:"autoUpdateTime:false"`
}

func (frameworkRow) TableName() string { return "frameworks" }

type provisionRow struct {
	ID          int64 `gorm:"primaryKey"`
	FrameworkID int64
	Key         string
	TitleEN     string `gorm:"column:title_en"`
	TitleFR     string `gorm:"column:title_fr"`
	Confidence  string
	Note        string
	Position    int
	Version     int
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"`
}

func (provisionRow) TableName() string { return "provisions" }

type provisionRecommendationRow struct {
	ProvisionID          int64 `gorm:"primaryKey"`
	RecommendationNumber int   `gorm:"primaryKey"`
}

func (provisionRecommendationRow) TableName() string { return "provision_recommendations" }

type actionProvisionRow struct {
	ActionID    int64 `gorm:"primaryKey"`
	ProvisionID int64 `gorm:"primaryKey"`
	Kind        string
}

func (actionProvisionRow) TableName() string { return "action_provisions" }

type linkEventRow struct {
	ID           int64 `gorm:"primaryKey"`
	ActionID     int64
	ProvisionID  *int64
	FrameworkKey string
	ProvisionKey string
	Change       string
	Kind         string
	Reason       string
	UserID       *int64
	CreatedAt    time.Time `gorm:"autoCreateTime:false"`
}

func (linkEventRow) TableName() string { return "provision_link_events" }

type crosswalkImportRow struct {
	ID         int64  `gorm:"primaryKey"`
	SHA256     string `gorm:"column:sha256"`
	Frameworks int
	Provisions int
	UserID     *int64
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (crosswalkImportRow) TableName() string { return "crosswalk_imports" }

func frameworkToRow(f framework.Framework, position int) frameworkRow {
	return frameworkRow{ID: f.ID, Key: f.Key, TitleEN: f.Title.EN, TitleFR: f.Title.FR, FRUnofficial: f.FRUnofficial,
		Issued: date.DayPtr(f.Issued), Source: f.Source, Note: f.Note, Position: position, Version: f.Version,
		CreatedAt: f.UpdatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC()}
}

func provisionToRow(p framework.Provision, position int) provisionRow {
	return provisionRow{ID: p.ID, FrameworkID: p.FrameworkID, Key: p.Key, TitleEN: p.Title.EN, TitleFR: p.Title.FR,
		Confidence: string(p.Confidence), Note: p.Note, Position: position, Version: p.Version,
		CreatedAt: p.UpdatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

// Frameworks returns every framework with its provisions, in order, in
// three queries.
func (db *DB) Frameworks(ctx context.Context) ([]framework.Framework, error) {
	var fs []frameworkRow
	if err := db.conn(ctx).Order("position, id").Find(&fs).Error; err != nil {
		return nil, translate(err)
	}
	var ps []provisionRow
	if err := db.conn(ctx).Order("framework_id, position, id").Find(&ps).Error; err != nil {
		return nil, translate(err)
	}
	var recs []provisionRecommendationRow
	if err := db.conn(ctx).Order("provision_id, recommendation_number").Find(&recs).Error; err != nil {
		return nil, translate(err)
	}
	byProvision := map[int64][]int{}
	for _, r := range recs {
		byProvision[r.ProvisionID] = append(byProvision[r.ProvisionID], r.RecommendationNumber)
	}
	keys := map[int64]string{}
	for _, f := range fs {
		keys[f.ID] = f.Key
	}
	provisions := map[int64][]framework.Provision{}
	for _, p := range ps {
		numbers := byProvision[p.ID]
		if numbers == nil {
			numbers = []int{}
		}
		provisions[p.FrameworkID] = append(provisions[p.FrameworkID], framework.Provision{ID: p.ID, FrameworkID: p.FrameworkID,
			FrameworkKey: keys[p.FrameworkID], Key: p.Key, Title: recommendation.Text{EN: p.TitleEN, FR: p.TitleFR},
			Recommendations: numbers, Confidence: framework.Confidence(p.Confidence), Note: p.Note, Position: p.Position,
			Version: p.Version, UpdatedAt: p.UpdatedAt.UTC()})
	}
	out := make([]framework.Framework, len(fs))
	for i, f := range fs {
		out[i] = framework.Framework{ID: f.ID, Key: f.Key, Title: recommendation.Text{EN: f.TitleEN, FR: f.TitleFR},
			FRUnofficial: f.FRUnofficial, Issued: date.DayPtr(f.Issued), Source: f.Source, Note: f.Note, Position: f.Position,
			Version: f.Version, UpdatedAt: f.UpdatedAt.UTC(), Provisions: provisions[f.ID]}
	}
	return out, nil
}

// CreateFramework stores a new framework, without its provisions, and
// sets its ID.
func (db *DB) CreateFramework(ctx context.Context, f *framework.Framework, position int) error {
	r := frameworkToRow(*f, position)
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	f.ID, f.Position = r.ID, position
	return nil
}

// UpdateFramework writes a framework if its stored version is expected.
func (db *DB) UpdateFramework(ctx context.Context, f *framework.Framework, expected, position int) error {
	r := frameworkToRow(*f, position)
	return translate(updateVersioned(db.conn(ctx).Select("*").Omit("id", "created_at"), &r, f.ID, expected, "this framework"))
}

// DeleteFramework removes a framework and its provisions.
func (db *DB) DeleteFramework(ctx context.Context, id int64) error {
	return translate(db.conn(ctx).Delete(&frameworkRow{}, id).Error)
}

// CreateProvision stores a new provision with its recommendations.
func (db *DB) CreateProvision(ctx context.Context, p *framework.Provision, position int) error {
	r := provisionToRow(*p, position)
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	p.ID, p.Position = r.ID, position
	return db.writeProvisionRecommendations(ctx, *p)
}

// UpdateProvision writes a provision if its stored version is expected.
func (db *DB) UpdateProvision(ctx context.Context, p *framework.Provision, expected, position int) error {
	r := provisionToRow(*p, position)
	if err := updateVersioned(db.conn(ctx).Select("*").Omit("id", "created_at"), &r, p.ID, expected, "this provision"); err != nil {
		return translate(err)
	}
	if err := db.conn(ctx).Where("provision_id = ?", p.ID).Delete(&provisionRecommendationRow{}).Error; err != nil {
		return translate(err)
	}
	return db.writeProvisionRecommendations(ctx, *p)
}

func (db *DB) writeProvisionRecommendations(ctx context.Context, p framework.Provision) error {
	if len(p.Recommendations) == 0 {
		return nil
	}
	rows := make([]provisionRecommendationRow, len(p.Recommendations))
	for i, n := range p.Recommendations {
		rows[i] = provisionRecommendationRow{ProvisionID: p.ID, RecommendationNumber: n}
	}
	return translate(db.conn(ctx).Create(&rows).Error)
}

// DeleteProvision removes a provision; its declarations go with it.
func (db *DB) DeleteProvision(ctx context.Context, id int64) error {
	return translate(db.conn(ctx).Delete(&provisionRow{}, id).Error)
}

// DeclaredCounts counts the actions declaring each of these provisions.
func (db *DB) DeclaredCounts(ctx context.Context, ids []int64) (map[int64]int, error) {
	var rows []struct {
		ProvisionID int64
		N           int
	}
	out := map[int64]int{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := db.conn(ctx).Model(&actionProvisionRow{}).Select("provision_id, count(*) AS n").
			Where("kind = 'declared' AND provision_id IN ?", ids[:n]).Group("provision_id").Scan(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, r := range rows {
			out[r.ProvisionID] = r.N
		}
		ids = ids[n:]
	}
	return out, nil
}

// AddCrosswalkImport records an import of a crosswalk file.
func (db *DB) AddCrosswalkImport(ctx context.Context, sum string, frameworks, provisions int, userID int64, at time.Time) error {
	return translate(db.conn(ctx).Create(&crosswalkImportRow{SHA256: sum, Frameworks: frameworks, Provisions: provisions,
		UserID: nullID(userID), CreatedAt: at.UTC()}).Error)
}

// CrosswalkImported reports whether any crosswalk file was ever imported.
func (db *DB) CrosswalkImported(ctx context.Context) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&crosswalkImportRow{}).Limit(1).Count(&n).Error
	return n > 0, translate(err)
}

// ActionLinks returns the links of each action, in the order of the
// frameworks and their provisions, in one query.
func (db *DB) ActionLinks(ctx context.Context, actionIDs []int64) (map[int64][]framework.Link, error) {
	out := map[int64][]framework.Link{}
	if len(actionIDs) == 0 {
		return out, nil
	}
	all, err := db.Frameworks(ctx)
	if err != nil {
		return nil, err
	}
	type place struct {
		f framework.Framework
		p framework.Provision
	}
	where := map[int64]place{}
	for _, f := range all {
		head := f
		head.Provisions = nil
		for _, p := range f.Provisions {
			where[p.ID] = place{head, p}
		}
	}
	var rows []struct {
		ActionID    int64
		ProvisionID int64
		Kind        string
	}
	for ids := actionIDs; len(ids) > 0; {
		n := min(len(ids), 500)
		var page []struct {
			ActionID    int64
			ProvisionID int64
			Kind        string
		}
		if err := db.conn(ctx).Raw(`SELECT pl.action_id, pl.provision_id, pl.kind FROM provision_links pl
			JOIN provisions p ON p.id = pl.provision_id JOIN frameworks f ON f.id = p.framework_id
			WHERE pl.action_id IN ? ORDER BY pl.action_id, f.position, f.id, p.position, p.id`, ids[:n]).Scan(&page).Error; err != nil {
			return nil, translate(err)
		}
		rows = append(rows, page...)
		ids = ids[n:]
	}
	for _, r := range rows {
		at, ok := where[r.ProvisionID]
		if !ok {
			continue // removed in between the two reads
		}
		out[r.ActionID] = append(out[r.ActionID], framework.Link{ActionID: r.ActionID, Framework: at.f, Provision: at.p,
			Kind: framework.LinkKind(r.Kind)})
	}
	return out, nil
}

// ActionStatements returns what was said of an action's provisions.
func (db *DB) ActionStatements(ctx context.Context, actionID int64) (map[int64]string, error) {
	var rows []actionProvisionRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ProvisionID] = r.Kind
	}
	return out, nil
}

// SetActionStatement says "declared" or "removed" of an action's provision.
func (db *DB) SetActionStatement(ctx context.Context, actionID, provisionID int64, kind string) error {
	if err := db.DeleteActionStatement(ctx, actionID, provisionID); err != nil {
		return err
	}
	return translate(db.conn(ctx).Create(&actionProvisionRow{ActionID: actionID, ProvisionID: provisionID, Kind: kind}).Error)
}

// DeleteActionStatement takes back what was said of an action's provision.
func (db *DB) DeleteActionStatement(ctx context.Context, actionID, provisionID int64) error {
	return translate(db.conn(ctx).Where("action_id = ? AND provision_id = ?", actionID, provisionID).Delete(&actionProvisionRow{}).Error)
}

// AddLinkEvent stores a change of an action's links and sets its ID.
func (db *DB) AddLinkEvent(ctx context.Context, e *framework.LinkEvent) error {
	r := linkEventRow{ActionID: e.ActionID, ProvisionID: nullID(e.ProvisionID), FrameworkKey: e.FrameworkKey, ProvisionKey: e.ProvisionKey,
		Change: string(e.Change), Kind: string(e.Kind), Reason: e.Reason, UserID: nullID(e.UserID), CreatedAt: e.At.UTC()}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	e.ID = r.ID
	return nil
}

// LinkEvents returns the changes of an action's links, oldest first.
func (db *DB) LinkEvents(ctx context.Context, actionID int64) ([]framework.LinkEvent, error) {
	var rows []linkEventRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]framework.LinkEvent, len(rows))
	for i, r := range rows {
		out[i] = framework.LinkEvent{ID: r.ID, ActionID: r.ActionID, ProvisionID: idOf(r.ProvisionID), FrameworkKey: r.FrameworkKey,
			ProvisionKey: r.ProvisionKey, Change: framework.Change(r.Change), Kind: framework.LinkKind(r.Kind), Reason: r.Reason,
			UserID: idOf(r.UserID), At: r.CreatedAt.UTC()}
	}
	return out, nil
}

// publicLinks are the links of the actions the public sees on a day (its
// one argument).
const publicLinks = `provision_links pl JOIN actions a ON a.id = pl.action_id
	JOIN provisions p ON p.id = pl.provision_id
	WHERE a.state = 'accepted' AND a.visibility = 'public' AND a.cycle_id IN ` + publicCycles

// ProvisionFigures counts the public actions of the cycle of year that
// count for each provision and each framework, and their organisations.
func (db *DB) ProvisionFigures(ctx context.Context, year int, on time.Time) (map[int64]framework.Count, map[int64]framework.Count, error) {
	type row struct {
		ID            int64
		Actions       int
		Organisations int
	}
	day := date.Day(on)
	cycle := ` AND a.cycle_id IN (SELECT id FROM cycles WHERE year = ?)`
	var ps, fs []row
	if err := db.conn(ctx).Raw(`SELECT pl.provision_id AS id, count(DISTINCT a.id) AS actions, count(DISTINCT a.stakeholder_id) AS organisations
		FROM `+publicLinks+cycle+` GROUP BY pl.provision_id`, day, year).Scan(&ps).Error; err != nil {
		return nil, nil, translate(err)
	}
	if err := db.conn(ctx).Raw(`SELECT p.framework_id AS id, count(DISTINCT a.id) AS actions, count(DISTINCT a.stakeholder_id) AS organisations
		FROM `+publicLinks+cycle+` GROUP BY p.framework_id`, day, year).Scan(&fs).Error; err != nil {
		return nil, nil, translate(err)
	}
	toMap := func(rows []row) map[int64]framework.Count {
		m := make(map[int64]framework.Count, len(rows))
		for _, r := range rows {
			m[r.ID] = framework.Count{Actions: r.Actions, Organisations: r.Organisations}
		}
		return m
	}
	return toMap(ps), toMap(fs), nil
}

// LinkedYears returns the years whose public actions count for any
// provision, newest first.
func (db *DB) LinkedYears(ctx context.Context, on time.Time) ([]int, error) {
	var years []int
	err := db.conn(ctx).Raw(`SELECT year FROM cycles WHERE id IN (SELECT a.cycle_id FROM `+publicLinks+`) ORDER BY year DESC`,
		date.Day(on)).Scan(&years).Error
	return years, translate(err)
}
