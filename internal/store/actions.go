package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

type actionRow struct {
	ID            int64 `gorm:"primaryKey"`
	StakeholderID int64
	CycleID       int64
	Title         string
	Description   string
	Stage         string
	MeasureType   string
	Scope         string
	StartDate     *time.Time
	EndDate       *time.Time
	Visibility    string
	State         string
	Assurance     string
	Version       int
	CarriedFrom   *int64
	CreatedBy     *int64
	UpdatedBy     *int64
	CreatedAt     time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt     time.Time `gorm:"autoUpdateTime:false"`
	SubmittedAt   *time.Time
	AcceptedAt    *time.Time
}

func (actionRow) TableName() string { return "actions" }

type actionRecommendationRow struct {
	ActionID             int64 `gorm:"primaryKey"`
	RecommendationNumber int   `gorm:"primaryKey"`
}

func (actionRecommendationRow) TableName() string { return "action_recommendations" }

type evidenceRow struct {
	ID       int64 `gorm:"primaryKey"`
	ActionID int64
	Position int
	Kind     string
	URL      string `gorm:"column:url"`
	Title    string
}

func (evidenceRow) TableName() string { return "evidence" }

type actionVersionRow struct {
	ID        int64 `gorm:"primaryKey"`
	ActionID  int64
	Version   int
	Snapshot  string
	ChangedBy *int64
	ChangedAt time.Time
}

func (actionVersionRow) TableName() string { return "action_versions" }

type reviewEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	ActionID   int64
	Version    int
	Decision   string
	Comment    string
	ReviewerID *int64
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	NoticedAt  *time.Time
	Assurance  *string // the level the step set
}

func (reviewEventRow) TableName() string { return "review_events" }

func reviewEvents(rows []reviewEventRow) []action.ReviewEvent {
	out := make([]action.ReviewEvent, len(rows))
	for i, r := range rows {
		out[i] = action.ReviewEvent{ID: r.ID, ActionID: r.ActionID, Version: r.Version, Decision: action.Decision(r.Decision),
			Comment: r.Comment, ReviewerID: idOf(r.ReviewerID), At: r.CreatedAt.UTC()}
		if r.Assurance != nil {
			out[i].Assurance = action.Assurance(*r.Assurance)
		}
	}
	return out
}

func actionToRow(a action.Action) actionRow {
	return actionRow{ID: a.ID, StakeholderID: a.StakeholderID, CycleID: a.CycleID, Title: a.Title,
		Description: a.Description, Stage: string(a.Stage), MeasureType: string(a.MeasureType), Scope: string(a.Scope),
		StartDate: a.StartDate, EndDate: a.EndDate, Visibility: string(a.Visibility), State: string(a.State),
		Assurance: string(a.Assurance.OrDefault()), Version: a.Version, CarriedFrom: a.CarriedFrom, CreatedBy: nullID(a.CreatedBy), UpdatedBy: nullID(a.UpdatedBy),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, SubmittedAt: a.SubmittedAt, AcceptedAt: a.AcceptedAt}
}

func (r actionRow) domain() action.Action {
	return action.Action{ID: r.ID, StakeholderID: r.StakeholderID, CycleID: r.CycleID, Title: r.Title,
		Description: r.Description, Stage: action.Stage(r.Stage), MeasureType: action.MeasureType(r.MeasureType),
		Scope: action.Scope(r.Scope), StartDate: utc(r.StartDate), EndDate: utc(r.EndDate),
		Visibility: action.Visibility(r.Visibility), State: action.State(r.State), Assurance: action.Assurance(r.Assurance),
		Version:     r.Version,
		CarriedFrom: r.CarriedFrom, CreatedBy: idOf(r.CreatedBy), UpdatedBy: idOf(r.UpdatedBy),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), SubmittedAt: utc(r.SubmittedAt), AcceptedAt: utc(r.AcceptedAt)}
}

// CreateAction inserts a with its recommendations and evidence, and sets its ID.
func (db *DB) CreateAction(ctx context.Context, a *action.Action) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		r := actionToRow(*a)
		if err := db.conn(ctx).Create(&r).Error; err != nil {
			if isUnique(err) {
				return &errs.Error{Kind: errs.Conflict, Message: "this action was already carried forward into the cycle", Err: err}
			}
			return translate(err)
		}
		a.ID = r.ID
		return db.writeActionChildren(ctx, *a)
	})
}

