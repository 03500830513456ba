package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/document"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
	"github.com/pctracker/pctracker/web"
)

// fixture is a cycle with public actions and a report service whose
// publication makes releases.
type fixture struct {
	*testutil.Services
	Releases *release.Service
	Reports  *report.Service
}

func newFixture(t *testing.T, db *store.DB, opt release.Options) fixture {
	t.Helper()
	s := testutil.NewServices(db)
	cat, err := locale.Load(web.I18n())
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := document.NewRenderer(web.Templates(), cat, nil, "report.chromium")
	if err != nil {
		t.Fatal(err)
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "http://pct.test/"
	}
	rel := release.NewService(db, s.Clock.Now, opt)
	return fixture{Services: s, Releases: rel, Reports: report.NewService(db, renderer, s.Clock.Now, report.Notifiers{s.Notices, rel})}
}

// published makes a cycle of 2026 with two organisations' public actions
// (one whose description starts like a formula), one kept for the
// secretariat and one accepted after the cut-off, and publishes its report.
func (f fixture) published(t *testing.T, c cycle.Cycle) (report.Report, []action.Action) {
	t.Helper()
	ctx := context.Background()
	state, ngo := f.Stakeholder(t, stakeholder.State), f.Stakeholder(t, stakeholder.CivilSociety)
	in := testutil.ActionInput()
	a1 := f.Accepted(t, state, c, in)
	in.Title, in.Description, in.Recommendations, in.Stage = "Findings on a spyware vendor", "- a list, in Markdown", []int{11, 12}, action.InProgress
	in.MeasureType, in.Scope, in.StartDate = "research_investigation", "international", ptr(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	a2 := f.Accepted(t, ngo, c, in)
	in.Title, in.Visibility = "Kept for the secretariat", action.SecretariatOnly
	f.Accepted(t, ngo, c, in)
	f.Clock.Add(time.Hour)
	r, err := f.Reports.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Add(time.Hour)
	in.Title, in.Visibility = "Accepted after the cut-off", action.Public
	f.Accepted(t, state, c, in)
	if r, err = f.Reports.Publish(ctx, testutil.System, r.ID); err != nil {
		t.Fatal(err)
	}
	return r, []action.Action{a1, a2}
}

func ptr[T any](v T) *T { return &v }

// Issue 20: publishing a report makes release {year}.1, a zip whose
// datapackage.json validates against the Frictionless Data Package and
// Table Schema schemas, whose CSV rows each validate against the Table
// Schema, and which holds the report's documents with their checksums.
func TestPublishMakesRelease(t *testing.T) {
	dp, ts := schema(t, "frictionless/datapackage.json"), schema(t, "frictionless/tableschema.json")
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		rep, actions := f.published(t, f.Cycle(t, 2026))

		list, err := f.Releases.List(ctx, user.Actor{})
		if err != nil || len(list) != 1 {
			t.Fatalf("releases: %+v, %v", list, err)
		}
		r := list[0]
		if r.Version() != "2026.1" || r.ReportID != rep.ID || r.Actions != 2 || r.Organisations != 2 || r.SupersededBy != "" ||
			!r.CutoffAt.Equal(rep.CutoffAt) || r.Changelog != release.FirstChangelog(2026) {
			t.Errorf("release: %+v", r)
		}
		got, body, err := f.Releases.Zip(ctx, user.Actor{}, "2026.1")
		if err != nil || got.ID != r.ID {
			t.Fatalf("zip: %v", err)
		}
		if release.Checksum(body) != r.SHA256 || int64(len(body)) != r.Size {
			t.Errorf("the zip served is not the one recorded: %s, %d bytes; recorded %s, %d", release.Checksum(body), len(body), r.SHA256, r.Size)
		}
		files, _ := unzip(t, body)
		validJSON(t, dp, "datapackage.json", files["datapackage.json"])
		var pkg packageOf
		if err := json.Unmarshal(files["datapackage.json"], &pkg); err != nil {
			t.Fatal(err)
		}
		if pkg.Version != "2026.1" || pkg.Name != "paris-call-cyber-mercenaries-2026" || len(pkg.Contributors) != 3 {
			t.Errorf("datapackage.json: %+v", pkg)
		}
		documents := 0
		for _, res := range pkg.Resources {
			b, ok := files[res.Path]
			if !ok || "sha256:"+release.Checksum(b) != res.Hash || len(b) != res.Bytes {
				t.Errorf("resource %s: in the zip %v, hash %s, %d bytes", res.Name, ok, res.Hash, res.Bytes)
			}
			if strings.HasPrefix(res.Path, "documents/") {
				documents++
				lang, format, _ := strings.Cut(strings.TrimPrefix(res.Name, "report-"), "-")
				stored, err := db.ReportArtifact(ctx, rep.ID, report.Format(format), lang)
				if err != nil || !bytes.Equal(stored.Body, b) {
					t.Errorf("%s is not the published document: %v", res.Path, err)
				}
			}
			if res.Name == "actions" {
				validJSON(t, ts, "the actions' Table Schema", res.Schema)
			}
		}
		if documents != 10 { // five formats (no PDF here) in two languages
			t.Errorf("%d documents", documents)
		}
		rows := checkTable(t, release.Schema(), files["data/actions.csv"])
		if len(rows) != 2 || rows[0]["id"] != itoa(actions[0].ID) || rows[1]["id"] != itoa(actions[1].ID) {
			t.Fatalf("rows: %v", rows)
		}
		if rows[1]["description"] != "'- a list, in Markdown" || rows[1]["recommendations"] != "11;12" || rows[1]["starts_on"] != "2026-03-01" {
			t.Errorf("row: %v", rows[1])
		}
		var doc struct {
			Release string
			Actions []release.Row
		}
		if err := json.Unmarshal(files["data/actions.json"], &doc); err != nil || doc.Release != "2026.1" || len(doc.Actions) != 2 ||
			doc.Actions[1].Description != "- a list, in Markdown" {
			t.Errorf("actions.json: %+v, %v", doc, err)
		}
		if !strings.Contains(string(files["CHANGELOG.md"]), "## 2026.1") {
			t.Errorf("CHANGELOG.md: %s", files["CHANGELOG.md"])
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The zip is built to the same bytes from the same contents: fixed times
// and order.
func TestBuildIsDeterministic(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	c := release.Contents{Release: release.Release{Year: 2026, N: 1, CreatedAt: at, CutoffAt: at, Changelog: "First."},
		Publisher: release.DefaultPublisher, BaseURL: "http://pct.test",
		Rows: []release.Row{{ID: 1, Cycle: 2026, OrganisationID: 2, Organisation: "A", OrganisationKind: "state", Title: "T",
			Recommendations: []int{1}, Stage: "adopted", Measure: "legal_framework", Scope: "national", AcceptedAt: "2026-10-01T00:00:00Z",
			Assurance: "self_declared"}}}
	a, err := release.Build(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := release.Build(c)
	if err != nil || !bytes.Equal(a, b) {
		t.Errorf("two builds differ (%v)", err)
	}
	c.Release.CreatedAt = at.Add(time.Second)
	if b, _ := release.Build(c); bytes.Equal(a, b) {
		t.Error("a release made at another time has the same bytes")
	}
}

// A release whose report is under the Forum embargo is the secretariat's
// until the Forum: not listed, not found, its zip not served.
func TestEmbargoedReleaseIsHidden(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		c, err := f.Cycles.Create(ctx, testutil.System, cycle.Input{Year: 2026, OpensAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			Deadline: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ForumDate: time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC),
			Embargo: cycle.UntilForum})
		if err != nil {
			t.Fatal(err)
		}
		f.published(t, c)
		secretariat := testutil.System
		if list, err := f.Releases.List(ctx, secretariat); err != nil || len(list) != 1 {
			t.Fatalf("the secretariat's list: %v, %v", list, err)
		}
		if list, err := f.Releases.List(ctx, user.Actor{}); err != nil || len(list) != 0 {
			t.Errorf("the public list before the Forum: %v, %v", list, err)
		}
		if _, _, err := f.Releases.Zip(ctx, user.Actor{}, "2026.1"); !errs.Is(err, errs.NotFound) {
			t.Errorf("the zip before the Forum: %v", err)
		}
		f.Clock.Set(time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))
		if _, _, err := f.Releases.Zip(ctx, user.Actor{}, "2026.1"); err != nil {
			t.Errorf("the zip on the Forum day: %v", err)
		}
	})
}

