package systemtest_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/pgcluster"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// The reliability tests run pctracker as a real process, as an operator
// does, and do to it what happens in production: SIGKILL, a PostgreSQL
// restart, SIGTERM in the middle of work.

// openCycle creates next year's cycle, open for submissions today on the
// real clock (the one the process uses), and returns its year.
func openCycle(t *testing.T, s *testutil.Services) int {
	t.Helper()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	year := today.Year() + 1
	if _, err := s.Cycles.Create(context.Background(), testutil.System, cycle.Input{Year: year, OpensAt: today.AddDate(0, 0, -10),
		Deadline: today.AddDate(0, 0, 7), ForumDate: time.Date(year, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return year
}

// apiToken creates a user and returns an API token of theirs.
func apiToken(t *testing.T, s *testutil.Services, in user.Input) string {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Users.Create(ctx, testutil.System, in); err != nil {
		t.Fatal(err)
	}
	_, secret, err := s.Users.CreateToken(ctx, testutil.System, in.Email, "reliability")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// focalToken creates an organisation and its focal point (who may submit),
// and returns the focal point's API token.
func focalToken(t *testing.T, s *testutil.Services) string {
	t.Helper()
	org := s.Stakeholder(t, stakeholder.State)
	return apiToken(t, s, user.Input{Email: fmt.Sprintf("focal%d@reliability.example", org.ID), Name: "Focal",
		Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint})
}

func actionBody(year, n int) string {
	return fmt.Sprintf(`{"cycle": %d, "title": "Reliability %d", "description": "Written under load.", "recommendations": [2],
 "stage": "adopted", "measure": "export_controls", "scope": "national", "visibility": "public",
 "evidence": [{"kind": "regulation", "url": "https://example.org/reg", "title": "Regulation"}]}`, year, n)
}

// callAPI sends one API request with a Bearer token. err is set when no
// complete answer came back.
func callAPI(ctx context.Context, client *http.Client, method, url, token, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// loadClient is a client for many concurrent requests to one server.
func loadClient() *http.Client {
	return &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
}

// atFiftyPerSecond runs fn(1), fn(2), ... each in a goroutine of its own
// counted in wg, one every 20 ms whatever the server does, until ctx ends.
func atFiftyPerSecond(ctx context.Context, wg *sync.WaitGroup, fn func(n int)) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(n)
		}()
	}
}

// acked is what the client was told of an action: the last 2xx answer.
type acked struct {
	title   string
	state   string
	version int
	moving  bool // a submit was sent after that answer and got none
}

// Point 9 of the reliability issue: 50 submissions/s against a real
// pctracker on PostgreSQL, killed with SIGKILL at random moments and
// restarted. Every write the client saw acknowledged is there with its
// history, and no action lacks its history or is half written.
func TestReliabilityKillLosesNoAcknowledgedWrite(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	db := apptest.OpenStore(t, url)
	s := testutil.NewServices(db)
	year := openCycle(t, s)
	tok := focalToken(t, s)
	bin := buildBinary(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	env := []string{"PCT_DATABASE_URL=" + url}
	p := startProc(t, bin, "", addr, env...)
	p.waitReady(t, time.Minute)
	base := "http://" + addr // the same across restarts

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := loadClient()
	var (
		mu       sync.Mutex
		acks     = map[int64]*acked{}
		failed   atomic.Int64 // requests without an answer
		refused  atomic.Int64 // requests answered with an error
		inflight atomic.Int64
		sent     atomic.Int64
		wg       sync.WaitGroup
	)
	// One submission: create a draft, then submit it. Only a complete 2xx
	// answer counts as acknowledged.
	submission := func(n int) {
		inflight.Add(1)
		status, body, err := callAPI(ctx, client, "POST", base+"/api/v1/actions", tok, actionBody(year, n))
		inflight.Add(-1)
		var a apptest.ActionJSON
		if err != nil {
			failed.Add(1)
			return
		}
		if status != http.StatusCreated || json.Unmarshal(body, &a) != nil || a.ID == 0 {
			refused.Add(1)
			return
		}
		mu.Lock()
		ack := &acked{title: a.Title, state: a.State, version: a.Version, moving: true}
		acks[a.ID] = ack
		mu.Unlock()
		inflight.Add(1)
		status, body, err = callAPI(ctx, client, "POST", fmt.Sprintf("%s/api/v1/actions/%d/submit", base, a.ID), tok,
			fmt.Sprintf(`{"version": %d}`, a.Version))
		inflight.Add(-1)
		var sub apptest.ActionJSON
		if err != nil {
			failed.Add(1)
			return
		}
		if status != http.StatusOK || json.Unmarshal(body, &sub) != nil || sub.ID != a.ID {
			refused.Add(1)
			return
		}
		mu.Lock()
		ack.state, ack.version, ack.moving = sub.State, sub.Version, false
		mu.Unlock()
	}
	// 50 submissions a second, whatever the state of the server: while it
	// is down they fail, which is not a loss.
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		atFiftyPerSecond(ctx, &wg, func(n int) {
			sent.Add(1)
			submission(n)
		})
	}()
	t.Cleanup(func() { cancel(); <-loadDone; wg.Wait() })

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	const kills = 4
	hit := 0
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(1000+rng.IntN(3000)) * time.Millisecond)
		// A kill between requests proves little: wait a moment for one.
		for deadline := time.Now().Add(time.Second); inflight.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(100 * time.Microsecond)
		}
		n := inflight.Load()
		hit += int(n)
		if err := p.stop(t, syscall.SIGKILL, 30*time.Second); err == nil {
			t.Fatal("pctracker exited cleanly after SIGKILL")
		}
		p = startProc(t, bin, "", addr, env...)
		p.waitReady(t, time.Minute)
	}
	time.Sleep(2 * time.Second)
	cancel()
	<-loadDone
	wg.Wait()
	// A clean stop, so that nothing is still being written while we look.
	if err := p.stop(t, syscall.SIGTERM, time.Minute); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}

	// Every acknowledged write is there as the client saw it. A submit
	// that got no answer may still have committed: then the action is one
	// version further and submitted.
	sqlDB := db.SQL()
	lost, unacked := 0, 0
	submitted := 0
	for id, a := range acks {
		var title, state string
		var version int
		err := sqlDB.QueryRow("SELECT title, state, version FROM actions WHERE id = $1", id).Scan(&title, &state, &version)
		switch {
		case err == sql.ErrNoRows:
			lost++
			t.Errorf("action %d (%s) acknowledged as %s v%d is missing", id, a.title, a.state, a.version)
			continue
		case err != nil:
			t.Fatal(err)
		}
		if a.state == "submitted" {
			submitted++
		}
		switch {
		case title == a.title && state == a.state && version == a.version:
		case a.moving && title == a.title && state == "submitted" && version == a.version+1:
			unacked++
		default:
			lost++
			t.Errorf("action %d acknowledged as %q %s v%d, stored as %q %s v%d", id, a.title, a.state, a.version, title, state, version)
		}
	}
	if len(acks) == 0 || submitted == 0 {
		t.Fatalf("no write was acknowledged (%d requests unanswered, %d refused)", failed.Load(), refused.Load())
	}

	// No action lacks its history or is half written, acknowledged or not.
	// Every change writes the action, its snapshot, its audit entry and,
	// for a workflow step, its review event in one transaction.
	checks := []struct{ what, q string }{
		{"actions whose version is not the number of their snapshots", `SELECT count(*) FROM actions a WHERE a.version <>
			(SELECT count(*) FROM action_versions v WHERE v.action_id = a.id) OR a.version <>
			(SELECT coalesce(max(v.version), 0) FROM action_versions v WHERE v.action_id = a.id)`},
		{"actions whose latest snapshot disagrees with them", `SELECT count(*) FROM actions a JOIN action_versions v
			ON v.action_id = a.id AND v.version = a.version
			WHERE v.snapshot->>'state' <> a.state OR v.snapshot->>'title' <> a.title OR (v.snapshot->>'version')::int <> a.version`},
		{"actions without an audit entry per version", `SELECT count(*) FROM actions a WHERE a.version <>
			(SELECT count(*) FROM audit_log l WHERE l.object_type = 'action' AND l.object_id = a.id::text)`},
		{"submitted actions without their submission", `SELECT count(*) FROM actions a WHERE a.state = 'submitted' AND
			(a.submitted_at IS NULL OR NOT EXISTS (SELECT 1 FROM review_events e WHERE e.action_id = a.id
			AND e.decision = 'submitted' AND e.version = a.version))`},
		// Here every change after the first is a submission.
		{"actions whose review events do not match their versions", `SELECT count(*) FROM actions a WHERE a.version - 1 <>
			(SELECT count(*) FROM review_events e WHERE e.action_id = a.id)`},
		{"actions whose evidence or recommendations differ from their snapshot", `SELECT count(*) FROM actions a
			JOIN action_versions v ON v.action_id = a.id AND v.version = a.version
			WHERE jsonb_array_length(v.snapshot->'evidence') <> (SELECT count(*) FROM evidence x WHERE x.action_id = a.id)
			OR jsonb_array_length(v.snapshot->'recommendations') <> (SELECT count(*) FROM action_recommendations r WHERE r.action_id = a.id)`},
	}
	half := 0
	for _, c := range checks {
		if n := apptest.QueryInt(t, sqlDB, c.q); n != 0 {
			half += n
			t.Errorf("%d %s", n, c.what)
		}
	}
	stored := apptest.QueryInt(t, sqlDB, "SELECT count(*) FROM actions")
	t.Logf("%d submissions at 50/s, %d SIGKILLs (seed %d) with %d requests in flight: %d creates and %d submits acknowledged, "+
		"%d lost; %d requests unanswered, %d refused; %d creates and %d submits committed without an answer; "+
		"%d half-written (history invariants broken)", sent.Load(), kills, seed, hit, len(acks), submitted, lost,
		failed.Load(), refused.Load(), stored-len(acks), unacked, half)
}

