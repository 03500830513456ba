package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/web"
)

// recJSON is a recommendation of the JSON report, as the tests read it.
type recJSON struct {
	Number  int
	Acting  int `json:"organisations_acting"`
	ByStage []struct {
		Code  string
		Count int
	} `json:"organisations_by_stage"`
	Coverage struct {
		Addressees, Reporting int
		Percent               float64
	}
	Previous *struct {
		Acting int `json:"organisations_acting"`
	}
}

func newRenderer(t testing.TB) *document.Renderer {
	t.Helper()
	cat, err := locale.Load(web.I18n())
	if err != nil {
		t.Fatal(err)
	}
	r, err := document.NewRenderer(web.Templates(), cat, nil, "report.chromium")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// accepted creates an action of st in c, submits and accepts it.
func accepted(t *testing.T, s *testutil.Services, st stakeholder.Stakeholder, c cycle.Cycle, change func(*action.Input)) action.Action {
	t.Helper()
	in := testutil.ActionInput()
	if change != nil {
		change(&in)
	}
	ctx := context.Background()
	a, err := s.Actions.Create(ctx, testutil.System, st.ID, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if a, err = s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
		t.Fatal(err)
	}
	if a, err = s.Actions.Review(ctx, testutil.System, a.ID, a.Version, action.Review{Accept: true}); err != nil {
		t.Fatal(err)
	}
	return a
}

// The figures of a small, hand-counted cycle: two states, a company and
// an NGO; a draft, a secretariat-only action and an action accepted after
// the cut-off; a previous cycle to compare with.
func TestCompileFigures(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		s.Clock.Set(time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC))
		prev := s.Cycle(t, 2025)
		s.Clock.Set(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
		cur := s.Cycle(t, 2026)
		stateA, stateB := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		company, ngo := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.CivilSociety)

		s.Clock.Set(time.Date(2025, 8, 1, 9, 0, 0, 0, time.UTC))
		old := accepted(t, s, stateA, prev, func(in *action.Input) { in.Recommendations = []int{1} })
		s.Clock.Set(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
		// State A: rec 1 planned, then rec 1 and 2 implemented (carried forward).
		accepted(t, s, stateA, cur, func(in *action.Input) { in.Recommendations = []int{1}; in.Stage = action.Planned })
		cont, err := s.Actions.CreateContinuation(ctx, testutil.System, stateA.ID, cur.ID, old.ID, func() action.Input {
			in := testutil.ActionInput()
			in.Recommendations, in.Stage, in.Title = []int{1, 2}, action.Implemented, "=HYPERLINK(\"x\") | *bold*"
			return in
		}())
		if err != nil {
			t.Fatal(err)
		}
		cont, _ = s.Actions.Move(ctx, testutil.System, cont.ID, cont.Version, action.Submitted, "")
		if _, err := s.Actions.Review(ctx, testutil.System, cont.ID, cont.Version, action.Review{Accept: true}); err != nil {
			t.Fatal(err)
		}
		// The company: rec 4, kept for the secretariat.
		accepted(t, s, company, cur, func(in *action.Input) { in.Recommendations = []int{4}; in.Visibility = action.SecretariatOnly })
		// The NGO: a draft only.
		s.Action(t, ngo, cur)
		cutoff := s.Clock.Now()
		s.Clock.Add(time.Hour)
		accepted(t, s, stateB, cur, nil) // after the cut-off: not counted

		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		var buf []byte
		_, doc, err := svc.Document(ctx, testutil.System, r.ID, report.JSON, "en")
		if err != nil {
			t.Fatal(err)
		}
		buf = doc.Body
		var got struct {
			Headline struct {
				Supporters, Reporting int
				Actions               int `json:"actions"`
				Withheld              int `json:"withheld_actions"`
				New                   int `json:"new"`
				Carried               int `json:"carried_forward"`
				Previous              struct {
					Cycle, Actions  int
					ReportingChange int `json:"organisations_reporting_change"`
				}
			}
			Recommendations []recJSON
			Gaps            []struct{ Recommendation int }
			Actions         []struct {
				Title           string
				Recommendations []int
			}
		}
		if err := json.Unmarshal(buf, &got); err != nil {
			t.Fatal(err)
		}
		on := func(n int) int { // the listed actions on recommendation n
			k := 0
			for _, a := range got.Actions {
				if slices.Contains(a.Recommendations, n) {
					k++
				}
			}
			return k
		}
		h := got.Headline
		// Supporters: 4 (all active, no supporter_since). Public actions: 2,
		// both state A's (one new, one carried forward); the company's, kept
		// for the secretariat, is withheld: not counted anywhere.
		if h.Supporters != 4 || h.Actions != 2 || h.Withheld != 1 || h.New != 1 || h.Carried != 1 {
			t.Errorf("headline: %+v", h)
		}
		if h.Previous.Cycle != 2025 || h.Previous.Actions != 1 || h.Previous.ReportingChange != 0 {
			t.Errorf("previous: %+v", h.Previous)
		}
		rec := func(n int) recJSON { return got.Recommendations[n-1] }
		// Rec 1 (states): state A acts, at its furthest stage (implemented);
		// coverage 1 of 2 states.
		if r1 := rec(1); r1.Acting != 1 || r1.Coverage.Addressees != 2 || r1.Coverage.Reporting != 1 || r1.Coverage.Percent != 50 ||
			r1.ByStage[3].Code != "implemented" || r1.ByStage[3].Count != 1 || r1.ByStage[0].Count != 0 || on(1) != 2 ||
			r1.Previous == nil || r1.Previous.Acting != 1 {
			t.Errorf("rec 1: %+v", r1)
		}
		// Rec 4 (states and companies): the company's secretariat-only
		// action is neither counted nor listed. 0 of 3.
		if r4 := rec(4); r4.Acting != 0 || r4.Coverage.Addressees != 3 || r4.Coverage.Percent != 0 || on(4) != 0 {
			t.Errorf("rec 4: %+v", r4)
		}
		if len(got.Gaps) != report.GapCount || got.Gaps[0].Recommendation != 3 {
			t.Errorf("gaps: %+v", got.Gaps) // rec 3 (states and companies) has nobody: 0 %, the lowest number first
		}
		if len(got.Actions) != 2 {
			t.Errorf("listed actions: %+v", got.Actions)
		}

		// The audit log has the compilation.
		if entries, _, err := db.AuditEntries(ctx, audit.Filter{Verb: "report.compile"}); err != nil || len(entries) != 1 {
			t.Errorf("audit: %v %v", entries, err)
		}

		// Once 2025 has a published report, the change is measured against
		// it: an action of 2025 accepted later does not move last year's
		// figures.
		s.Clock.Set(time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC))
		r25, err := svc.Compile(ctx, testutil.System, 2025, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, testutil.System, r25.ID); err != nil {
			t.Fatal(err)
		}
		// Accepted after the report was published but before the Forum: the
		// cycle's own actions would count it; its published report does not.
		s.Clock.Set(time.Date(2025, 11, 5, 9, 0, 0, 0, time.UTC))
		accepted(t, s, stateB, prev, nil)
		s.Clock.Set(time.Date(2026, 8, 2, 9, 0, 0, 0, time.UTC))
		r, err = svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		_, doc, _ = svc.Document(ctx, testutil.System, r.ID, report.JSON, "en")
		var again struct {
			Headline struct {
				Previous struct{ Actions, Reporting int } `json:"previous"`
			}
		}
		_ = json.Unmarshal(doc.Body, &again)
		if p := again.Headline.Previous; p.Actions != 1 {
			t.Errorf("previous cycle from its published report: %+v", p)
		}
	})
}