// UpdateAction writes a if its stored version is still expected.
func (db *DB) UpdateAction(ctx context.Context, a *action.Action, expected int) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
		r := actionToRow(*a)
		q := db.conn(ctx).Select("*").Omit("id", "stakeholder_id", "cycle_id", "created_at", "created_by", "carried_from")
		if err := updateVersioned(q, &r, a.ID, expected, "this action"); err != nil {
			return translate(err)
		}
		if err := db.conn(ctx).Where("action_id = ?", a.ID).Delete(&actionRecommendationRow{}).Error; err != nil {
			return translate(err)
		}
		if err := db.conn(ctx).Where("action_id = ?", a.ID).Delete(&evidenceRow{}).Error; err != nil {
			return translate(err)
		}
		return db.writeActionChildren(ctx, *a)
	})
}

func (db *DB) writeActionChildren(ctx context.Context, a action.Action) error {
	if len(a.Recommendations) > 0 {
		recs := make([]actionRecommendationRow, len(a.Recommendations))
		for i, n := range a.Recommendations {
			recs[i] = actionRecommendationRow{ActionID: a.ID, RecommendationNumber: n}
		}
		if err := db.conn(ctx).Create(&recs).Error; err != nil {
			return translate(err)
		}
	}
	if len(a.Evidence) > 0 {
		ev := make([]evidenceRow, len(a.Evidence))
		for i, e := range a.Evidence {
			ev[i] = evidenceRow{ActionID: a.ID, Position: i + 1, Kind: string(e.Kind), URL: e.URL, Title: e.Title}
		}
		if err := db.conn(ctx).Create(&ev).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

// DeleteAction removes an action; its recommendations, evidence, versions
// and review events go with it (ON DELETE CASCADE).
func (db *DB) DeleteAction(ctx context.Context, id int64) error {
	res := db.conn(ctx).Where("id = ?", id).Delete(&actionRow{})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.E(errs.NotFound, "no action %d", id)
	}
	return nil
}

// Action returns one action with its recommendations and evidence.
func (db *DB) Action(ctx context.Context, id int64) (action.Action, error) {
	var r actionRow
	if err := db.conn(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return action.Action{}, notFound(err, "no action %d", id)
	}
	out, err := db.withChildren(ctx, []actionRow{r})
	if err != nil {
		return action.Action{}, err
	}
	return out[0], nil
}

// filtered is the query of the actions f keeps, and the ordering that
// puts the best matches of its search first (empty without a search): one
// rule for the lists and the tallies of them.
func (db *DB) filtered(ctx context.Context, f action.Filter) (*gorm.DB, clause.Expr) {
	q := db.conn(ctx).Model(&actionRow{})
	// Each part of the filter that is set narrows the list by its condition.
	for _, w := range []struct {
		set  bool
		cond string
		arg  any
	}{
		{f.CycleID != 0, "cycle_id = ?", f.CycleID},
		{f.CycleYear != 0, "cycle_id IN (SELECT id FROM cycles WHERE year = ?)", f.CycleYear},
		{f.StakeholderID != 0, "stakeholder_id = ?", f.StakeholderID},
		{f.Kind != "", "stakeholder_id IN (SELECT id FROM stakeholders WHERE kind = ?)", f.Kind},
		{f.State != "", "state = ?", f.State},
		{f.Recommendation != 0, "id IN (SELECT action_id FROM action_recommendations WHERE recommendation_number = ?)", f.Recommendation},
		{f.Country != "", "stakeholder_id IN (SELECT id FROM stakeholders WHERE country = ?)", f.Country},
		{f.Stage != "", "stage = ?", string(f.Stage)},
		{f.MeasureType != "", "measure_type = ?", string(f.MeasureType)},
		{f.Assurance != "", "assurance = ?", string(f.Assurance)},
		{f.AfterID != 0, "id > ?", f.AfterID},
		{len(f.AnyOf.Recommendations) > 0, "id IN (SELECT action_id FROM action_recommendations WHERE recommendation_number IN ?)", f.AnyOf.Recommendations},
		{len(f.AnyOf.StakeholderIDs) > 0, "stakeholder_id IN ?", f.AnyOf.StakeholderIDs},
		{len(f.AnyOf.Kinds) > 0, "stakeholder_id IN (SELECT id FROM stakeholders WHERE kind IN ?)", f.AnyOf.Kinds},
		{len(f.AnyOf.Countries) > 0, "stakeholder_id IN (SELECT id FROM stakeholders WHERE country IN ?)", f.AnyOf.Countries},
		{f.Contested, "EXISTS (SELECT 1 FROM challenges WHERE challenges.action_id = actions.id AND challenges.state = ?)",
			string(challenge.Published)},
	} {
		if w.set {
			q = q.Where(w.cond, w.arg)
		}
	}
	var ranked clause.Expr
	if f.Query != "" {
		q, ranked = db.matchWords(q, f.Query)
	}
	if f.Framework != "" {
		q = countsFor(q, f.Framework, f.Provision)
	}
	if !f.PublicOn.IsZero() {
		q = shownOn(q, f.PublicOn)
	}
	if !f.PublishedAfter.IsZero() && !f.PublicOn.IsZero() {
		// Accepted by PublicOn, and after PublishedAfter or under an
		// embargo lifted since (shownOn has kept the Forums come by then).
		q = q.Where("accepted_at <= ? AND (accepted_at > ? OR cycle_id IN (SELECT id FROM cycles WHERE embargo <> 'immediate' AND forum_date > ?))",
			f.PublicOn.UTC(), f.PublishedAfter.UTC(), date.Day(f.PublishedAfter))
	}
	return q, ranked
}

// TallyActions counts the actions f keeps (its paging aside), by
// recommendation, stage and kind of organisation, in the database.
func (db *DB) TallyActions(ctx context.Context, f action.Filter) (action.Tally, error) {
	f.AfterID, f.Offset, f.Limit = 0, 0, 0
	var t action.Tally
	q, _ := db.filtered(ctx, f)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return t, translate(err)
	}
	t.Total = int(total)
	list, _ := db.filtered(ctx, f)
	var rows []struct {
		Rec   int
		Stage string
		Kind  string
		N     int
	}
	err := db.conn(ctx).Table("(?) AS listed", list.Select("actions.id, actions.stage, actions.stakeholder_id")).
		Select("ar.recommendation_number AS rec, listed.stage AS stage, s.kind AS kind, COUNT(DISTINCT listed.id) AS n").
		Joins("JOIN action_recommendations ar ON ar.action_id = listed.id").
		Joins("JOIN stakeholders s ON s.id = listed.stakeholder_id").
		Group("ar.recommendation_number, listed.stage, s.kind").
		Order("ar.recommendation_number, listed.stage, s.kind").Scan(&rows).Error
	if err != nil {
		return t, translate(err)
	}
	for _, r := range rows {
		t.Rows = append(t.Rows, action.TallyRow{Recommendation: r.Rec, Stage: action.Stage(r.Stage), Kind: r.Kind, Actions: r.N})
	}
	return t, nil
}

