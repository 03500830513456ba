package evidence_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/notice"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// site is a local server whose pages the test changes as it goes.
type site struct {
	*counting
	version atomic.Int64 // what /changing says, and whether /flaky answers
	release chan struct{}
}

func newSite(t *testing.T, elsewhere string) *site {
	t.Helper()
	s := &site{release: make(chan struct{})}
	s.counting = serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stable", "/stable-too":
			fmt.Fprint(w, "The decree of 3 March 2026.")
		case "/changing":
			fmt.Fprintf(w, "Version %d of the policy.", s.version.Load())
		case "/moving":
			http.Redirect(w, r, elsewhere+"/new-home", http.StatusMovedPermanently)
		case "/flaky":
			if s.version.Load() > 1 {
				http.Error(w, "down", http.StatusInternalServerError)
				return
			}
			fmt.Fprint(w, "Up for now.")
		case "/hang":
			<-s.release
		case "/big":
			w.Write(make([]byte, 4096))
		}
	})
	t.Cleanup(func() { close(s.release) })
	s.version.Store(1)
	return s
}

type fixture struct {
	s       *testutil.Services
	db      *store.DB
	links   *evidence.Service
	actions *action.Service
	site    *site
	org     stakeholder.Stakeholder
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	s := testutil.NewServices(db)
	other := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Somewhere else.") })
	_, otherPort, _ := strings.Cut(hostport(t, other), ":")
	site := newSite(t, "http://localhost:"+otherPort)
	fetch := evidence.NewFetcher(evidence.FetchOptions{MaxBytes: 1024, Timeout: 500 * time.Millisecond,
		AllowHosts: []string{hostport(t, site.counting), "localhost:" + otherPort}})
	links := evidence.NewService(db, db, fetch, s.Notices, nil, s.Clock.Now, evidence.Options{Enabled: true, Period: 7 * 24 * time.Hour, PerRun: 50},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := &fixture{s: s, db: db, links: links, site: site, org: s.Stakeholder(t, stakeholder.State),
		actions: action.NewService(db, s.Clock.Now, action.Notifiers{s.Notices, links})}
	if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: "focal@own.example", Name: "Focal",
		Role: user.Supporter, StakeholderID: f.org.ID, OrgRole: user.FocalPoint}); err != nil {
		t.Fatal(err)
	}
	return f
}