// pgServer is a PostgreSQL cluster of the test's own, in a temporary
// folder on a free port, which the test may restart without disturbing
// the server the other tests share.
type pgServer struct{ *pgcluster.Cluster }

// startPostgres creates and starts a private cluster. Without the server
// programs the test is skipped, except under CI=true where that is a
// failure.
func startPostgres(t *testing.T) *pgServer {
	t.Helper()
	bin, err := pgcluster.FindBin()
	if err != nil {
		noPrivatePostgres(t, err)
	}
	pg, err := pgcluster.New(bin, privateDir(t, "pctracker-pg-"), testutil.FreePort(t))
	if err != nil {
		noPrivatePostgres(t, err)
	}
	keepLog(t, "the private PostgreSQL", pg)
	return &pgServer{pg}
}

// noPrivatePostgres skips the test, or fails it under CI, when there is
// no private cluster to be had.
func noPrivatePostgres(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, pgcluster.ErrNoServer) || os.Getenv("CI") == "true" {
		t.Fatalf("a private PostgreSQL is required under CI: %v", err)
	}
	t.Skipf("no private PostgreSQL for this test: %v", err)
}

// privateDir is a temporary folder removed after the test.
func privateDir(t *testing.T, pattern string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", pattern)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// keepLog stops the cluster after the test, and shows its log when the
// test failed.
func keepLog(t *testing.T, name string, pg *pgcluster.Cluster) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- log of %s\n%s", name, pg.Log())
		}
		_ = pg.Stop("immediate")
	})
}