// Actions lists actions, most recently updated first.
func (db *DB) Actions(ctx context.Context, f action.Filter) ([]action.Action, int, error) {
	q, ranked := db.filtered(ctx, f)
	var total int64
	if !f.SkipTotal {
		if err := q.Count(&total).Error; err != nil {
			return nil, 0, translate(err)
		}
	}
	order := actionOrder(f)
	var orderBy any = order
	if ranked.SQL != "" && !f.ByID && !f.Oldest && f.Sort.Ranked() {
		// The best matches first, the chosen order between equals (one
		// expression: gorm would drop it when merging a second ORDER BY).
		orderBy = clause.OrderBy{Expression: clause.Expr{SQL: ranked.SQL + ", " + order, Vars: ranked.Vars}}
	}
	var rows []actionRow
	if err := q.Order(orderBy).Limit(limit(f.Limit)).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err)
	}
	out, err := db.withChildren(ctx, rows)
	return out, int(total), err
}

// actionOrder is the ORDER BY of a list of actions. Every order ends on
// the id, so that pages neither repeat nor skip an action. A public list
// is in the order it asks for, newest acceptance first when it asks for
// none (where a search may rank by relevance instead: f.Sort == "" with
// f.Query set).
func actionOrder(f action.Filter) string {
	switch {
	case f.ByID:
		return "id"
	case f.Oldest:
		return "submitted_at, id"
	case f.PublicOn.IsZero():
		return "updated_at DESC, id DESC"
	}
	const newest = "accepted_at DESC, id DESC"
	switch f.Sort {
	case action.SortOrganisation:
		return "(SELECT LOWER(name) FROM stakeholders WHERE stakeholders.id = actions.stakeholder_id), " + newest
	case action.SortStage:
		ladder := "CASE stage"
		for i, st := range action.Stages {
			ladder += fmt.Sprintf(" WHEN '%s' THEN %d", st, i)
		}
		return ladder + fmt.Sprintf(" ELSE %d END, ", len(action.Stages)) + newest
	case action.SortRecommendation:
		// An action without a recommendation goes last on both databases,
		// which place NULL differently.
		return "COALESCE((SELECT MIN(recommendation_number) FROM action_recommendations WHERE action_id = actions.id), 1000), " + newest
	}
	return newest
}