// A report compiled at once after an acceptance, within the same second,
// counts the action: the cut-off is shown to the second, but it includes
// everything accepted before the request, whatever fraction of a second
// each engine keeps. The live figures of the dashboard count it too.
func TestCompileRightAfterAcceptance(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c := s.Cycle(t, 2026)
		s.Clock.Set(time.Date(2026, 9, 15, 12, 0, 0, 250_000_000, time.UTC))
		accepted(t, s, s.Stakeholder(t, stakeholder.State), c, nil)
		s.Clock.Add(300 * time.Millisecond) // the compile request, in the same second

		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Actions != 1 || f.ReportingTotal != 1 {
			t.Errorf("report cut off at %s: %d actions, %d organisations reporting; want the action accepted at 12:00:00.25",
				r.CutoffAt.Format(time.RFC3339Nano), f.Actions, f.ReportingTotal)
		}
		_, doc, err := svc.Document(ctx, testutil.System, r.ID, report.CSV, "en")
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(strings.TrimSpace(string(doc.Body)), "\n"); lines != 1 {
			t.Errorf("the CSV lists %d actions, want 1:\n%s", lines, doc.Body)
		}
		if live, err := svc.Live(ctx, 2026, nil); err != nil || live.Actions != 1 {
			t.Errorf("live figures: %d actions, %v", live.Actions, err)
		}

		// The bounds of the second: its last nanosecond counts (stored as
		// text to the nanosecond on SQLite, to the microsecond on
		// PostgreSQL), the next second does not.
		s.Clock.Set(time.Date(2026, 9, 15, 12, 0, 0, 999_999_999, time.UTC))
		accepted(t, s, s.Stakeholder(t, stakeholder.State), c, nil)
		s.Clock.Set(time.Date(2026, 9, 15, 12, 0, 1, 0, time.UTC))
		accepted(t, s, s.Stakeholder(t, stakeholder.State), c, nil)
		s.Clock.Add(time.Hour)
		r, err = svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: time.Date(2026, 9, 15, 12, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if f, err := svc.Figures(ctx, testutil.System, r.ID); err != nil || f.Actions != 2 {
			t.Errorf("cut off at 12:00:00: %d actions, want 2 (at .25 and .999999999, not at 12:00:01); %v", f.Actions, err)
		}
	})
}

