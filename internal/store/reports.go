package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store/dburl"
)

type reportRow struct {
	ID           int64 `gorm:"primaryKey"`
	CycleID      int64
	Status       string
	Source       string
	Slot         string
	CutoffAt     time.Time
	CompiledAt   time.Time
	CompiledBy   *int64
	Inputs       string // the layout before report_inputs; empty since
	InputsSHA256 string `gorm:"column:inputs_sha256"`
	PublishedAt  *time.Time
	PublishedBy  *int64
	Renderer     string
}

func (reportRow) TableName() string { return "reports" }

type reportArtifactRow struct {
	ReportID  int64  `gorm:"primaryKey"`
	Format    string `gorm:"primaryKey"`
	Lang      string `gorm:"primaryKey"`
	SHA256    string `gorm:"column:sha256"`
	Size      int
	Body      []byte
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (reportArtifactRow) TableName() string { return "report_artifacts" }

// reportListRow is a report row with its cycle's year and without its
// inputs, which can run to megabytes.
type reportListRow struct {
	ID           int64
	Year         int
	Status       string
	Source       string
	CutoffAt     time.Time
	CompiledAt   time.Time
	CompiledBy   *int64
	InputsSHA256 string `gorm:"column:inputs_sha256"`
	PublishedAt  *time.Time
	PublishedBy  *int64
	Renderer     string
	Embargo      string
	ForumDate    time.Time
}

func (r reportListRow) domain() report.Report {
	out := report.Report{ID: r.ID, CycleYear: r.Year, Status: report.Status(r.Status), Source: report.Source(r.Source),
		CutoffAt: r.CutoffAt.UTC(), CompiledAt: r.CompiledAt.UTC(), CompiledBy: idOf(r.CompiledBy),
		InputsSHA256: r.InputsSHA256, PublishedBy: idOf(r.PublishedBy), Renderer: r.Renderer}
	if r.PublishedAt != nil {
		t := r.PublishedAt.UTC()
		out.PublishedAt = &t
	}
	out.PublicFrom = cycle.Cycle{Embargo: cycle.Embargo(r.Embargo), ForumDate: r.ForumDate}.PublicFrom()
	return out
}

const reportColumns = "reports.id, cycles.year, reports.status, reports.source, reports.cutoff_at, reports.compiled_at, " +
	"reports.compiled_by, reports.inputs_sha256, reports.published_at, reports.published_by, reports.renderer, cycles.embargo, cycles.forum_date"

// ReportRecommendations reads the recommendations as a report needs them.
func (db *DB) ReportRecommendations(ctx context.Context) ([]report.Recommendation, error) {
	recs, err := db.Recommendations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]report.Recommendation, len(recs))
	for i, r := range recs {
		out[i] = report.Recommendation{Number: r.Number, Slug: r.Slug, Title: r.Title, Addressees: r.Addressees}
	}
	return out, nil
}

// ReportOrganisations reads every organisation, by id.
func (db *DB) ReportOrganisations(ctx context.Context) ([]report.Organisation, error) {
	var rows []stakeholderRow
	if err := db.conn(ctx).Select("id", "name", "kind", "country", "active", "supporter_since").
		Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]report.Organisation, len(rows))
	for i, r := range rows {
		out[i] = report.Organisation{ID: r.ID, Name: r.Name, Kind: stakeholder.Kind(r.Kind), Country: r.Country,
			Active: r.Active, SupporterSince: date.DayPtr(r.SupporterSince)}
	}
	return out, nil
}

// reportBatch is how many actions EachReportAction reads at a time.
const reportBatch = 1000

