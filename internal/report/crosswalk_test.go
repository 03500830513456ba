package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// annexJSON is the annex of the JSON report, as the tests read it.
type annexJSON struct {
	Crosswalk *struct {
		Frameworks []struct {
			Key                    string
			Title                  string
			FRUnofficial           bool `json:"fr_unofficial"`
			Actions, Organisations int
			Gaps                   []string
			Provisions             []struct {
				Key                    string
				Recommendations        []int
				Confidence             string
				Actions, Organisations int
			}
		}
		Unmatched []struct{ Recommendation int } `json:"unmatched_recommendations"`
		Links     int
	}
	Actions []struct {
		ID         int64
		Provisions *[]struct{ Framework, Provision, Kind string }
	}
}

// The annex per framework counts, per provision, the public actions of
// the report and their organisations, as counted here by hand from the
// initial crosswalk: a draft, a secretariat-only action and one accepted
// after the cut-off count nowhere; a derived provision taken away does
// not count, a declared one does. Every format carries it, and the CSV,
// JSON and XLSX the links themselves.
func TestCrosswalkAnnex(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		all := s.Crosswalk(t)
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c := s.Cycle(t, 2026)
		stateA, stateB := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.State)
		company, ngo := s.Stakeholder(t, stakeholder.Company), s.Stakeholder(t, stakeholder.CivilSociety)
		recs := func(ns ...int) func(*action.Input) { return func(in *action.Input) { in.Recommendations = ns } }

		a1 := accepted(t, s, stateA, c, recs(2))
		a2 := accepted(t, s, stateB, c, recs(2, 4))
		a3 := accepted(t, s, company, c, recs(11))
		a7 := accepted(t, s, stateA, c, recs(2)) // state A's second: one more action, not one more organisation
		hidden := accepted(t, s, company, c, func(in *action.Input) { in.Recommendations = []int{4}; in.Visibility = action.SecretariatOnly })
		draft, err := s.Actions.Create(ctx, testutil.System, ngo.ID, c.ID, func() action.Input {
			in := testutil.ActionInput()
			in.Recommendations = []int{12}
			return in
		}())
		if err != nil {
			t.Fatal(err)
		}
		// State B takes commitment 5 away (derived through recommendation
		// 2) and declares commitment 4 (which evidences no recommendation).
		if err := s.Frameworks.Remove(ctx, testutil.System, a2.ID, "joint-statement-spyware", "commitment-5", "not what our law does"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Frameworks.Add(ctx, testutil.System, a2.ID, "joint-statement-spyware", "commitment-4"); err != nil {
			t.Fatal(err)
		}
		cutoff := s.Clock.Now()
		s.Clock.Add(time.Hour)
		late := accepted(t, s, stateB, c, recs(1)) // after the cut-off

		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Crosswalk == nil || len(f.Crosswalk.Frameworks) != 7 {
			t.Fatalf("annex: %+v", f.Crosswalk)
		}

		// By hand, on the Joint Statement: A1, A7 (state A) and A2 (state B)
		// act on recommendation 2, A2 on 4 too, A3 (the company) on 11.
		type count struct{ actions, orgs int }
		want := map[string]count{
			"preamble":     {3, 2}, // 1, 2: A1, A2, A7
			"commitment-1": {1, 1}, // 1, 4: A2
			"commitment-2": {3, 2}, // 2: A1, A2, A7
			"commitment-3": {1, 1}, // 11, 12: A3 (the NGO's draft on 12 does not count)
			"commitment-4": {1, 1}, // none: A2 declared it
			"commitment-5": {2, 1}, // 2, 5: A1, A7 (A2 took it away)
		}
		js := annexOf(t, f, "joint-statement-spyware")
		for _, p := range js.Provisions {
			if w := want[p.Key]; p.Actions != w.actions || p.Organisations != w.orgs {
				t.Errorf("Joint Statement %s: %d actions of %d organisations, want %d of %d", p.Key, p.Actions, p.Organisations, w.actions, w.orgs)
			}
		}
		if js.Actions != 4 || js.Organisations != 3 || len(js.Gaps()) != 0 {
			t.Errorf("Joint Statement: %d actions of %d organisations, gaps %v; want 4 of 3, none", js.Actions, js.Organisations, js.Gaps())
		}
		pm := annexOf(t, f, "pall-mall-states")
		var gaps []string
		for _, p := range pm.Gaps() {
			gaps = append(gaps, p.Key)
		}
		if !slices.Equal(gaps, []string{"1", "2.a", "pillar:precision", "pillar:transparency"}) || pm.Actions != 3 || pm.Organisations != 2 {
			t.Errorf("Pall Mall: gaps %v, %d actions of %d organisations; want 4 gaps, 3 of 2", gaps, pm.Actions, pm.Organisations)
		}
		if len(f.Crosswalk.Unmatched) != 1 || f.Crosswalk.Unmatched[0].Number != 8 {
			t.Errorf("unmatched: %+v, want recommendation 8", f.Crosswalk.Unmatched)
		}

		// Every provision of every framework, counted by hand from the
		// public actions' recommendations and what was said of them.
		type public struct {
			id, org  int64
			recs     []int
			removed  string // framework/provision taken away
			declared string
		}
		counted := []public{{a1.ID, stateA.ID, []int{2}, "", ""}, {a2.ID, stateB.ID, []int{2, 4}, "joint-statement-spyware/commitment-5",
			"joint-statement-spyware/commitment-4"}, {a3.ID, company.ID, []int{11}, "", ""}, {a7.ID, stateA.ID, []int{2}, "", ""}}
		links := 0
		for _, fw := range all {
			got := annexOf(t, f, fw.Key)
			for i, p := range fw.Provisions {
				n, orgs := 0, map[int64]bool{}
				for _, a := range counted {
					at := fw.Key + "/" + p.Key
					if (p.Derives(a.recs) && a.removed != at) || a.declared == at {
						n++
						orgs[a.org] = true
					}
				}
				links += n
				if g := got.Provisions[i]; g.Key != p.Key || g.Actions != n || g.Organisations != len(orgs) ||
					!slices.Equal(g.Recommendations, p.Recommendations) || g.Confidence != p.Confidence {
					t.Errorf("%s %s: %+v, want %d actions of %d organisations", fw.Key, p.Key, g, n, len(orgs))
				}
			}
		}
		if f.Crosswalk.Links != links {
			t.Errorf("%d links, want %d", f.Crosswalk.Links, links)
		}
		never := []int64{hidden.ID, draft.ID, late.ID}

		// The stored inputs hold the secretariat-only action as a count
		// only: no title, no provisions.
		head, err := db.ReportInput(ctx, r.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		chunks, _ := db.ReportInputChunks(ctx, r.ID)
		stored, err := report.Unpack(head, func(fn func([]byte) error) error {
			for seq := 1; seq < chunks; seq++ {
				chunk, err := db.ReportInput(ctx, r.ID, seq)
				if err == nil {
					err = fn(chunk)
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || stored.Crosswalk == nil || len(stored.Crosswalk.Frameworks) != 7 {
			t.Fatalf("stored inputs: %v", err)
		}
		if err := stored.Actions(func(a report.Action) error {
			if !a.Public && (len(a.Provisions) > 0 || a.Title != "") {
				t.Errorf("the stored inputs say more than a count of action %d: %+v", a.ID, a)
			}
			if a.Public && len(a.Provisions) == 0 {
				t.Errorf("stored public action %d without its provisions", a.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}

		// The JSON: the same figures, and each public action's links.
		for _, lang := range []string{"en", "fr"} {
			_, doc, err := svc.Document(ctx, testutil.System, r.ID, report.JSON, lang)
			if err != nil {
				t.Fatal(err)
			}
			var got annexJSON
			if err := json.Unmarshal(doc.Body, &got); err != nil {
				t.Fatal(err)
			}
			if got.Crosswalk == nil || len(got.Crosswalk.Frameworks) != 7 || got.Crosswalk.Links != links ||
				len(got.Crosswalk.Unmatched) != 1 || got.Crosswalk.Unmatched[0].Recommendation != 8 {
				t.Fatalf("JSON %s crosswalk: %+v", lang, got.Crosswalk)
			}
			for _, fw := range got.Crosswalk.Frameworks {
				want := annexOf(t, f, fw.Key)
				if fw.Actions != want.Actions || fw.Organisations != want.Organisations || len(fw.Gaps) != len(want.Gaps()) {
					t.Errorf("JSON %s %s: %+v", lang, fw.Key, fw)
				}
				for i, p := range fw.Provisions {
					if p.Actions != want.Provisions[i].Actions || p.Organisations != want.Provisions[i].Organisations {
						t.Errorf("JSON %s %s %s: %+v", lang, fw.Key, p.Key, p)
					}
				}
			}
			if js := got.Crosswalk.Frameworks[1]; lang == "fr" && (!js.FRUnofficial || js.Title == "") {
				t.Errorf("JSON fr: %+v", js)
			}
			n := 0
			for _, a := range got.Actions {
				if slices.Contains(never, a.ID) {
					t.Errorf("JSON %s lists action %d", lang, a.ID)
				}
				if a.Provisions == nil {
					t.Fatalf("JSON %s: action %d without its provisions", lang, a.ID)
				}
				n += len(*a.Provisions)
				if a.ID == a2.ID {
					kinds := map[string]string{}
					for _, l := range *a.Provisions {
						kinds[l.Framework+"/"+l.Provision] = l.Kind
					}
					if kinds["joint-statement-spyware/commitment-4"] != "declared" || kinds["joint-statement-spyware/commitment-2"] != "derived" ||
						kinds["joint-statement-spyware/commitment-5"] != "" {
						t.Errorf("JSON %s: action 2's links %v", lang, kinds)
					}
				}
			}
			if len(got.Actions) != 4 || n != links {
				t.Errorf("JSON %s: %d actions with %d links, want 4 with %d", lang, len(got.Actions), n, links)
			}
		}

		// The CSV: one row per action still, its provisions in a last column.
		_, doc, err := svc.Document(ctx, testutil.System, r.ID, report.CSV, "en")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.Body, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 5 {
			t.Fatalf("CSV: %d rows, %v", len(rows), err)
		}
		last := len(rows[0]) - 1
		n := 0
		for _, row := range rows[1:] {
			n += len(strings.Split(row[last], "; "))
			if row[0] == strconv.FormatInt(a2.ID, 10) && (!strings.Contains(row[last], "joint-statement-spyware/commitment-4 (declared)") ||
				strings.Contains(row[last], "commitment-5")) {
				t.Errorf("CSV: action 2's provisions %q", row[last])
			}
		}
		if rows[0][last] != "Frameworks (provisions)" || n != links {
			t.Errorf("CSV: column %q, %d links, want %d", rows[0][last], n, links)
		}

		// The XLSX: a sheet of links, one row per action and provision.
		for _, lang := range []string{"en", "fr"} {
			_, doc, err = svc.Document(ctx, testutil.System, r.ID, report.XLSX, lang)
			if err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(bytes.NewReader(doc.Body))
			if err != nil {
				t.Fatal(err)
			}
			sheets := x.GetSheetList()
			linkRows, _ := x.GetRows(sheets[2])
			figures, _ := x.GetRows(sheets[0])
			if len(sheets) != 3 || len(linkRows) != links+1 {
				t.Errorf("XLSX %s: sheets %v, %d link rows, want %d", lang, sheets, len(linkRows)-1, links)
			}
			for _, row := range linkRows[1:] {
				id, _ := strconv.ParseInt(row[0], 10, 64)
				if slices.Contains(never, id) || len(row) != 6 || row[2] == "" || row[4] == "" {
					t.Errorf("XLSX %s link row %v", lang, row)
				}
			}
			if !slices.ContainsFunc(figures, func(row []string) bool {
				return len(row) >= 6 && row[0] == "commitment-4" && row[4] == "1" && row[5] == "1"
			}) {
				t.Errorf("XLSX %s: the figures sheet lacks the annex row of commitment 4", lang)
			}
		}

		// The Markdown and the HTML: each framework, gaps marked, the
		// recommendation with no counterpart said once, the French title
		// marked as translated where it is.
		for _, c := range []struct {
			format         report.Format
			lang, unmapped string
			marks          []string
		}{
			{report.Markdown, "en", "with no counterpart in any framework", []string{"| pillar:precision | ", "(**gap**)", "| commitment-4 | "}},
			{report.HTML, "en", "with no counterpart in any framework", []string{`<h2 id="annex">`, "<strong>(gap)</strong>", "Executive Order 14093"}},
			{report.HTML, "fr", "sans équivalent dans aucun cadre", []string{"<strong>(lacune)</strong>", "(traduction non officielle)"}},
		} {
			_, doc, err := svc.Document(ctx, testutil.System, r.ID, c.format, c.lang)
			if err != nil {
				t.Fatal(err)
			}
			body := string(doc.Body)
			if n := strings.Count(body, c.unmapped); n != 1 {
				t.Errorf("%s %s says %d times what has no counterpart", c.format, c.lang, n)
			}
			for _, m := range append(c.marks, "8. ") {
				if !strings.Contains(body, m) {
					t.Errorf("%s %s lacks %q", c.format, c.lang, m)
				}
			}
		}

		// The Markdown, HTML and XLSX tables say the hand-counted figures of
		// the Joint Statement, provision by provision.
		md, html := documentOf(t, svc, r.ID, report.Markdown, "en"), documentOf(t, svc, r.ID, report.HTML, "fr")
		_, xdoc, err := svc.Document(ctx, testutil.System, r.ID, report.XLSX, "en")
		if err != nil {
			t.Fatal(err)
		}
		wb, err := excelize.OpenReader(bytes.NewReader(xdoc.Body))
		if err != nil {
			t.Fatal(err)
		}
		figures, _ := wb.GetRows(wb.GetSheetList()[0])
		for key, w := range want {
			q := regexp.QuoteMeta(key)
			cells := fmt.Sprintf("%d %d", w.actions, w.orgs)
			if m := regexp.MustCompile(`(?m)^\| ` + q + ` \|.*\| (\d+)[^|]* \| (\d+) \|$`).FindStringSubmatch(md); m == nil || m[1]+" "+m[2] != cells {
				t.Errorf("Markdown %s: %v, want %s", key, m, cells)
			}
			if m := regexp.MustCompile(`<th scope="row">` + q + `</th>.*?<td class="num">(\d+)[^<]*(?:<strong>[^<]*</strong>)?</td><td class="num">(\d+)</td></tr>`).
				FindStringSubmatch(html); m == nil || m[1]+" "+m[2] != cells {
				t.Errorf("HTML %s: %v, want %s", key, m, cells)
			}
			if !slices.ContainsFunc(figures, func(row []string) bool {
				return len(row) >= 6 && row[0] == key && row[4]+" "+row[5] == cells
			}) {
				t.Errorf("XLSX %s: no row with %s", key, cells)
			}
		}

		// Stored with the report: what changes in the crosswalk and the
		// links afterwards moves a new compilation, never this one.
		before := fmt.Sprintf("%+v", f.Crosswalk)
		if _, err := s.Frameworks.UpdateProvision(ctx, testutil.System, "joint-statement-spyware", "commitment-2", 0,
			func(in *framework.ProvisionInput) { in.Recommendations = []int{12} }); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Frameworks.Add(ctx, testutil.System, a3.ID, "pall-mall-states", "1"); err != nil {
			t.Fatal(err)
		}
		again, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil || fmt.Sprintf("%+v", again.Crosswalk) != before {
			t.Errorf("the stored report's annex moved: %v", err)
		}
		if _, err := svc.Publish(ctx, testutil.System, r.ID); err != nil {
			t.Fatal(err)
		}
		if differ, err := svc.Verify(ctx, r.ID); err != nil || len(differ) != 0 {
			t.Errorf("the published report compiles again to other bytes: %v %v", differ, err)
		}
		r2, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		f2, _ := svc.Figures(ctx, testutil.System, r2.ID)
		if p := annexOf(t, f2, "joint-statement-spyware").Provisions[2]; p.Key != "commitment-2" || p.Actions != 0 {
			t.Errorf("a new compilation reads the crosswalk as it is now: %+v", p)
		}
		if p := annexOf(t, f2, "pall-mall-states").Provisions[0]; p.Actions != 1 {
			t.Errorf("a new compilation reads the links as they are now: %+v", p)
		}
	})
}

// annexOf is a framework's part of the annex.
func annexOf(t *testing.T, f report.Figures, key string) report.FrameworkFigures {
	t.Helper()
	for _, fw := range f.Crosswalk.Frameworks {
		if fw.Key == key {
			return fw
		}
	}
	t.Fatalf("the annex has no framework %q", key)
	return report.FrameworkFigures{}
}

// A cycle embargoed until the Forum: its report counts its public actions
// in the annex as in every figure, and nobody but the secretariat reads
// that report, annex included, before the Forum.
func TestCrosswalkAnnexEmbargoed(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db) // 1 September 2026
		ctx := context.Background()
		s.Crosswalk(t)
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: day("2026-06-01"), Deadline: day("2026-08-01"),
			ForumDate: day("2026-11-11"), Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}
		accepted(t, s, s.Stakeholder(t, stakeholder.State), c, func(in *action.Input) { in.Recommendations = []int{10} })
		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Publish(ctx, testutil.System, r.ID); err != nil {
			t.Fatal(err)
		}
		for _, f := range []report.Format{report.JSON, report.CSV, report.HTML} {
			if _, _, err := svc.Document(ctx, user.Actor{}, r.ID, f, "en"); !errs.Is(err, errs.NotFound) {
				t.Errorf("the public reads the %s before the Forum: %v", f, err)
			}
		}
		f, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p := annexOf(t, f, "un-gge-2015").Provisions[0]; p.Key != "13(j)" || p.Actions != 1 || f.Actions != 1 {
			t.Errorf("the secretariat's copy: 13(j) %+v, %d actions", p, f.Actions)
		}
		s.Clock.Set(time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))
		if _, _, err := svc.Document(ctx, user.Actor{}, r.ID, report.JSON, "en"); err != nil {
			t.Errorf("on the Forum day: %v", err)
		}
	})
}

// documentOf is one document of a report, as text.
func documentOf(t *testing.T, svc *report.Service, id int64, f report.Format, lang string) string {
	t.Helper()
	_, doc, err := svc.Document(context.Background(), testutil.System, id, f, lang)
	if err != nil {
		t.Fatal(err)
	}
	return string(doc.Body)
}

// Inputs stored before the crosswalk have none: their documents come out
// as they did, without an annex, a column or a sheet of provisions.
func TestNoCrosswalkNoAnnex(t *testing.T) {
	in, actions := testutil.ReportCycle(20)
	c, err := report.Compile(in, actions)
	if err != nil || c.Crosswalk != nil {
		t.Fatalf("compiled without a crosswalk: %+v, %v", c.Crosswalk, err)
	}
	r := newRenderer(t)
	render := func(f report.Format) []byte {
		t.Helper()
		b, err := r.Render(context.Background(), c, f, "en")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(render(report.CSV), []byte("\ufeff")))).ReadAll()
	if err != nil || len(rows[0]) != 15 || slices.Contains(rows[0], "Frameworks (provisions)") {
		t.Errorf("CSV header %v, %v", rows[0], err)
	}
	if doc := string(render(report.JSON)); strings.Contains(doc, `"crosswalk"`) || strings.Contains(doc, `"provisions"`) {
		t.Errorf("JSON without a crosswalk mentions one")
	}
	for _, f := range []report.Format{report.Markdown, report.HTML} {
		if doc := string(render(f)); strings.Contains(doc, "Annex: the other frameworks") {
			t.Errorf("%s has an annex", f)
		}
	}
	x, err := excelize.OpenReader(bytes.NewReader(render(report.XLSX)))
	if err != nil || len(x.GetSheetList()) != 2 {
		t.Errorf("XLSX sheets %v, %v", x.GetSheetList(), err)
	}
}