// A draft of a past cycle, compiled weeks after its Forum, is cut off at
// the end of the Forum day unless the secretariat chooses otherwise; a
// running cycle's is cut off now. A chosen day counts to its end (today's,
// to now); a cut-off in the future is refused.
func TestCompileCutoff(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		s.Clock.Set(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))
		past := s.Cycle(t, 2025) // Forum on 11 November 2025
		at := func(ts string) {
			t.Helper()
			tm, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				t.Fatal(err)
			}
			s.Clock.Set(tm)
			accepted(t, s, s.Stakeholder(t, stakeholder.State), past, nil)
		}
		at("2025-11-05T10:00:00Z")
		at("2025-11-11T23:59:59.5Z") // in the last second of the Forum day
		at("2025-11-20T10:00:00Z")   // after the Forum
		s.Clock.Set(time.Date(2025, 12, 3, 15, 30, 0, 0, time.UTC))
		s.Cycle(t, 2026) // running: its Forum is ahead

		compile := func(year int, opt report.CompileOptions) (report.Report, int, error) {
			t.Helper()
			r, err := svc.Compile(ctx, testutil.System, year, opt)
			if err != nil {
				return r, 0, err
			}
			f, err := svc.Figures(ctx, testutil.System, r.ID)
			return r, f.Actions, err
		}
		set := func(v string) report.CompileOptions {
			t.Helper()
			var o report.CompileOptions
			if err := o.SetCutoff(v); err != nil {
				t.Fatalf("SetCutoff(%q): %v", v, err)
			}
			return o
		}
		for _, c := range []struct {
			name    string
			year    int
			opt     report.CompileOptions
			cutoff  string
			actions int
		}{
			{"past cycle, default", 2025, report.CompileOptions{}, "2025-11-11T23:59:59Z", 2},
			{"past cycle, a day", 2025, set("2025-11-08"), "2025-11-08T23:59:59Z", 1},
			{"past cycle, a time", 2025, set("2025-11-25T08:00:00+01:00"), "2025-11-25T07:00:00Z", 3},
			{"past cycle, today", 2025, set("2025-12-03"), "2025-12-03T15:30:00Z", 3},
			{"running cycle, default", 2026, report.CompileOptions{}, "2025-12-03T15:30:00Z", 0},
		} {
			r, n, err := compile(c.year, c.opt)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if got := r.CutoffAt.Format(time.RFC3339); got != c.cutoff || n != c.actions {
				t.Errorf("%s: cut off at %s with %d actions, want %s with %d", c.name, got, n, c.cutoff, c.actions)
			}
			if stored, err := svc.Get(ctx, testutil.System, r.ID); err != nil || !stored.CutoffAt.Equal(r.CutoffAt) {
				t.Errorf("%s: stored cut-off %v, %v", c.name, stored.CutoffAt, err)
			}
		}
		for _, v := range []string{"2025-12-04", "2025-12-03T15:30:01Z"} {
			if _, _, err := compile(2025, set(v)); !errs.Is(err, errs.Invalid) || !strings.Contains(errs.FieldsOf(err)["cutoff_at"], "future") {
				t.Errorf("a cut-off in the future (%s): %v", v, err)
			}
		}
		var o report.CompileOptions
		if err := o.SetCutoff("11/11/2025"); errs.FieldsOf(err)["cutoff_at"] == "" {
			t.Errorf("an unreadable cut-off: %v", err)
		}
	})
}