// accepted creates an action with evidence at the given paths of the site
// and takes it through to acceptance.
func (f *fixture) accepted(t *testing.T, c int64, visibility action.Visibility, paths ...string) action.Action {
	t.Helper()
	ctx := context.Background()
	in := testutil.ActionInput()
	in.Visibility, in.Evidence = visibility, nil
	for _, p := range paths {
		in.Evidence = append(in.Evidence, action.Evidence{Kind: "policy", URL: f.site.URL + p, Title: p})
	}
	a, err := f.actions.Create(ctx, testutil.System, f.org.ID, c, in)
	if err == nil {
		a, err = f.actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
	}
	if err == nil {
		a, err = f.actions.Move(ctx, testutil.System, a.ID, 0, action.Accepted, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// states reads each link's state, by its path.
func (f *fixture) states(t *testing.T, a action.Action) map[string]evidence.Link {
	t.Helper()
	all, err := f.links.Links(context.Background(), []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]evidence.Link{}
	for _, l := range all[a.ID] {
		out[strings.TrimPrefix(l.URL, f.site.URL)] = l
	}
	return out
}

func (f *fixture) run(t *testing.T) int {
	t.Helper()
	n, err := f.links.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Each state is reached as it is defined: captured at acceptance, then
// ok, changed, redirected, unreachable, and broken only after three
// failures over a week, told to the organisation once.
func TestEvidenceStates(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.s.Cycle(t, 2026)
		a := f.accepted(t, c.ID, action.Public, "/stable", "/changing", "/moving", "/flaky", "/hang", "/big")
		for path, l := range f.states(t, a) {
			if l.State != evidence.Pending || l.CapturedSHA256 != "" {
				t.Errorf("%s right after acceptance: %+v", path, l)
			}
		}
		// The first run checks and captures each link at once.
		if n := f.run(t); n != 6 {
			t.Fatalf("first run: %d checks, want 6", n)
		}
		got := f.states(t, a)
		want := map[string]evidence.State{"/stable": evidence.OK, "/changing": evidence.OK, "/moving": evidence.Redirected,
			"/flaky": evidence.OK, "/hang": evidence.Unreachable, "/big": evidence.OK}
		for path, st := range want {
			if got[path].State != st {
				t.Errorf("%s after the first check: %s, want %s", path, got[path].State, st)
			}
		}
		for _, path := range []string{"/stable", "/changing", "/flaky"} {
			if got[path].CapturedSHA256 == "" || got[path].CapturedAt == nil {
				t.Errorf("%s: no copy captured: %+v", path, got[path])
			}
		}
		// A document over the cap answers, but is not archived.
		if got["/big"].CapturedSHA256 != "" || got["/big"].SHA256 == "" {
			t.Errorf("/big, over the cap: %+v", got["/big"])
		}
		stable, firstCopy := got["/stable"], got["/changing"].CapturedSHA256
		blob, link, err := f.links.Archived(ctx, stable.CapturedSHA256)
		if err != nil || string(blob.Data) != "The decree of 3 March 2026." || link.URL != stable.URL {
			t.Errorf("archived copy: %q %+v %v", blob.Data, link, err)
		}
		// Nothing more is due before its time.
		if n := f.run(t); n != 0 {
			t.Errorf("a second run at once: %d checks", n)
		}

		// A week and a day on (past 1.1 periods: every link is due): the
		// policy has a new version, the flaky site is down.
		f.site.version.Store(2)
		f.s.Clock.Add(8 * 24 * time.Hour)
		f.run(t)
		got = f.states(t, a)
		if got["/changing"].State != evidence.Changed || got["/changing"].CapturedSHA256 != firstCopy || got["/changing"].SHA256 == firstCopy {
			t.Errorf("/changing after its change: %+v", got["/changing"])
		}
		if got["/stable"].State != evidence.OK || got["/flaky"].State != evidence.Unreachable || got["/flaky"].Failures != 1 {
			t.Errorf("a week on: stable %s, flaky %s (%d failures)", got["/stable"].State, got["/flaky"].State, got["/flaky"].Failures)
		}
		// Three failures within minutes (checks asked for by hand) are not
		// rot: a link is broken only after failing for a week.
		sec := user.Actor{Role: user.Secretariat, Name: "sec"}
		for i := 0; i < 2; i++ {
			f.s.Clock.Add(2 * time.Minute)
			if _, err := f.links.CheckNow(ctx, sec, a.ID); err != nil {
				t.Fatal(err)
			}
			f.run(t)
		}
		if got := f.states(t, a)["/flaky"]; got.State != evidence.Unreachable || got.Failures != 3 {
			t.Fatalf("/flaky after 3 failures in minutes: %+v", got)
		}
		// Failures come back sooner: failing on, over a week, it is broken.
		f.s.Clock.Add(84 * time.Hour)
		f.run(t)
		if got := f.states(t, a)["/flaky"]; got.State != evidence.Unreachable {
			t.Fatalf("/flaky failing for 3.5 days: %+v", got)
		}
		f.s.Clock.Add(84 * time.Hour)
		f.run(t)
		got = f.states(t, a)
		if got["/flaky"].State != evidence.Broken || got["/flaky"].Failures != 5 {
			t.Fatalf("/flaky failing for 7 days: %+v", got["/flaky"])
		}
		if got["/hang"].State != evidence.Broken {
			t.Errorf("/hang, which never answered: %s", got["/hang"].State)
		}
		f.s.Clock.Add(84 * time.Hour)
		f.run(t)
		told := 0
		list, _ := db.Reminders(ctx, c.ID)
		for _, r := range list {
			if strings.HasPrefix(r.Kind, notice.KindPrefix+"evidence_broken:") {
				told++
				if !strings.Contains(r.Body, "/flaky") && !strings.Contains(r.Body, "/hang") {
					t.Errorf("the notice of a broken link names another: %s", r.Body)
				}
			}
		}
		if told != 2 { // /flaky and /hang, each once
			t.Errorf("%d notices of broken links, want 2", told)
		}
		checks, _ := db.EvidenceChecks(ctx, a.ID)
		if len(checks) < 6*3 {
			t.Errorf("%d checks recorded", len(checks))
		}
	})
}

// A copy is kept once, however many links read it, and served only for
// the evidence of public actions.
func TestArchiveIsPublicOnlyAndDeduplicated(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.s.Cycle(t, 2026)
		public := f.accepted(t, c.ID, action.Public, "/stable", "/stable-too")
		hidden := f.accepted(t, c.ID, action.SecretariatOnly, "/changing")
		f.run(t)
		got := f.states(t, public)
		if got["/stable"].CapturedSHA256 != got["/stable-too"].CapturedSHA256 {
			t.Fatal("two links with the same content captured differently")
		}
		size, err := f.links.Size(ctx)
		if err != nil || size.Copies != 1 || size.Bytes != int64(len("The decree of 3 March 2026.")) {
			t.Errorf("the archive: %+v %v, want one copy", size, err)
		}
		if len(f.states(t, hidden)) != 0 {
			t.Error("the evidence of an action kept for the secretariat is followed")
		}
		for _, sha := range []string{strings.Repeat("0", 64), "../../etc/passwd", "ABC"} {
			if _, _, err := f.links.Archived(ctx, sha); err == nil {
				t.Errorf("%q: served", sha)
			}
		}
		// Withdrawn, the action's copies are no longer served.
		if _, err := f.actions.Move(ctx, testutil.System, public.ID, 0, action.Withdrawn, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.links.Archived(ctx, got["/stable"].CapturedSHA256); err == nil {
			t.Error("the copy of a withdrawn action's evidence is served")
		}
	})
}

// Two checkers at once (two replicas, or a run that overlaps the next)
// check each due link once; a check asked for twice in a minute is one.
func TestEvidenceChecksOnce(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.s.Cycle(t, 2026)
		var ids []int64
		for i := 0; i < 5; i++ {
			ids = append(ids, f.accepted(t, c.ID, action.Public, "/stable", "/changing").ID)
		}
		var wg sync.WaitGroup
		counts := make([]int, 3)
		errs := make([]error, len(counts))
		for i := range counts {
			wg.Add(1)
			go func() { defer wg.Done(); counts[i], errs[i] = f.links.Run(ctx) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		total := 0
		for _, n := range counts {
			total += n
		}
		checks := 0
		for _, id := range ids {
			list, _ := db.EvidenceChecks(ctx, id)
			checks += len(list)
		}
		if total != 10 || checks != 10 || f.site.n.Load() != 10 {
			t.Errorf("three checkers at once: %v checks reported, %d recorded, %d requests; want 10 of each", counts, checks, f.site.n.Load())
		}
		sec := user.Actor{UserID: 0, Role: user.Secretariat, Name: "sec"}
		f.s.Clock.Add(2 * time.Minute)
		if n, err := f.links.CheckNow(ctx, sec, ids[0]); err != nil || n != 2 {
			t.Fatalf("check now: %d, %v", n, err)
		}
		if n, _ := f.links.CheckNow(ctx, sec, ids[0]); n != 0 {
			t.Errorf("asked again at once: %d more", n)
		}
		if n := f.run(t); n != 2 {
			t.Errorf("the run after a check asked for: %d checks", n)
		}
		if _, err := f.links.CheckNow(ctx, user.Actor{UserID: 9, Role: user.Supporter, StakeholderID: f.org.ID}, ids[0]); err == nil {
			t.Error("a supporter asks for a check")
		}
	})
}

// A new version of an action gives its evidence again: the links it
// dropped are no longer followed nor served, the others are checked again
// at its acceptance.
func TestEvidenceFollowsTheActionAsItStands(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.s.Cycle(t, 2026)
		a := f.accepted(t, c.ID, action.Public, "/flaky", "/stable")
		f.run(t)
		dropped := f.states(t, a)["/flaky"].CapturedSHA256
		if dropped == "" {
			t.Fatal("/flaky was not captured")
		}
		// Withdrawn by the secretariat, reopened, its link replaced, accepted
		// again.
		steps := []func() error{
			func() error {
				_, err := f.actions.Move(ctx, testutil.System, a.ID, 0, action.Withdrawn, "")
				return err
			},
			func() error { _, err := f.actions.Move(ctx, testutil.System, a.ID, 0, action.Draft, ""); return err },
			func() error {
				cur, err := f.actions.Get(ctx, testutil.System, a.ID)
				if err != nil {
					return err
				}
				_, err = f.actions.Update(ctx, testutil.System, a.ID, cur.Version, func(in *action.Input) {
					in.Evidence = []action.Evidence{{Kind: "policy", URL: f.site.URL + "/stable", Title: "Stable"},
						{Kind: "policy", URL: f.site.URL + "/changing", Title: "Changing"}}
				})
				return err
			},
			func() error {
				_, err := f.actions.Move(ctx, testutil.System, a.ID, 0, action.Submitted, "")
				return err
			},
			func() error { _, err := f.actions.Move(ctx, testutil.System, a.ID, 0, action.Accepted, ""); return err },
		}
		f.s.Clock.Add(time.Hour)
		for _, step := range steps {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		got := f.states(t, a)
		if _, still := got["/flaky"]; still || len(got) != 2 || got["/changing"].State != evidence.Pending {
			t.Fatalf("links after the new version: %+v", got)
		}
		if !got["/stable"].NextCheckAt.Equal(f.s.Clock.Now()) {
			t.Errorf("a link kept is not checked again at acceptance: due %s", got["/stable"].NextCheckAt)
		}
		if _, _, err := f.links.Archived(ctx, dropped); err == nil {
			t.Error("the copy of a dropped link is still served")
		}
		f.site.version.Store(2) // /flaky is down now: it is no longer anyone's concern
		if n := f.run(t); n != 2 {
			t.Errorf("checks after the new acceptance: %d, want 2", n)
		}
	})
}