// EachReportAction calls fn with each action of a cycle accepted strictly
// before before, with its recommendations and evidence aggregated in the
// query, a batch at a time: a cycle of any size takes the memory of one
// batch, and fn may use the database between batches. With listing,
// actions come by organisation name, title and id, compared byte by byte
// on both engines, with their titles and evidence when public; without, by
// id, and without either.
//
// On PostgreSQL one query computes every row in the table's own order and
// sorts them, and a cursor hands them out a batch at a time: reading the
// actions in listing order one by one would jump about the table, which
// costs many times more once it is larger than the database's cache. On
// SQLite, which reads its file directly, the ids come first, in order,
// then the actions by batches of ids.
//
// The bound is exclusive so that the caller says exactly which instants
// count, whatever precision each engine keeps: PostgreSQL compares
// microseconds; SQLite compares the text the driver writes, which sorts as
// time does because every time is written in UTC in one layout
// ("2006-01-02 15:04:05.999999999-07:00": "+" sorts before the "." of a
// fraction, and a trimmed fraction before a longer one).
func (db *DB) EachReportAction(ctx context.Context, cycleID int64, before time.Time, listing bool, fn func(report.Action) error) error {
	pg := db.engine == dburl.Postgres
	recs := `(SELECT group_concat(recommendation_number) FROM (SELECT recommendation_number FROM action_recommendations
		WHERE action_id = actions.id ORDER BY recommendation_number))`
	evidence := `(SELECT json_group_array(json_array(kind, url, title)) FROM (SELECT kind, url, title FROM evidence
		WHERE action_id = actions.id ORDER BY position))`
	if pg {
		recs = `(SELECT string_agg(recommendation_number::text, ',' ORDER BY recommendation_number) FROM action_recommendations
			WHERE action_id = actions.id)`
		evidence = `(SELECT json_agg(json_build_array(kind, url, title) ORDER BY position)::text FROM evidence
			WHERE action_id = actions.id)`
	}
	exprs := []string{"actions.id", "actions.stakeholder_id", "actions.stage", "actions.measure_type", "actions.scope",
		"actions.visibility", "actions.carried_from IS NOT NULL", "actions.accepted_at", recs}
	if listing {
		exprs = append(exprs, "CASE WHEN actions.visibility = 'public' THEN actions.title ELSE '' END",
			"CASE WHEN actions.visibility = 'public' THEN "+evidence+" END")
	} else {
		// The live figures read no links, only whether there is one.
		exprs = append(exprs, "EXISTS (SELECT 1 FROM evidence WHERE evidence.action_id = actions.id)")
	}
	if pg {
		return db.eachReportActionByCursor(ctx, exprs, cycleID, before, listing, fn)
	}
	return db.eachReportActionByID(ctx, strings.Join(exprs, ", "), cycleID, before, listing, fn)
}

// reportAccepted selects the actions a report counts: those of its cycle
// accepted before its cut-off.
const reportAccepted = "actions.cycle_id = ? AND actions.state = 'accepted' AND actions.accepted_at < ?"

// eachReportActionByCursor is EachReportAction on PostgreSQL: one query of
// the columns exprs, sorted, read through a cursor a batch at a time.
func (db *DB) eachReportActionByCursor(ctx context.Context, exprs []string, cycleID int64, before time.Time, listing bool, fn func(report.Action) error) error {
	// The statement cache keys on the SQL text, so the two shapes of
	// rows come from cursors of two names.
	cursor := "report_actions"
	if listing {
		cursor = "report_actions_listed"
	}
	// Only reads: a public export reads it from a replica.
	return db.readTx(ctx, func(ctx context.Context) error {
		// The rows are computed in the inner query, in the table's
		// order (OFFSET 0 keeps the planner from merging it into the
		// outer one), and only then sorted: computed after the sort,
		// the recommendations and evidence of each row would be looked
		// up in listing order, all over the table.
		named, outer := make([]string, len(exprs)), make([]string, len(exprs))
		for i, e := range exprs {
			named[i], outer[i] = fmt.Sprintf("%s AS c%d", e, i), fmt.Sprintf("listed.c%d", i)
		}
		inner := db.conn(ctx).ToSQL(func(tx *gorm.DB) *gorm.DB {
			return tx.Table("actions").
				Select(strings.Join(named, ", ")+", stakeholders.name AS listing_name, actions.title AS listing_title").
				Joins("JOIN stakeholders ON stakeholders.id = actions.stakeholder_id").
				Where(reportAccepted, cycleID, before.UTC()).Find(&[]actionRow{})
		})
		sort := `listed.listing_name COLLATE "C", listed.listing_title COLLATE "C", listed.c0`
		if !listing {
			sort = "listed.c0"
		}
		query := "SELECT " + strings.Join(outer, ", ") + " FROM (" + inner + " OFFSET 0) listed ORDER BY " + sort
		if err := db.conn(ctx).Exec("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query).Error; err != nil {
			return translate(err)
		}
		for {
			batch, err := db.reportActionsAt(ctx, db.conn(ctx).Raw(fmt.Sprintf("FETCH %d FROM %s", reportBatch, cursor)), listing, before)
			if err != nil {
				return err
			}
			for _, a := range batch {
				if err := fn(a); err != nil {
					return err
				}
			}
			if len(batch) < reportBatch {
				return translate(db.conn(ctx).Exec("CLOSE " + cursor).Error)
			}
		}
	})
}