// countsFor keeps the actions that count for a framework's provisions, or
// for one of them, however the link was made (the provision_links view).
func countsFor(q *gorm.DB, framework, provision string) *gorm.DB {
	sub := `id IN (SELECT pl.action_id FROM provision_links pl JOIN provisions p ON p.id = pl.provision_id
		JOIN frameworks f ON f.id = p.framework_id WHERE f.key = ?`
	if provision == "" {
		return q.Where(sub+")", framework)
	}
	return q.Where(sub+" AND p.key = ?)", framework, provision)
}

// shownOn keeps the actions the public sees on the day of on, as
// action.ShownOn says: accepted, public, of a cycle whose embargo is over.
func shownOn(q *gorm.DB, on time.Time) *gorm.DB {
	return q.Where(publicActionCondition, date.Day(on))
}

// ShownAmong returns which of ids the public sees on the day of on.
func (db *DB) ShownAmong(ctx context.Context, ids []int64, on time.Time) (map[int64]bool, error) {
	var shown []int64
	if err := shownOn(db.conn(ctx).Model(&actionRow{}), on).Where("id IN ?", ids).Pluck("id", &shown).Error; err != nil {
		return nil, translate(err)
	}
	out := make(map[int64]bool, len(shown))
	for _, id := range shown {
		out[id] = true
	}
	return out, nil
}