// A zip whose stored bytes no longer match the SHA-256 the release
// recorded is never served; each release and DOI is in the audit log.
func TestReleaseIntegrityAndAudit(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		rep, _ := f.published(t, f.Cycle(t, 2026))
		if _, err := f.Releases.Correct(ctx, testutil.System, rep.ID, release.CorrectionInput{Changelog: "Fixed."}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Releases.SetDOI(ctx, testutil.System, "2026.2", "10.12345/x"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM audit_log WHERE verb IN ('release.publish', 'release.doi') AND object_type = 'release'").Scan(&n); err != nil || n != 3 {
			t.Errorf("%d audit entries (%v), want 3", n, err)
		}
		r, err := f.Releases.Get(ctx, user.Actor{}, "2026.1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec("UPDATE blobs SET content = $1, encoding = 'identity' WHERE sha256 = $2", []byte("not the zip"), r.SHA256); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Releases.Zip(ctx, user.Actor{}, "2026.1"); !errs.Is(err, errs.Internal) {
			t.Errorf("a tampered zip: %v", err)
		}
	})
}

// Only the secretariat corrects a release or records its DOI, and only a
// published report has releases to correct.
func TestReleaseGuards(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		rep, _ := f.published(t, f.Cycle(t, 2026))
		supporter := user.Actor{UserID: 1, Role: user.Supporter, StakeholderID: 1, OrgRole: user.FocalPoint}
		for _, by := range []user.Actor{{}, supporter} {
			if _, err := f.Releases.Correct(ctx, by, rep.ID, release.CorrectionInput{Changelog: "x"}); !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.Unauthorized) {
				t.Errorf("%+v corrects: %v", by, err)
			}
			if _, err := f.Releases.SetDOI(ctx, by, "2026.1", "10.12345/x"); !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.Unauthorized) {
				t.Errorf("%+v records a DOI: %v", by, err)
			}
		}
		draft, err := f.Reports.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Releases.Correct(ctx, testutil.System, draft.ID, release.CorrectionInput{Changelog: "x"}); !errs.Is(err, errs.Conflict) {
			t.Errorf("a draft corrected: %v", err)
		}
		if list, _ := f.Releases.List(ctx, testutil.System); len(list) != 1 {
			t.Errorf("%d releases after refused corrections", len(list))
		}
	})
}

