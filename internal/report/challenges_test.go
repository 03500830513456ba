package report_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// challenged is a small cycle's inputs with challenges: organisation 1's
// action 1 (recommendations 2 and 4) upheld twice, by a reviewer that
// chose not to be named and by a named one; organisation 2's action 2
// (recommendation 4) dismissed and its action 3 partly upheld; and a
// challenge of action 4, kept for the secretariat, and of action 9, not
// among the actions: neither counts.
func challenged() (report.Inputs, []report.Action) {
	day := time.Date(2026, 10, 21, 0, 0, 0, 0, time.UTC)
	in := report.Inputs{Cycle: report.Period{Year: 2026, Deadline: day}, CutoffAt: day, CompiledAt: day,
		Organisations: []report.Organisation{{ID: 1, Name: "Zeta ministry", Kind: "state", Active: true},
			{ID: 2, Name: "Alpha ministry", Kind: "state", Active: true}}}
	for n := 1; n <= 4; n++ {
		in.Recommendations = append(in.Recommendations, report.Recommendation{Number: n, Addressees: []stakeholder.Kind{"state"}})
	}
	as := []report.Action{
		{ID: 1, OrganisationID: 1, Public: true, Title: "Export ban", Stage: action.Adopted, Recommendations: []int{2, 4}, AcceptedAt: day},
		{ID: 2, OrganisationID: 2, Public: true, Title: "Vendor register", Stage: action.Adopted, Recommendations: []int{4}, AcceptedAt: day},
		{ID: 3, OrganisationID: 2, Public: true, Title: "Oversight board", Stage: action.Adopted, Recommendations: []int{3}, AcceptedAt: day},
		{ID: 4, OrganisationID: 2, Public: false, Stage: action.Adopted, Recommendations: []int{1}, AcceptedAt: day},
	}
	c := func(id, actionID int64, reviewer string, o challenge.Outcome, reasons string) report.Challenge {
		return report.Challenge{ID: id, ActionID: actionID, Reviewer: reviewer, ReviewerKind: stakeholder.CivilSociety,
			Grounds: challenge.Outdated, Outcome: o, Reasons: reasons, PublishedAt: day}
	}
	in.Challenges = []report.Challenge{
		c(7, 1, "", challenge.Upheld, "\n  The findings stand.  \nMore reasons."),
		c(3, 1, "Lab", challenge.Upheld, "Sold after the ban."),
		c(4, 2, "Lab", challenge.Dismissed, "The register lists vendors."),
		c(5, 3, "", challenge.PartlyUpheld, "The board met once."),
		c(6, 4, "Lab", challenge.Upheld, "Kept for the secretariat."),
		c(8, 9, "Lab", challenge.Upheld, "Not an action of the report."),
	}
	in.Challenges[3].StageSet, in.Challenges[3].AssuranceSet = action.Planned, action.SelfDeclared
	return in, as
}