// Evidence accepted before checks began (an upgrade, or checks turned off
// meanwhile) is followed by the first run of the job.
func TestEvidenceAcceptedBeforeIsFollowed(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.s.Cycle(t, 2026)
		in := testutil.ActionInput()
		in.Evidence = []action.Evidence{{Kind: "law", URL: f.site.URL + "/stable", Title: "Stable"}}
		a, err := f.s.Actions.Create(context.Background(), testutil.System, f.org.ID, c.ID, in) // services that follow nothing
		if err == nil {
			a, err = f.s.Actions.Move(context.Background(), testutil.System, a.ID, 0, action.Submitted, "")
		}
		if err == nil {
			a, err = f.s.Actions.Move(context.Background(), testutil.System, a.ID, 0, action.Accepted, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := f.run(t); n != 1 || f.states(t, a)["/stable"].State != evidence.OK {
			t.Errorf("the first run: %d checks, %+v", n, f.states(t, a))
		}
	})
}

// CheckAll checks every due link, although its workers race for the same
// first one: a worker that loses a claim takes the next link instead of
// stopping while the others, seeing every place taken, stop too.
func TestCheckAllChecksEveryDueLink(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.s.Cycle(t, 2026)
		for i := 0; i < 6; i++ {
			f.accepted(t, c.ID, action.Public, "/stable", "/stable-too")
		}
		for round := 0; round < 15; round++ {
			f.s.Clock.Add(2 * time.Minute) // past the minute within which a link is not checked again
			n, err := f.links.CheckAll(ctx, 0, nil)
			if err != nil || n != 12 {
				t.Fatalf("round %d: %d of 12 links checked, %v", round, n, err)
			}
		}
	})
}