// eachReportActionByID is EachReportAction on SQLite: the ids first, in
// order, then the columns of the actions by batches of ids.
func (db *DB) eachReportActionByID(ctx context.Context, columns string, cycleID int64, before time.Time, listing bool, fn func(report.Action) error) error {
	q := db.conn(ctx).Table("actions").Where(reportAccepted, cycleID, before.UTC())
	order := "actions.id"
	if listing {
		q = q.Joins("JOIN stakeholders ON stakeholders.id = actions.stakeholder_id")
		order = "stakeholders.name, actions.title, actions.id" // BINARY: byte by byte
	}
	var ids []int64
	if err := q.Order(order).Pluck("actions.id", &ids).Error; err != nil {
		return translate(err)
	}
	for start := 0; start < len(ids); start += reportBatch {
		ids := ids[start:min(start+reportBatch, len(ids))]
		batch, err := db.reportActionsAt(ctx, db.conn(ctx).Table("actions").Select(columns).Where("actions.id IN ?", ids), listing, before)
		if err != nil {
			return err
		}
		byID := make(map[int64]report.Action, len(batch))
		for _, a := range batch {
			byID[a.ID] = a
		}
		for _, id := range ids {
			if a, ok := byID[id]; ok {
				if err := fn(a); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// reportActionsAt reads the batch of actions q selects and, when listing,
// their evidence as the report relies on it at the cut-off before.
func (db *DB) reportActionsAt(ctx context.Context, q *gorm.DB, listing bool, before time.Time) ([]report.Action, error) {
	batch, err := db.reportActions(q, listing)
	if err == nil {
		err = db.assuranceAt(ctx, batch, before)
	}
	if err == nil && listing {
		err = db.evidenceAt(ctx, batch, before)
	}
	return batch, err
}

// assuranceAt sets the level of each action of a batch as it stood at the
// cut-off before: the one the last step before it set (a level given
// after the cut-off is not the report's to count), self-declared when
// none had. One read for the batch.
func (db *DB) assuranceAt(ctx context.Context, batch []report.Action, before time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	ids := make([]int64, len(batch))
	for i, a := range batch {
		ids[i] = a.ID
	}
	var steps []reviewEventRow
	if err := db.conn(ctx).Select("action_id", "assurance").
		Where("action_id IN ? AND assurance IS NOT NULL AND created_at < ?", ids, before.UTC()).
		Order("created_at, id").Find(&steps).Error; err != nil {
		return translate(err)
	}
	level := make(map[int64]action.Assurance, len(steps))
	for _, r := range steps {
		level[r.ActionID] = action.Assurance(*r.Assurance) // the later step wins
	}
	for i := range batch {
		batch[i].Assurance = level[batch[i].ID].OrDefault()
	}
	return nil
}

// evidenceAt adds to the evidence of a batch of actions what the report
// relies on at its cut-off: the hash of the copy archived before it, and
// the state the last check before it found. Two reads for the batch.
func (db *DB) evidenceAt(ctx context.Context, batch []report.Action, before time.Time) error {
	var ids []int64
	for _, a := range batch {
		if len(a.Evidence) > 0 {
			ids = append(ids, a.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	type key struct {
		action int64
		url    string
	}
	var captured []evidenceLinkRow
	if err := db.conn(ctx).Select("action_id", "url", "captured_sha256").
		Where("action_id IN ? AND captured_at < ?", ids, before.UTC()).Find(&captured).Error; err != nil {
		return translate(err)
	}
	var last []evidenceCheckRow
	if err := db.conn(ctx).Raw(`SELECT c.action_id, c.url, c.state FROM evidence_checks c
		WHERE c.action_id IN ? AND c.checked_at < ? AND NOT EXISTS (SELECT 1 FROM evidence_checks d
			WHERE d.action_id = c.action_id AND d.url = c.url AND d.checked_at < ?
			AND (d.checked_at > c.checked_at OR (d.checked_at = c.checked_at AND d.id > c.id)))`,
		ids, before.UTC(), before.UTC()).Scan(&last).Error; err != nil {
		return translate(err)
	}
	sha, state := map[key]string{}, map[key]string{}
	for _, r := range captured {
		if r.CapturedSHA256 != nil {
			sha[key{r.ActionID, r.URL}] = *r.CapturedSHA256
		}
	}
	for _, r := range last {
		state[key{r.ActionID, r.URL}] = r.State
	}
	for i := range batch {
		for j, e := range batch[i].Evidence {
			k := key{batch[i].ID, e.URL}
			batch[i].Evidence[j].SHA256, batch[i].Evidence[j].State = sha[k], state[k]
		}
	}
	return nil
}

// reportActions reads the rows of q, a batch of EachReportAction.
func (db *DB) reportActions(q *gorm.DB, listing bool) ([]report.Action, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []report.Action
	for rows.Next() {
		var (
			a                          report.Action
			stage, measure, scope, vis string
			recList, evJSON            *string
			accepted                   *time.Time
		)
		dest := []any{&a.ID, &a.OrganisationID, &stage, &measure, &scope, &vis, &a.CarriedForward, &accepted, &recList}
		if listing {
			dest = append(dest, &a.Title, &evJSON)
		} else {
			dest = append(dest, &a.Cited)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(err)
		}
		a.Public, a.Stage, a.MeasureType, a.Scope = vis == string(action.Public), action.Stage(stage),
			action.MeasureType(measure), action.Scope(scope)
		if accepted != nil {
			a.AcceptedAt = accepted.UTC()
		}
		a.Recommendations = []int{}
		if recList != nil {
			for _, n := range strings.Split(*recList, ",") {
				k, err := strconv.Atoi(n)
				if err != nil {
					return nil, errs.Wrap(errs.Internal, err, "read the recommendations of action %d", a.ID)
				}
				a.Recommendations = append(a.Recommendations, k)
			}
		}
		if evJSON != nil && *evJSON != "[]" {
			var ev [][3]string
			if err := json.Unmarshal([]byte(*evJSON), &ev); err != nil {
				return nil, errs.Wrap(errs.Internal, err, "read the evidence of action %d", a.ID)
			}
			for _, e := range ev {
				a.Evidence = append(a.Evidence, report.Evidence{Kind: action.EvidenceKind(e[0]), URL: e[1], Title: e[2]})
			}
		}
		out = append(out, a)
	}
	return out, translate(rows.Err())
}

// CreateReport stores a new compilation with its inputs and sets r.ID.
func (db *DB) CreateReport(ctx context.Context, r *report.Report, cycleID int64, slot string) error {
	row := reportRow{CycleID: cycleID, Status: string(r.Status), Source: string(r.Source), Slot: slot,
		CutoffAt: r.CutoffAt, CompiledAt: r.CompiledAt, CompiledBy: nullID(r.CompiledBy), InputsSHA256: r.InputsSHA256}
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return translate(err)
	}
	r.ID = row.ID
	return nil
}

// Report reads one report with the list of its stored documents (without
// their bodies).
func (db *DB) Report(ctx context.Context, id int64) (report.Report, error) {
	var row reportListRow
	err := db.conn(ctx).Table("reports").Select(reportColumns).Joins("JOIN cycles ON cycles.id = reports.cycle_id").
		Where("reports.id = ?", id).Take(&row).Error
	if err != nil {
		if errs.Is(translate(err), errs.NotFound) {
			return report.Report{}, errs.E(errs.NotFound, "no report %d", id)
		}
		return report.Report{}, translate(err)
	}
	r := row.domain()
	var arts []reportArtifactRow
	if err := db.conn(ctx).Select("report_id", "format", "lang", "sha256", "size").Where("report_id = ?", id).
		Find(&arts).Error; err != nil {
		return report.Report{}, translate(err)
	}
	for _, f := range report.Formats { // in the order pages show them
		for _, a := range arts {
			if a.Format == string(f) && a.Lang == "en" {
				r.Artifacts = append(r.Artifacts, report.Artifact{Format: f, Lang: a.Lang, SHA256: a.SHA256, Size: a.Size})
			}
		}
		for _, a := range arts {
			if a.Format == string(f) && a.Lang != "en" {
				r.Artifacts = append(r.Artifacts, report.Artifact{Format: f, Lang: a.Lang, SHA256: a.SHA256, Size: a.Size})
			}
		}
	}
	return r, nil
}

// Reports lists the reports of a cycle (of every cycle when year is 0),
// newest first.
func (db *DB) Reports(ctx context.Context, year int, publishedOnly bool) ([]report.Report, error) {
	q := db.conn(ctx).Table("reports").Select(reportColumns).Joins("JOIN cycles ON cycles.id = reports.cycle_id")
	if year != 0 {
		q = q.Where("cycles.year = ?", year)
	}
	if publishedOnly {
		q = q.Where("reports.status = 'published'")
	}
	var rows []reportListRow
	if err := q.Order("reports.compiled_at DESC, reports.id DESC").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]report.Report, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// reportInputRow is a chunk of a report's stored inputs.
type reportInputRow struct {
	ReportID int64 `gorm:"primaryKey"`
	Seq      int   `gorm:"primaryKey"`
	Chunk    []byte
}

func (reportInputRow) TableName() string { return "report_inputs" }

// AddReportInput stores a chunk of a draft's inputs.
func (db *DB) AddReportInput(ctx context.Context, id int64, seq int, chunk []byte) error {
	return translate(db.conn(ctx).Create(&reportInputRow{ReportID: id, Seq: seq, Chunk: chunk}).Error)
}

// SetReportInputsSHA records the checksum of a draft's inputs, known once
// they are all written.
func (db *DB) SetReportInputsSHA(ctx context.Context, id int64, sha string) error {
	return translate(db.conn(ctx).Model(&reportRow{}).Where("id = ? AND status = 'draft'", id).
		Update("inputs_sha256", sha).Error)
}

// ReportInput reads one chunk of a report's stored inputs.
func (db *DB) ReportInput(ctx context.Context, id int64, seq int) ([]byte, error) {
	var row reportInputRow
	err := db.conn(ctx).Where("report_id = ? AND seq = ?", id, seq).Take(&row).Error
	if errs.Is(translate(err), errs.NotFound) {
		if seq == 0 {
			return nil, errs.E(errs.Conflict, "report %d was compiled by an earlier version of pctracker, whose inputs "+
				"this one does not read: compile the cycle again", id)
		}
		return nil, errs.E(errs.NotFound, "report %d has no input chunk %d", id, seq)
	}
	return row.Chunk, translate(err)
}

// ReportInputChunks counts the chunks of a report's stored inputs.
func (db *DB) ReportInputChunks(ctx context.Context, id int64) (int, error) {
	var n int64
	err := db.conn(ctx).Model(&reportInputRow{}).Where("report_id = ?", id).Count(&n).Error
	return int(n), translate(err)
}

// LockReportDraft locks a draft for publishing, in the transaction of ctx:
// the report's row is locked (on SQLite the transaction already holds the
// only write lock), so a second publisher waits and then finds it
// published. It fails with Conflict when the report is no longer a draft
// or its cycle already has a published report.
func (db *DB) LockReportDraft(ctx context.Context, id int64) error {
	var row reportRow
	if err := db.conn(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id", "cycle_id", "status").
		Where("id = ?", id).Take(&row).Error; err != nil {
		return translate(err)
	}
	if row.Status != string(report.Draft) {
		return errs.E(errs.Conflict, "report %d is already published", id)
	}
	var other reportRow
	err := db.conn(ctx).Select("id").Where("cycle_id = ? AND status = 'published'", row.CycleID).Take(&other).Error
	if err == nil {
		return errs.E(errs.Conflict, "this cycle already has a published report (report %d)", other.ID)
	}
	if !errs.Is(translate(err), errs.NotFound) {
		return translate(err)
	}
	return nil
}

// AddReportArtifact stores a document of a draft; the database refuses
// one for a published report.
func (db *DB) AddReportArtifact(ctx context.Context, id int64, d report.Artifact, at time.Time) error {
	a := reportArtifactRow{ReportID: id, Format: string(d.Format), Lang: d.Lang, SHA256: d.SHA256, Size: d.Size,
		Body: d.Body, CreatedAt: at}
	return translate(db.conn(ctx).Create(&a).Error)
}

// PublishReport marks a draft published.
func (db *DB) PublishReport(ctx context.Context, id, by int64, at time.Time, renderer string) error {
	err := db.conn(ctx).Model(&reportRow{}).Where("id = ? AND status = 'draft'", id).
		Updates(map[string]any{"status": string(report.Published), "published_at": at, "published_by": nullID(by),
			"renderer": renderer}).Error
	if errs.Is(translate(err), errs.Conflict) { // the unique index: another draft of the cycle won the race
		return errs.E(errs.Conflict, "this cycle already has a published report")
	}
	return translate(err)
}

// ReportArtifact reads one stored document with its body.
func (db *DB) ReportArtifact(ctx context.Context, id int64, f report.Format, lang string) (report.Artifact, error) {
	var row reportArtifactRow
	err := db.conn(ctx).Where("report_id = ? AND format = ? AND lang = ?", id, string(f), lang).Take(&row).Error
	if err != nil {
		if errs.Is(translate(err), errs.NotFound) {
			return report.Artifact{}, errs.E(errs.NotFound, "report %d has no stored %s document in %s", id, f, lang)
		}
		return report.Artifact{}, translate(err)
	}
	return report.Artifact{Format: f, Lang: lang, SHA256: row.SHA256, Size: row.Size, Body: row.Body, Stored: true}, nil
}

// PublicState reads what the public answers and figures come from, as the
// public sees them on the day of on: public changes to the actions shown,
// reports published and public, the cycles, and the organisations the
// public sees (active ones, and any whose public actions name it); and,
// apart, the newest acceptance or withdrawal of any action. One query of
// index lookups and small sums, cheap enough to ask often, so that
// replicas need no message to drop their caches.
func (db *DB) PublicState(ctx context.Context, on time.Time) (dashboard.State, error) {
	var st dashboard.State
	day := date.Day(on)
	err := db.conn(ctx).Raw(`SELECT
		(SELECT coalesce(max(id), 0) FROM public_changes) AS shown,
		coalesce((SELECT id FROM review_events WHERE decision IN `+decidedSteps+` ORDER BY id DESC LIMIT 1), 0) AS decided,
		(SELECT count(*) FROM reports WHERE status = 'published' AND cycle_id IN `+publicCycles+`) AS published,
		(SELECT coalesce(sum(version), 0) FROM cycles) AS cycles,
		(SELECT coalesce(sum(version), 0) FROM frameworks) + (SELECT coalesce(sum(version), 0) FROM provisions) AS crosswalk,
		(SELECT coalesce(max(id), 0) FROM crosswalk_imports) AS crosswalk_imports,
		orgs.orgs, orgs.org_ids, orgs.org_count
		FROM (SELECT coalesce(sum(version), 0) AS orgs, coalesce(sum(id), 0) AS org_ids, count(*) AS org_count
			FROM stakeholders WHERE active OR EXISTS (SELECT 1 FROM actions WHERE actions.stakeholder_id = stakeholders.id
				AND `+publicActionCondition+`)) orgs`, day, day).Scan(&st).Error
	return st, translate(err)
}

// decidedSteps are the review steps that change what the public figures
// count: acceptances, withdrawals and assurance levels (the partial index
// review_events_decided_idx lists the same).
const decidedSteps = "('accepted', 'withdrawn', 'assurance', 'verified', 'challenge')"

// CyclesReviewedSince returns the years of the cycles with an acceptance
// or withdrawal after the review event numbered after: a lookup of the
// newest events only.
func (db *DB) CyclesReviewedSince(ctx context.Context, after int64) ([]int, error) {
	var years []int
	err := db.conn(ctx).Raw(`SELECT DISTINCT cycles.year FROM review_events
		JOIN actions ON actions.id = review_events.action_id JOIN cycles ON cycles.id = actions.cycle_id
		WHERE review_events.id > ? AND review_events.decision IN `+decidedSteps+` ORDER BY cycles.year`, after).Scan(&years).Error
	return years, translate(err)
}
