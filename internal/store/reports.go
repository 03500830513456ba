package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
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
	Inputs       string
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
	if cycle.Embargo(r.Embargo) == cycle.UntilForum {
		out.PublicFrom = date.Day(r.ForumDate)
	}
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

// ReportActions reads the actions of a cycle accepted at or before cutoff,
// by id, with their recommendations, and the evidence of the public ones.
// Three queries, whatever the count; secretariat-only actions come without
// title or evidence.
func (db *DB) ReportActions(ctx context.Context, cycleID int64, cutoff time.Time) ([]report.Action, error) {
	const accepted = "actions.cycle_id = ? AND actions.state = 'accepted' AND actions.accepted_at <= ?"
	var rows []actionRow
	if err := db.conn(ctx).Select("id", "stakeholder_id", "title", "stage", "measure_type", "scope", "visibility",
		"carried_from", "accepted_at").Where(accepted, cycleID, cutoff.UTC()).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	var recs []actionRecommendationRow
	if err := db.conn(ctx).Table("action_recommendations").Select("action_recommendations.*").
		Joins("JOIN actions ON actions.id = action_recommendations.action_id").Where(accepted, cycleID, cutoff.UTC()).
		Order("action_recommendations.action_id, action_recommendations.recommendation_number").Find(&recs).Error; err != nil {
		return nil, translate(err)
	}
	var evidence []evidenceRow
	if err := db.conn(ctx).Table("evidence").Select("evidence.*").Joins("JOIN actions ON actions.id = evidence.action_id").
		Where(accepted+" AND actions.visibility = 'public'", cycleID, cutoff.UTC()).
		Order("evidence.action_id, evidence.position").Find(&evidence).Error; err != nil {
		return nil, translate(err)
	}
	byID := make(map[int64]int, len(rows))
	out := make([]report.Action, len(rows))
	for i, r := range rows {
		public := r.Visibility == string(action.Public)
		a := report.Action{ID: r.ID, OrganisationID: r.StakeholderID, Public: public, Stage: action.Stage(r.Stage),
			MeasureType: action.MeasureType(r.MeasureType), Scope: action.Scope(r.Scope), CarriedForward: r.CarriedFrom != nil,
			Recommendations: []int{}}
		if r.AcceptedAt != nil {
			a.AcceptedAt = r.AcceptedAt.UTC()
		}
		if public {
			a.Title = r.Title
		}
		out[i], byID[r.ID] = a, i
	}
	for _, r := range recs {
		if i, ok := byID[r.ActionID]; ok {
			out[i].Recommendations = append(out[i].Recommendations, r.RecommendationNumber)
		}
	}
	for _, e := range evidence {
		if i, ok := byID[e.ActionID]; ok {
			out[i].Evidence = append(out[i].Evidence, report.Evidence{Kind: action.EvidenceKind(e.Kind), URL: e.URL, Title: e.Title})
		}
	}
	return out, nil
}

// CreateReport stores a new compilation with its inputs and sets r.ID.
func (db *DB) CreateReport(ctx context.Context, r *report.Report, cycleID int64, slot string, inputs []byte) error {
	row := reportRow{CycleID: cycleID, Status: string(r.Status), Source: string(r.Source), Slot: slot,
		CutoffAt: r.CutoffAt, CompiledAt: r.CompiledAt, CompiledBy: nullID(r.CompiledBy), Inputs: string(inputs),
		InputsSHA256: r.InputsSHA256}
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

// ReportInputs reads the stored inputs of a report.
func (db *DB) ReportInputs(ctx context.Context, id int64) ([]byte, error) {
	var row reportRow
	if err := db.conn(ctx).Select("inputs").Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err)
	}
	return []byte(row.Inputs), nil
}

// PublishReport stores the documents of a draft and marks it published, in
// one transaction. The report's row is locked first (on SQLite the
// transaction already holds the only write lock), so a second publisher
// waits and then finds it published; the documents go in while it is still
// a draft, since the database refuses to add any to a published report.
func (db *DB) PublishReport(ctx context.Context, id, by int64, at time.Time, renderer string, docs []report.Artifact) error {
	return db.WithTx(ctx, func(ctx context.Context) error {
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
		for _, d := range docs {
			a := reportArtifactRow{ReportID: id, Format: string(d.Format), Lang: d.Lang, SHA256: d.SHA256, Size: d.Size,
				Body: d.Body, CreatedAt: at}
			if err := db.conn(ctx).Create(&a).Error; err != nil {
				return translate(err)
			}
		}
		err = db.conn(ctx).Model(&reportRow{}).Where("id = ? AND status = 'draft'", id).
			Updates(map[string]any{"status": string(report.Published), "published_at": at, "published_by": nullID(by),
				"renderer": renderer}).Error
		if errs.Is(translate(err), errs.Conflict) { // the unique index: another draft of the cycle won the race
			return errs.E(errs.Conflict, "this cycle already has a published report")
		}
		return translate(err)
	})
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

// PublicVersion names the state of everything the public figures are
// computed from: it changes when an action is reviewed (accepted, returned,
// reopened), a report is published, or a cycle or an organisation changes.
// One query of index lookups and small sums: cheap enough to ask on every
// public request, so that replicas need no message to drop their caches.
func (db *DB) PublicVersion(ctx context.Context) (string, error) {
	var v struct {
		Events, Published, Cycles, Orgs, OrgCount string
	}
	err := db.conn(ctx).Raw(`SELECT
		(SELECT coalesce(max(id), 0) FROM review_events) AS events,
		(SELECT count(*) FROM reports WHERE status = 'published') AS published,
		(SELECT coalesce(sum(version), 0) FROM cycles) AS cycles,
		(SELECT coalesce(sum(version), 0) FROM stakeholders) AS orgs,
		(SELECT count(*) FROM stakeholders) AS org_count`).Scan(&v).Error
	if err != nil {
		return "", translate(err)
	}
	return strings.Join([]string{v.Events, v.Published, v.Cycles, v.Orgs, v.OrgCount}, "."), nil
}