// An action carried forward names the action it continues only when the
// public may see that one: a release never gives the id of an action kept
// for the secretariat.
func TestReleaseNamesOnlyPublicEarlierActions(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		st := f.Stakeholder(t, stakeholder.State)
		c25 := f.Cycle(t, 2025)
		f.Cycle(t, 2026)
		in := testutil.ActionInput()
		shown := f.Accepted(t, st, c25, in)
		in.Title, in.Visibility = "Kept for the secretariat last year", action.SecretariatOnly
		kept := f.Accepted(t, st, c25, in)
		u, err := f.Users.Create(ctx, testutil.System, user.Input{Email: "focal@own.example", Name: "Focal", Role: user.Supporter,
			StakeholderID: st.ID, OrgRole: user.FocalPoint})
		if err != nil {
			t.Fatal(err)
		}
		drafts, err := f.Actions.CarryForward(ctx, u.Actor(), 2026)
		if err != nil || len(drafts) != 2 {
			t.Fatalf("carry forward: %d, %v", len(drafts), err)
		}
		want := map[string]string{}
		for _, d := range drafts {
			d, err := f.Actions.Update(ctx, testutil.System, d.ID, d.Version, func(in *action.Input) { in.Visibility = action.Public })
			if err == nil {
				d, err = f.Actions.Move(ctx, testutil.System, d.ID, d.Version, action.Submitted, "")
			}
			if err == nil {
				_, err = f.Actions.Move(ctx, testutil.System, d.ID, d.Version, action.Accepted, "")
			}
			if err != nil {
				t.Fatal(err)
			}
			want[itoa(d.ID)] = map[int64]string{shown.ID: itoa(shown.ID), kept.ID: ""}[*d.CarriedFrom]
		}
		f.Clock.Add(time.Hour)
		r, err := f.Reports.Compile(ctx, testutil.System, 2026, report.CompileOptions{})
		if err == nil {
			_, err = f.Reports.Publish(ctx, testutil.System, r.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, body, err := f.Releases.Zip(ctx, user.Actor{}, "2026.1")
		if err != nil {
			t.Fatal(err)
		}
		files, _ := unzip(t, body)
		rows := checkTable(t, release.Schema(), files["data/actions.csv"])
		if len(rows) != 2 {
			t.Fatalf("%d rows", len(rows))
		}
		for _, row := range rows {
			if row["carried_from"] != want[row["id"]] {
				t.Errorf("action %s: carried_from %q, want %q", row["id"], row["carried_from"], want[row["id"]])
			}
		}
	})
}

// Two corrections published at the same moment make one release each or
// a conflict, never two releases of one number.
func TestConcurrentCorrections(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{})
		ctx := context.Background()
		rep, _ := f.published(t, f.Cycle(t, 2026))
		results := testutil.AtOnce(4, func(i int) error {
			_, err := f.Releases.Correct(ctx, testutil.System, rep.ID, release.CorrectionInput{Changelog: fmt.Sprintf("Correction %d.", i)})
			return err
		})
		made := 1
		for _, err := range results {
			switch {
			case err == nil:
				made++
			case !errs.Is(err, errs.Conflict):
				t.Errorf("a correction at the same moment: %v", err)
			}
		}
		t.Logf("%d of 4 corrections made, the others refused as conflicts", made-1)
		list, err := f.Releases.List(ctx, testutil.System)
		if err != nil || len(list) != made {
			t.Fatalf("%d releases, %d made: %v", len(list), made, err)
		}
		for i, r := range list {
			if r.N != len(list)-i {
				t.Errorf("release %d numbered %s", i, r.Version())
			}
		}
	})
}