// matchWords keeps the actions whose title or description holds every
// word of the search (action.Words) as the beginning of a word, in any
// order, case and accents ignored, and returns the ordering that puts the
// best matches first, to come before the usual order: PostgreSQL's
// full-text search over action_search_vector (ts_rank), SQLite's FTS5
// index actions_fts (bm25), the title weighing more in both. The words are
// letters and digits only, and each is quoted besides, so the text typed
// never becomes query syntax. A search of no words finds nothing.
func (db *DB) matchWords(q *gorm.DB, query string) (*gorm.DB, clause.Expr) {
	words := action.Words(query)
	if len(words) == 0 {
		return q.Where("1 = 0"), clause.Expr{}
	}
	terms := make([]string, len(words))
	if db.engine == dburl.Postgres {
		for i, w := range words {
			terms[i] = "'" + strings.ReplaceAll(strings.ReplaceAll(w, `\`, `\\`), "'", "''") + "':*"
		}
		tsquery := strings.Join(terms, " & ")
		return q.Where("action_search_vector(title, description) @@ to_tsquery('simple', ?)", tsquery),
			clause.Expr{SQL: "ts_rank(action_search_vector(title, description), to_tsquery('simple', ?)) DESC",
				Vars: []any{tsquery}}
	}
	for i, w := range words {
		terms[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"*`
	}
	// One pass of the index gives both the matches and their rank.
	return q.Joins("JOIN (SELECT rowid AS fts_id, bm25(actions_fts, 4.0, 1.0) AS fts_rank FROM actions_fts WHERE actions_fts MATCH ?) fts ON fts.fts_id = actions.id",
		strings.Join(terms, " ")), clause.Expr{SQL: "fts.fts_rank"}
}

// withChildren loads recommendations, evidence, cycle years and
// organisation names for a page of actions in four queries, whatever the
// page size.
func (db *DB) withChildren(ctx context.Context, rows []actionRow) ([]action.Action, error) {
	if len(rows) == 0 {
		return []action.Action{}, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var recs []actionRecommendationRow
	if err := db.conn(ctx).Where("action_id IN ?", ids).Order("action_id, recommendation_number").Find(&recs).Error; err != nil {
		return nil, translate(err)
	}
	var ev []evidenceRow
	if err := db.conn(ctx).Where("action_id IN ?", ids).Order("action_id, position").Find(&ev).Error; err != nil {
		return nil, translate(err)
	}
	var cycles []cycleRow
	cycleIDs := map[int64]bool{}
	for _, r := range rows {
		cycleIDs[r.CycleID] = true
	}
	cycleList := make([]int64, 0, len(cycleIDs))
	for id := range cycleIDs {
		cycleList = append(cycleList, id)
	}
	if err := db.conn(ctx).Select("id", "year").Where("id IN ?", cycleList).Find(&cycles).Error; err != nil {
		return nil, translate(err)
	}
	years := map[int64]int{}
	for _, c := range cycles {
		years[c.ID] = c.Year
	}
	orgIDs := map[int64]bool{}
	for _, r := range rows {
		orgIDs[r.StakeholderID] = true
	}
	orgList := make([]int64, 0, len(orgIDs))
	for id := range orgIDs {
		orgList = append(orgList, id)
	}
	var orgs []stakeholderRow
	if err := db.conn(ctx).Select("id", "name", "kind").Where("id IN ?", orgList).Find(&orgs).Error; err != nil {
		return nil, translate(err)
	}
	orgOf := map[int64]stakeholderRow{}
	for _, o := range orgs {
		orgOf[o.ID] = o
	}
	byID := map[int64]*action.Action{}
	out := make([]action.Action, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
		out[i].CycleYear = years[r.CycleID]
		out[i].Organisation, out[i].OrganisationKind = orgOf[r.StakeholderID].Name, orgOf[r.StakeholderID].Kind
		out[i].Recommendations = []int{}
		out[i].Evidence = []action.Evidence{}
		byID[r.ID] = &out[i]
	}
	for _, r := range recs {
		a := byID[r.ActionID]
		a.Recommendations = append(a.Recommendations, r.RecommendationNumber)
	}
	for _, e := range ev {
		a := byID[e.ActionID]
		a.Evidence = append(a.Evidence, action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
	}
	return out, nil
}

// snapshot is the stored JSON form of an action version. Its field names
// are a stable format: old versions must stay readable.
type snapshot struct {
	ID              int64              `json:"id"`
	StakeholderID   int64              `json:"stakeholder_id"`
	CycleID         int64              `json:"cycle_id"`
	Title           string             `json:"title"`
	Description     string             `json:"description"`
	Recommendations []int              `json:"recommendations"`
	Stage           string             `json:"stage"`
	MeasureType     string             `json:"measure_type"`
	Scope           string             `json:"scope"`
	StartDate       *time.Time         `json:"start_date,omitempty"`
	EndDate         *time.Time         `json:"end_date,omitempty"`
	Visibility      string             `json:"visibility"`
	State           string             `json:"state"`
	Assurance       string             `json:"assurance,omitempty"` // absent in versions saved before levels existed
	Version         int                `json:"version"`
	CarriedFrom     *int64             `json:"carried_from,omitempty"`
	UpdatedBy       int64              `json:"updated_by,omitempty"`
	UpdatedAt       time.Time          `json:"updated_at"`
	Evidence        []snapshotEvidence `json:"evidence"`
}

type snapshotEvidence struct {
	Kind  string `json:"kind"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

// AddActionVersion stores a full snapshot of an action.
func (db *DB) AddActionVersion(ctx context.Context, v action.Version) error {
	a := v.Snapshot
	s := snapshot{ID: a.ID, StakeholderID: a.StakeholderID, CycleID: a.CycleID, Title: a.Title, Description: a.Description,
		Recommendations: a.Recommendations, Stage: string(a.Stage), MeasureType: string(a.MeasureType), Scope: string(a.Scope),
		StartDate: a.StartDate, EndDate: a.EndDate, Visibility: string(a.Visibility), State: string(a.State),
		Assurance: string(a.Assurance.OrDefault()), Version: a.Version, CarriedFrom: a.CarriedFrom, UpdatedBy: a.UpdatedBy, UpdatedAt: a.UpdatedAt,
		Evidence: make([]snapshotEvidence, len(a.Evidence))}
	for i, e := range a.Evidence {
		s.Evidence[i] = snapshotEvidence{Kind: string(e.Kind), URL: e.URL, Title: e.Title}
	}
	data, err := json.Marshal(s)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "encode action snapshot")
	}
	r := actionVersionRow{ActionID: v.ActionID, Version: v.Version, Snapshot: string(data),
		ChangedBy: nullID(v.ChangedBy), ChangedAt: v.ChangedAt.UTC()}
	return translate(db.conn(ctx).Create(&r).Error)
}

// ActionVersions returns every version of an action, oldest first.
func (db *DB) ActionVersions(ctx context.Context, actionID int64) ([]action.Version, error) {
	var rows []actionVersionRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Order("version").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]action.Version, len(rows))
	for i, r := range rows {
		var s snapshot
		if err := json.Unmarshal([]byte(r.Snapshot), &s); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "decode snapshot of action %d version %d", actionID, r.Version)
		}
		a := action.Action{ID: s.ID, StakeholderID: s.StakeholderID, CycleID: s.CycleID, Title: s.Title,
			Description: s.Description, Recommendations: s.Recommendations, Stage: action.Stage(s.Stage),
			MeasureType: action.MeasureType(s.MeasureType), Scope: action.Scope(s.Scope), StartDate: s.StartDate,
			EndDate: s.EndDate, Visibility: action.Visibility(s.Visibility), State: action.State(s.State),
			Assurance: action.Assurance(s.Assurance).OrDefault(), Version: s.Version, CarriedFrom: s.CarriedFrom, UpdatedBy: s.UpdatedBy, UpdatedAt: s.UpdatedAt}
		for _, e := range s.Evidence {
			a.Evidence = append(a.Evidence, action.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
		}
		out[i] = action.Version{ActionID: r.ActionID, Version: r.Version, Snapshot: a, ChangedBy: idOf(r.ChangedBy), ChangedAt: r.ChangedAt.UTC()}
	}
	return out, nil
}

// AddReviewEvent stores a workflow step and sets its ID.
func (db *DB) AddReviewEvent(ctx context.Context, e *action.ReviewEvent) error {
	r := reviewEventRow{ActionID: e.ActionID, Version: e.Version, Decision: string(e.Decision), Comment: e.Comment,
		ReviewerID: nullID(e.ReviewerID), CreatedAt: e.At.UTC()}
	if e.Assurance != "" {
		level := string(e.Assurance)
		r.Assurance = &level
	}
	if err := db.conn(ctx).Create(&r).Error; err != nil {
		return translate(err)
	}
	e.ID = r.ID
	return nil
}

type publicChangeRow struct {
	ID        int64 `gorm:"primaryKey"`
	ActionID  int64
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (publicChangeRow) TableName() string { return "public_changes" }

// AddPublicChange records that the public now sees an action differently.
func (db *DB) AddPublicChange(ctx context.Context, actionID int64, at time.Time) error {
	return translate(db.conn(ctx).Create(&publicChangeRow{ActionID: actionID, CreatedAt: at.UTC()}).Error)
}

// ReviewEvents returns the workflow steps of an action, oldest first.
func (db *DB) ReviewEvents(ctx context.Context, actionID int64) ([]action.ReviewEvent, error) {
	var rows []reviewEventRow
	if err := db.conn(ctx).Where("action_id = ?", actionID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return reviewEvents(rows), nil
}

// UnnoticedAcceptances returns up to limit acceptances not yet told in a
// digest, oldest first.
func (db *DB) UnnoticedAcceptances(ctx context.Context, limit int) ([]action.ReviewEvent, error) {
	var rows []reviewEventRow
	if err := db.conn(ctx).Where("decision = ? AND noticed_at IS NULL", string(action.DecisionAccepted)).
		Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	return reviewEvents(rows), nil
}

// MarkNoticed records that acceptances were told in a digest.
func (db *DB) MarkNoticed(ctx context.Context, eventIDs []int64, at time.Time) error {
	for len(eventIDs) > 0 {
		n := min(len(eventIDs), 500) // under every engine's limit of bound parameters
		if err := db.conn(ctx).Model(&reviewEventRow{}).Where("id IN ?", eventIDs[:n]).Update("noticed_at", at.UTC()).Error; err != nil {
			return translate(err)
		}
		eventIDs = eventIDs[n:]
	}
	return nil
}

// MarkAllNoticed counts every acceptance as told: for data written as
// history (the demo), whose people are not to be mailed about it.
func (db *DB) MarkAllNoticed(ctx context.Context, at time.Time) error {
	return translate(db.conn(ctx).Model(&reviewEventRow{}).Where("decision = ? AND noticed_at IS NULL", string(action.DecisionAccepted)).
		Update("noticed_at", at.UTC()).Error)
}