// The report counts the challenges of its public actions by outcome and by
// recommendation (under each of an action's), and lists those upheld in
// whole or in part in the order it lists actions; a challenge of an action
// it does not show is neither counted nor listed.
func TestChallengeFigures(t *testing.T) {
	in, as := challenged()
	c, err := report.Compile(in, report.Slice(as))
	if err != nil {
		t.Fatal(err)
	}
	cf := c.Challenges
	if cf == nil || cf.Published != 4 || cf.Of(challenge.Upheld) != 2 || cf.Of(challenge.PartlyUpheld) != 1 || cf.Of(challenge.Dismissed) != 1 {
		t.Fatalf("challenges: %+v", cf)
	}
	byRec := map[int][3]int{}
	for _, r := range cf.ByRecommendation {
		byRec[r.Number] = [3]int{r.ByOutcome[0].N, r.ByOutcome[1].N, r.ByOutcome[2].N}
		if r.Total != r.ByOutcome[0].N+r.ByOutcome[1].N+r.ByOutcome[2].N {
			t.Errorf("recommendation %d: total %d", r.Number, r.Total)
		}
	}
	if want := map[int][3]int{2: {2, 0, 0}, 3: {0, 1, 0}, 4: {2, 0, 1}}; !mapsEqual(byRec, want) {
		t.Errorf("by recommendation (upheld, partly, dismissed): %v, want %v", byRec, want)
	}
	type listed struct {
		id      int64
		org     string
		title   string
		by      string
		reason  string
		changed bool
	}
	var got []listed
	for _, l := range cf.Upheld {
		got = append(got, listed{l.ID, l.Organisation, l.ActionTitle, l.Reviewer, l.Reason, l.StageSet != "" || l.AssuranceSet != ""})
	}
	want := []listed{{5, "Alpha ministry", "Oversight board", "", "The board met once.", true},
		{3, "Zeta ministry", "Export ban", "Lab", "Sold after the ban.", false},
		{7, "Zeta ministry", "Export ban", "", "The findings stand.", false}}
	if !slices.Equal(got, want) {
		t.Errorf("upheld:\n%+v\nwant\n%+v", got, want)
	}

	// Inputs stored before challenges have none: a missing field is
	// none, and the report says none was published.
	var head bytes.Buffer
	if _, err := report.EncodeInputs(&head, report.Inputs{Cycle: in.Cycle, Recommendations: in.Recommendations}, report.Slice(nil)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(head.String(), "challenges") {
		t.Fatalf("inputs without challenges hold the field: %s", head.String())
	}
	st, err := report.Unpack(gzipped(t, head.String()), func(func([]byte) error) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if c, err := report.Compile(st.Inputs, st.Actions); err != nil || c.Challenges == nil || c.Challenges.Published != 0 {
		t.Errorf("old inputs: %+v, %v", c.Challenges, err)
	}
}

func mapsEqual(a, b map[int][3]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A report reads the challenges of its public actions published by its
// cut-off, and says them in every format and language: the JSON as its
// schema says, the HTML, Markdown and XLSX in a section of their own, the
// CSV not at all (it is the table of actions). A reviewer that chose not
// to be named is never named, in any format nor in the stored inputs; a
// published report compiles again to the same bytes, whatever is
// published after.
func TestReportChallenges(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		s := testutil.NewServices(db)
		ctx := context.Background()
		svc := report.NewService(db, newRenderer(t), s.Clock.Now, nil)
		c := s.Cycle(t, 2026)
		org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
		anonymous, named := s.Reviewer(t, stakeholder.CivilSociety), s.Reviewer(t, stakeholder.Academia)
		anonymous, err := s.Stakeholders.Update(ctx, testutil.System, anonymous.ID, anonymous.Version,
			func(in *stakeholder.Input) { in.Name = "Numbat Forensics Collective" })
		if err != nil {
			t.Fatal(err)
		}
		upheld := accepted(t, s, org, c, func(in *action.Input) { in.Title, in.Recommendations = "Export ban", []int{2, 4} })
		dismissed := accepted(t, s, other, c, func(in *action.Input) { in.Title, in.Recommendations = "Vendor register", []int{4} })
		late := accepted(t, s, other, c, func(in *action.Input) { in.Title, in.Recommendations = "Oversight board", []int{3} })
		statement := func(text string, pseudonymous bool) challenge.Input {
			return challenge.Input{Grounds: challenge.ContradictedByFindings, Statement: text, Pseudonymous: pseudonymous}
		}
		s.PublishedChallenge(t, anonymous, upheld, statement("Sold after the ban.", true), "It was not.",
			challenge.Decision{Outcome: challenge.Upheld, Reasons: "The findings stand.\n\nSales went on.", Stage: action.Planned})
		s.PublishedChallenge(t, named, dismissed, statement("The register is empty.", false), "It is not.",
			challenge.Decision{Outcome: challenge.Dismissed, Reasons: "It lists three vendors."})
		cutoff := s.Clock.Now()
		s.Clock.Add(time.Hour)
		s.PublishedChallenge(t, anonymous, late, statement("The board never met.", true), "It met.",
			challenge.Decision{Outcome: challenge.PartlyUpheld, Reasons: "It met once."})

		r, err := svc.Compile(ctx, testutil.System, 2026, report.CompileOptions{Cutoff: cutoff})
		if err != nil {
			t.Fatal(err)
		}
		f, err := svc.Figures(ctx, testutil.System, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cf := f.Challenges; cf == nil || cf.Published != 2 || cf.Of(challenge.Upheld) != 1 || cf.Of(challenge.Dismissed) != 1 ||
			len(cf.Upheld) != 1 || cf.Upheld[0].Reviewer != "" || cf.Upheld[0].ReviewerKind != "" ||
			cf.Upheld[0].Reason != "The findings stand." || cf.Upheld[0].StageSet != action.Planned {
			t.Errorf("challenges: %+v", cf)
		}
		if live, err := svc.Live(ctx, 2026, nil); err != nil || live.Challenges != nil {
			t.Errorf("the live figures read challenges: %+v, %v", live.Challenges, err)
		}
		head, err := db.ReportInput(ctx, r.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		// The inputs list every organisation (the supporters counted), the
		// reviewers among them; their challenges say who filed them only
		// when the reviewer chose to be named, by name, never by id.
		var stored struct{ Challenges []map[string]any }
		if err := json.Unmarshal([]byte(gunzipped(t, head)), &stored); err != nil {
			t.Fatal(err)
		}
		if cs := stored.Challenges; len(cs) != 2 || cs[0]["reviewer"] != nil || cs[1]["reviewer"] != named.Name {
			t.Errorf("the stored inputs' challenges: %v", cs)
		}

		schema := compileSchema(t)
		for _, lang := range []string{"en", "fr"} {
			generic := map[string]string{"en": "a reviewer organisation", "fr": "une organisation évaluatrice"}[lang]
			section := map[string]string{"en": "Claims and challenges", "fr": "Affirmations et contestations"}[lang]
			for _, format := range report.Formats {
				if format == report.PDF {
					continue // without Chromium here; it prints the HTML
				}
				t.Run(lang+"/"+string(format), func(t *testing.T) {
					_, doc, err := svc.Document(ctx, testutil.System, r.ID, format, lang)
					if err != nil {
						t.Fatal(err)
					}
					text := string(doc.Body)
					if format == report.XLSX {
						text = strings.Join(xlsxText(t, doc.Body), "\n")
					}
					if strings.Contains(text, anonymous.Name) {
						t.Errorf("names the reviewer that chose not to be named")
					}
					if strings.Contains(text, "The board never met") || strings.Contains(text, "It met once") {
						t.Errorf("shows a challenge published after the cut-off")
					}
					switch format {
					case report.CSV:
						rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.Body, []byte("\ufeff")))).ReadAll()
						if err != nil || len(rows) != 4 || strings.Contains(text, section) {
							t.Errorf("the CSV is the table of the 3 actions, nothing else: %d rows, %v", len(rows), err)
						}
						return
					case report.JSON:
						v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc.Body))
						if err == nil {
							err = schema.Validate(v)
						}
						if err != nil {
							t.Errorf("against the schema: %v", err)
						}
						var got struct {
							Challenges struct {
								Published int
								Upheld    []struct {
									Reviewer      *string
									ReviewerLabel string  `json:"reviewer_label"`
									StageSet      *string `json:"stage_set"`
									Action        string
								}
							}
						}
						if err := json.Unmarshal(doc.Body, &got); err != nil || got.Challenges.Published != 2 || len(got.Challenges.Upheld) != 1 ||
							got.Challenges.Upheld[0].Reviewer != nil || got.Challenges.Upheld[0].ReviewerLabel != generic ||
							got.Challenges.Upheld[0].Action != "Export ban" || *got.Challenges.Upheld[0].StageSet != "planned" {
							t.Errorf("the JSON's challenges: %+v, %v", got.Challenges, err)
						}
						return
					}
					for _, want := range []string{section, generic, "Export ban", "The findings stand."} {
						if !strings.Contains(text, want) {
							t.Errorf("no %q", want)
						}
					}
				})
			}
		}

		// Published, it compiles again to the same bytes, after a new
		// challenge too.
		if _, err := svc.Publish(ctx, testutil.System, r.ID); err != nil {
			t.Fatal(err)
		}
		s.PublishedChallenge(t, named, upheld, statement("Still sold.", false), "No.", challenge.Decision{Outcome: challenge.Upheld, Reasons: "Yes."})
		if differ, err := svc.Verify(ctx, r.ID); err != nil || len(differ) != 0 {
			t.Errorf("recompiled documents differ: %v %v", differ, err)
		}
	})
}

func gunzipped(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// xlsxText is every cell of every sheet of a workbook.
func xlsxText(t *testing.T, body []byte) []string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sheet := range x.GetSheetList() {
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			out = append(out, r...)
		}
	}
	return out
}