// Every format renders in both languages; the JSON matches its schema, the
// CSV escapes formulas, and a published report compiles again to the same
// bytes.
func TestRenderAndPublish(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c := s.Cycle(t, 2026)
		st := s.Stakeholder(t, stakeholder.State)
		accepted(t, s, st, c, func(in *action.Input) { in.Title = "=cmd|' /C calc'!A0 — élan" })
		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		schema := compileSchema(t)
		for _, lang := range []string{"en", "fr"} {
			for _, f := range report.Formats {
				_, doc, err := svc.Document(ctx, testutil.System, r.ID, f, lang)
				if f == report.PDF {
					if !errs.Is(err, errs.Unavailable) || !strings.Contains(errs.MessageOf(err), "report.chromium") {
						t.Errorf("PDF without Chromium: %v", err)
					}
					continue
				}
				if err != nil || len(doc.Body) == 0 {
					t.Fatalf("%s %s: %v (%v)", f, lang, err, errors.Unwrap(err))
				}
				switch f {
				case report.JSON:
					v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc.Body))
					if err != nil {
						t.Fatal(err)
					}
					if err := schema.Validate(v); err != nil {
						t.Errorf("JSON %s against its schema: %v", lang, err)
					}
				case report.CSV:
					rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.Body, []byte("\ufeff")))).ReadAll()
					if err != nil || len(rows) != 2 {
						t.Fatalf("CSV: %v %v", rows, err)
					}
					if title := rows[1][6]; !strings.HasPrefix(title, "'=") {
						t.Errorf("CSV formula not escaped: %q", title)
					}
				case report.XLSX:
					x, err := excelize.OpenReader(bytes.NewReader(doc.Body))
					if err != nil {
						t.Fatal(err)
					}
					sheets := x.GetSheetList()
					rows, _ := x.GetRows(sheets[1])
					// Figures, actions, and the actions' provisions (the
					// report has a crosswalk, empty here).
					if len(sheets) != 3 || len(rows) != 2 || !strings.HasPrefix(rows[1][6], "'=") {
						t.Errorf("XLSX: sheets %v, rows %v", sheets, rows)
					}
				case report.HTML:
					if lang == "fr" && !strings.Contains(string(doc.Body), "Rapport d'étape") && !strings.Contains(string(doc.Body), "Rapport d&#39;étape") {
						t.Errorf("French HTML title missing")
					}
					if !strings.Contains(string(doc.Body), "<svg") {
						t.Errorf("HTML has no chart")
					}
				}
			}
		}
		// Drafts are the secretariat's: a supporter does not find one.
		supporter := user.Actor{UserID: 99, Role: user.Supporter, StakeholderID: st.ID, OrgRole: user.FocalPoint}
		if _, err := svc.Get(ctx, supporter, r.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("supporter reads a draft: %v", err)
		}
		if _, err := svc.Publish(ctx, supporter, r.ID); !errs.Is(err, errs.Forbidden) {
			t.Errorf("supporter publishes: %v", err)
		}

		pub, err := svc.Publish(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pub.Status != report.Published || len(pub.Artifacts) != 10 { // 5 formats x 2 languages, no PDF here
			t.Fatalf("published: %+v", pub)
		}
		for _, a := range pub.Artifacts {
			if len(a.SHA256) != 64 || a.Size == 0 {
				t.Errorf("artifact %+v", a)
			}
		}
		if _, err := svc.Get(ctx, supporter, r.ID); err != nil {
			t.Errorf("a published report is public: %v", err)
		}
		// Recompiling the frozen snapshot gives the same bytes, even after
		// the data changed.
		accepted(t, s, s.Stakeholder(t, stakeholder.Company), c, nil)
		if differ, err := svc.Verify(ctx, r.ID); err != nil || len(differ) != 0 {
			t.Errorf("recompiled documents differ: %v %v", differ, err)
		}
		// Once per cycle, and never twice.
		if _, err := svc.Publish(ctx, testutil.System, r.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("publish twice: %v", err)
		}
		r2, _ := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if _, err := svc.Publish(ctx, testutil.System, r2.ID); !errs.Is(err, errs.Conflict) {
			t.Errorf("a second final report: %v", err)
		}
		if _, doc, err := svc.Document(ctx, testutil.System, r2.ID, report.CSV, "en"); err != nil || !strings.Contains(string(doc.Body), "Organisation") {
			t.Errorf("the newer draft still renders: %v", err)
		}
		// The database itself refuses to change a published report.
		for _, q := range []string{"DELETE FROM report_artifacts WHERE report_id = $1", "UPDATE report_artifacts SET body = 'x' WHERE report_id = $1",
			"UPDATE reports SET inputs = '{}' WHERE id = $1", "DELETE FROM reports WHERE id = $1",
			"INSERT INTO report_artifacts (report_id, format, lang, sha256, size, body, created_at) VALUES ($1, 'txt', 'en', 'x', 1, 'x', '2026-01-01')",
			"UPDATE report_inputs SET chunk = 'x' WHERE report_id = $1", "DELETE FROM report_inputs WHERE report_id = $1",
			"INSERT INTO report_inputs (report_id, seq, chunk) VALUES ($1, 99, 'x')"} {
			if _, err := db.SQL().Exec(q, r.ID); err == nil {
				t.Errorf("%s: a published report changed", q)
			}
		}
	})
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(document.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A cycle whose actions are embargoed until the Forum keeps its published
// report from the public until the Forum day.
func TestEmbargoedReport(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: day("2026-06-01"), Deadline: day("2026-08-01"),
			ForumDate: day("2026-11-11"), Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}
		accepted(t, s, s.Stakeholder(t, stakeholder.State), c, nil)
		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, testutil.System, r.ID); err != nil {
			t.Fatal(err)
		}
		public := user.Actor{}
		if _, err := svc.Get(ctx, public, r.ID); !errs.Is(err, errs.NotFound) {
			t.Errorf("before the Forum: %v", err)
		}
		if list, _ := svc.List(ctx, public, 0); len(list) != 0 {
			t.Errorf("listed before the Forum: %d", len(list))
		}
		if _, err := svc.Get(ctx, testutil.System, r.ID); err != nil {
			t.Errorf("the secretariat reads it before the Forum: %v", err)
		}
		s.Clock.Set(time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))
		if _, err := svc.Get(ctx, public, r.ID); err != nil {
			t.Errorf("on the Forum day: %v", err)
		}
		if list, _ := svc.List(ctx, public, 2026); len(list) != 1 {
			t.Errorf("listed on the Forum day: %d", len(list))
		}
	})
}

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

// The scheduler compiles a cycle's draft from its report date up to its
// Forum, and no other day.
func TestCompileDue(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c := s.Cycle(t, 2026)
		day := 24 * time.Hour
		for _, tc := range []struct {
			name string
			day  time.Time
			want []int
		}{
			{"the day before the report date", c.ReportAt.Add(-day), nil},
			{"the report date", c.ReportAt, []int{2026}},
			{"the Forum", c.ForumDate.Add(9 * time.Hour), []int{2026}},
			{"the day after the Forum", c.ForumDate.Add(day), nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				years, err := svc.CompileDue(ctx, tc.day, tc.day.Format(time.RFC3339))
				if err != nil || !slices.Equal(years, tc.want) {
					t.Errorf("%v, %v; want %v", years, err, tc.want)
				}
			})
		}
		list, err := svc.List(ctx, testutil.System, 2026)
		if err != nil || len(list) != 2 || list[0].Source != report.Scheduled {
			t.Errorf("scheduled drafts: %+v, %v", list, err)
		}
	})
}