// sample is one request of a load: when it ran and whether it succeeded.
type sample struct {
	start, end time.Time
	status     int // 0: no answer
}

// samples collects the samples of a load, from many goroutines.
type samples struct {
	mu   sync.Mutex
	list []sample
}

func (s *samples) add(x sample) {
	s.mu.Lock()
	s.list = append(s.list, x)
	s.mu.Unlock()
}

// between returns the samples that started in [from, to).
func (s *samples) between(from, to time.Time) []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sample
	for _, x := range s.list {
		if !x.start.Before(from) && x.start.Before(to) {
			out = append(out, x)
		}
	}
	return out
}

// Point 10 of the reliability issue: PostgreSQL restarted under load, fast
// then immediate. pctracker never exits, /readyz reports the outage, and
// requests succeed again within 5 s of PostgreSQL answering again.
func TestReliabilityDatabaseRestart(t *testing.T) {
	pg := startPostgres(t)
	db := apptest.OpenStore(t, pg.URL)
	m, err := db.Migrator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := testutil.NewServices(db)
	year := openCycle(t, s)
	tok := focalToken(t, s)
	db.Close() // the test's own connections would only die with the restart
	bin := buildBinary(t)
	p := startProc(t, bin, "", fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), "PCT_DATABASE_URL="+pg.URL)
	p.waitReady(t, time.Minute)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := loadClient()
	var requests, readyz samples
	var wg sync.WaitGroup
	// About 50 requests a second, writes and reads in turn.
	wg.Add(1)
	go func() {
		defer wg.Done()
		atFiftyPerSecond(ctx, &wg, func(n int) {
			x := sample{start: time.Now()}
			var err error
			if n%2 == 0 {
				x.status, _, err = callAPI(ctx, client, "POST", p.url("/api/v1/actions"), tok, actionBody(year, n))
			} else {
				x.status, _, err = callAPI(ctx, client, "GET", p.url("/api/v1/my/actions?per_page=5"), tok, "")
			}
			if err != nil {
				x.status = 0
			}
			x.end = time.Now()
			if ctx.Err() == nil {
				requests.add(x)
			}
		})
	}()
	// /readyz, polled one after the other.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			x := sample{start: time.Now()}
			x.status, _, _ = callAPI(ctx, client, "GET", p.url("/readyz"), "", "")
			x.end = time.Now()
			if ctx.Err() == nil {
				readyz.add(x)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
	ok := func(x sample) bool { return x.status >= 200 && x.status < 300 }

	time.Sleep(2 * time.Second)
	var figures []string
	for _, mode := range []string{"fast", "immediate"} {
		restarted := time.Now()
		if out, err := pg.Ctl("restart", "-m", mode); err != nil {
			t.Fatalf("pg_ctl restart -m %s: %v\n%s", mode, err, out)
		}
		for deadline := time.Now().Add(time.Minute); !pg.Answers(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("PostgreSQL does not answer after restart -m %s", mode)
			}
		}
		back := time.Now()
		// Watch well past the 5 s the issue allows.
		time.Sleep(8 * time.Second)
		end := time.Now()
		if p.exited() {
			t.Fatalf("pctracker exited after restart -m %s: %v", mode, p.err)
		}

		outage := 0
		for _, x := range readyz.between(restarted, back) {
			if x.status == http.StatusServiceUnavailable {
				outage++
			}
		}
		if outage == 0 {
			t.Errorf("restart -m %s: /readyz never answered 503 while PostgreSQL was down", mode)
		}
		for _, x := range readyz.between(back.Add(5*time.Second), end) {
			if x.status != http.StatusOK {
				t.Errorf("restart -m %s: /readyz answered %d %.1f s after PostgreSQL was back", mode, x.status, x.start.Sub(back).Seconds())
				break
			}
		}
		failed, lastErr, after := 0, time.Time{}, 0
		statuses := map[int]int{}
		for _, x := range requests.between(restarted, end) {
			if ok(x) {
				if x.start.After(back.Add(5 * time.Second)) {
					after++
				}
				continue
			}
			failed++
			statuses[x.status]++
			if x.end.After(lastErr) {
				lastErr = x.end
			}
		}
		if after == 0 {
			t.Errorf("restart -m %s: no request succeeded from 5 s after PostgreSQL was back", mode)
		}
		// An outage is the database's, not a fault of pctracker: the
		// client is told to come back (503), never "internal error".
		if statuses[http.StatusInternalServerError] > 0 {
			t.Errorf("restart -m %s: %d requests answered 500 instead of 503", mode, statuses[http.StatusInternalServerError])
		}
		stopped := lastErr.Sub(back)
		if failed > 0 && stopped > 5*time.Second {
			t.Errorf("restart -m %s: errors went on %.1f s after PostgreSQL was back (5 s allowed)", mode, stopped.Seconds())
		}
		last := "none failed"
		if failed > 0 {
			last = fmt.Sprintf("the last one ending %+.2f s from PostgreSQL answering again (5 s allowed)", stopped.Seconds())
		}
		figures = append(figures, fmt.Sprintf("-m %s: restart took %.1f s, readyz 503 ×%d during the outage, %d requests failed %v, %s",
			mode, back.Sub(restarted).Seconds(), outage, failed, statuses, last))
	}
	cancel()
	wg.Wait()
	if err := p.stop(t, syscall.SIGTERM, time.Minute); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	t.Logf("pctracker never exited; %s", strings.Join(figures, "; "))
}

// Point 12 of the reliability issue: SIGTERM while a request is in flight
// and a job is running. The request is answered, the job finishes (or is
// left for the next start to resume), and the process exits with 0.
//
// Both are a report compilation over a generated cycle, the heaviest work
// pctracker does. The test holds a lock on the reports table while
// pctracker starts, so that the scheduled compilation (due today, run at
// once by the leader) and a compilation asked over the API both wait on
// it: SIGTERM then comes while both are certainly under way, however fast
// or slow the machine is.
func TestReliabilityGracefulShutdown(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	db := apptest.OpenStore(t, url)
	now := time.Now().UTC()
	sum := testutil.Generate(t, db, store.GenerateOptions{Organisations: 60, Cycles: 1, ActionsPerCycle: 20000, Seed: 12, Now: now})
	// The generated cycle is this year's: its report is made due today.
	today := now.Truncate(24 * time.Hour)
	if _, err := db.SQL().Exec("UPDATE cycles SET opens_at = $1, deadline = $2, report_at = $3, forum_date = $4 WHERE year = $5",
		today.AddDate(0, 0, -60), today.AddDate(0, 0, -30), today.AddDate(0, 0, -2), today.AddDate(0, 0, 5), now.Year()); err != nil {
		t.Fatal(err)
	}
	sec := apiToken(t, testutil.NewServices(db), user.Input{Email: "secretariat@reliability.example", Name: "Secretariat",
		Role: user.Secretariat})
	ctx := context.Background()
	lock, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback() //nolint:errcheck
	if _, err := lock.Exec("LOCK TABLE reports IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}

	bin := buildBinary(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	env := []string{"PCT_DATABASE_URL=" + url, "PCT_SCHEDULER_LEADER_POLL=200ms"}
	p := startProc(t, bin, "", addr, env...)
	p.waitReady(t, time.Minute)
	type answer struct {
		status int
		body   []byte
		err    error
		at     time.Time
	}
	answered := make(chan answer, 1)
	go func() {
		client := &http.Client{Timeout: 2 * time.Minute}
		status, body, err := callAPI(ctx, client, "POST", p.url(fmt.Sprintf("/api/v1/cycles/%d/reports", now.Year())), sec, "")
		answered <- answer{status, body, err, time.Now()}
	}()
	waiting := func() int {
		return apptest.QueryInt(t, db.SQL(), `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'reports'::regclass
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	}
	// Two waiting: the request, the only one sent, and the scheduled run.
	for deadline := time.Now().Add(time.Minute); waiting() < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) || p.exited() {
			t.Fatalf("the request and the scheduled job did not both start (%d waiting)", waiting())
		}
	}

	termAt := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// pctracker must wait for its work, not leave it.
	time.Sleep(time.Second)
	if p.exited() {
		t.Fatalf("pctracker exited while a request and a job were under way: %v", p.err)
	}
	select {
	case a := <-answered:
		t.Fatalf("the request was answered before its work could finish: %d %s %v", a.status, a.body, a.err)
	default:
	}
	releasedAt := time.Now()
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}

	var a answer
	select {
	case a = <-answered:
	case <-time.After(2 * time.Minute):
		t.Fatal("the request in flight at SIGTERM was never answered")
	}
	if a.err != nil || a.status != http.StatusCreated {
		t.Errorf("the request in flight at SIGTERM: %d %s %v", a.status, a.body, a.err)
	}
	var exitErr error
	select {
	case <-p.done:
		exitErr = p.err
	case <-time.After(2 * time.Minute):
		t.Fatal("pctracker did not exit after SIGTERM")
	}
	exitedAt := time.Now()
	exit := "exit status 0"
	if exitErr != nil {
		exit = exitErr.Error()
		t.Errorf("pctracker exit after SIGTERM: %v (want status 0)", exitErr)
	}

	jobStatus := func() string {
		var st string
		err := db.SQL().QueryRow("SELECT status FROM job_runs WHERE job = 'report-compile'").Scan(&st)
		if err == sql.ErrNoRows {
			return "none"
		}
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	job := "finished before the exit"
	if st := jobStatus(); st != "succeeded" {
		// The issue allows a run left for the next leader: then it must
		// leave nothing half done, and the next start must run it.
		job = "left as " + st + ", resumed by the next start"
		p = startProc(t, bin, "", addr, env...)
		for deadline := time.Now().Add(time.Minute); jobStatus() != "succeeded"; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) || p.exited() {
				t.Fatalf("the scheduled report was not resumed after the restart (%s)", jobStatus())
			}
		}
		if err := p.stop(t, syscall.SIGTERM, time.Minute); err != nil {
			t.Errorf("second exit: %v", err)
		}
	}
	if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled'"); n != 1 {
		t.Errorf("%d scheduled reports, want 1", n)
	}
	if n := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'manual'"); n != 1 {
		t.Errorf("%d reports from the request, want 1", n)
	}
	if n := apptest.QueryInt(t, db.SQL(), `SELECT count(*) FROM reports r WHERE r.inputs_sha256 = ''
		OR NOT EXISTS (SELECT 1 FROM report_inputs i WHERE i.report_id = r.id)`); n != 0 {
		t.Errorf("%d reports without their inputs", n)
	}
	t.Logf("SIGTERM with a report request and the scheduled report (cycle of %d actions) under way: request answered %d "+
		"%.1f s after the work could go on, scheduled run %s, %s %.1f s after SIGTERM (%.1f s of it held back by the test)",
		sum.Actions, a.status, a.at.Sub(releasedAt).Seconds(), job, exit, exitedAt.Sub(termAt).Seconds(), releasedAt.Sub(termAt).Seconds())
}
