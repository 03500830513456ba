package systemtest_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// leading tells whether r says, in its metrics, that it leads the scheduler.
func (r *proc) leading() bool {
	if r.exited() {
		return false
	}
	resp, err := http.Get(r.url("/metrics"))
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(b), "\npctracker_scheduler_leader 1")
}

// jobRuns counts, from r's metrics, the runs of a job that r made, by
// result (succeeded, skipped or failed).
func (r *proc) jobRuns(job string) map[string]int {
	runs := map[string]int{}
	resp, err := http.Get(r.url("/metrics"))
	if err != nil {
		return runs
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	prefix := `pctracker_job_runs_total{job="` + job + `",result="`
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		result, count, _ := strings.Cut(rest, `"} `)
		var n int
		if _, err := fmt.Sscan(count, &n); err == nil {
			runs[result] = n
		}
	}
	return runs
}

// startReplicas starts n processes of the pctracker binary bin serving the
// PostgreSQL database at dbURL, named replica-1 to replica-n, each on an
// address of its own, with env on top of the settings they share (a later
// value of a variable wins), and waits until each answers. They are killed
// at the end of the test, and their logs shown if it failed.
func startReplicas(t *testing.T, bin, dbURL string, n int, env ...string) []*proc {
	t.Helper()
	shared := append([]string{"PCT_DATABASE_URL=" + dbURL, "PCT_MAIL_DIR=" + t.TempDir(), "PCT_SCHEDULER_LEADER_POLL=200ms"}, env...)
	var replicas []*proc
	for i := 1; i <= n; i++ {
		replicas = append(replicas, startProc(t, bin, fmt.Sprintf("replica-%d", i),
			fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), shared...))
	}
	for _, r := range replicas {
		r.waitOK(t, "/healthz", 30*time.Second)
	}
	return replicas
}

// stopReplicas ends the replicas still running with SIGTERM, as an
// orchestrator does, and expects each to exit cleanly.
func stopReplicas(t *testing.T, replicas []*proc) {
	t.Helper()
	for _, r := range replicas {
		if r.killed {
			continue
		}
		if err := r.stop(t, syscall.SIGTERM, time.Minute); err != nil {
			t.Errorf("%s exit after SIGTERM: %v", r.name, err)
		}
	}
}

// replicaLeader waits until exactly one live replica leads, and returns it.
func replicaLeader(t *testing.T, replicas []*proc) *proc {
	t.Helper()
	var leader *proc
	waitFor(t, 30*time.Second, "one leader", func() bool {
		n := 0
		for _, r := range replicas {
			if r.leading() {
				n, leader = n+1, r
			}
		}
		return n == 1
	})
	return leader
}

// reportingCycle creates a cycle between its report date and its Forum:
// the scheduler compiles its draft report in every slot.
func reportingCycle(t *testing.T, s *testutil.Services, today time.Time) cycle.Cycle {
	t.Helper()
	forum := today.AddDate(0, 0, 5)
	c, err := s.Cycles.Create(context.Background(), testutil.System, cycle.Input{Year: forum.Year(),
		OpensAt: today.AddDate(0, -5, 0), Deadline: today.AddDate(0, 0, -30), ReportAt: today.AddDate(0, 0, -2), ForumDate: forum})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Three pctracker processes on one PostgreSQL, with the schedule compressed
// to seconds: one leads; every report slot compiles one report, and every
// reminder goes out once, also after the leader is killed with SIGKILL at
// whatever moment and another takes over.
func TestReplicasScheduleOnce(t *testing.T) {
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	// A cycle between its report date and its Forum (reports every slot),
	// and the next one, seven days before its deadline (reminders).
	reporting := reportingCycle(t, s, today)
	next := reporting.Year + 1
	if _, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: next, OpensAt: today.AddDate(0, 0, -10),
		Deadline: today.AddDate(0, 0, 7), ForumDate: time.Date(next, 11, 30, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		org := s.Stakeholder(t, stakeholder.State)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: fmt.Sprintf("focal%d@replicas.example", i), Name: "F",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint}); err != nil {
			t.Fatal(err)
		}
	}
	smtp := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := smtp.Start(); err != nil {
		t.Fatal(err)
	}
	defer smtp.Stop()

	replicas := startReplicas(t, buildBinary(t), dbURL, 3, "PCT_MAIL_BACKEND=smtp", "PCT_MAIL_SMTP_HOST=127.0.0.1",
		fmt.Sprintf("PCT_MAIL_SMTP_PORT=%d", smtp.PortNumber()), "PCT_MAIL_SMTP_TLS=none",
		"PCT_SCHEDULER_REPORT_PERIOD=2s", "PCT_SCHEDULER_REPORT_OFFSET=0s", "PCT_SCHEDULER_REMINDER_PERIOD=2s",
		"PCT_SCHEDULER_REMINDER_OFFSET=0s", "PCT_SCHEDULER_MAIL_PERIOD=1s")
	scheduled := func() int {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled'")
	}

	waitFor(t, 30*time.Second, "the reminders", func() bool { return len(smtp.Messages()) >= 3 })
	waitFor(t, 30*time.Second, "three report slots", func() bool { return scheduled() >= 3 })
	leader := replicaLeader(t, replicas)
	killedAt := time.Now().UTC()
	leader.kill(t)
	before := scheduled()
	waitFor(t, 30*time.Second, "a new leader's reports", func() bool { return scheduled() >= before+3 })
	stopReplicas(t, replicas)

	// Every slot at most once, and every succeeded slot with its one report.
	twice := apptest.QueryInt(t, db.SQL(), `SELECT count(*) FROM (SELECT slot FROM reports WHERE source = 'scheduled'
		GROUP BY cycle_id, slot HAVING count(*) > 1) twice`)
	if twice != 0 {
		t.Errorf("%d slots compiled twice", twice)
	}
	runs := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = 'report-compile' AND status = 'succeeded'")
	reports := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled' AND cycle_id = $1", reporting.ID)
	if reports != runs {
		t.Errorf("%d scheduled reports for %d succeeded slots", reports, runs)
	}
	after := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled' AND compiled_at > $1", killedAt)
	if after < 2 {
		t.Errorf("%d reports after the leader was killed", after)
	}
	// Three reminders decided, three sent, three Received: none twice.
	time.Sleep(200 * time.Millisecond)
	sent := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE status = 'sent'")
	if sent != 3 {
		t.Errorf("%d reminders sent, want 3", sent)
	}
	received := len(smtp.Messages())
	if received != 3 {
		t.Errorf("%d messages received, want 3", received)
	}
	t.Logf("%d succeeded report slots, %d scheduled reports (%d after the SIGKILL of leader %s), %d slots twice; "+
		"%d reminders sent, %d received", runs, reports, after, leader.name, twice, sent, received)
}

// claimState tells where the ledger claim of a job's slot stands: committed
// (with its status), held by a transaction still open, or free. An open
// claim is invisible to other sessions; an insert of the same key shows it,
// as it has to wait for that transaction (here at most lock_timeout), and
// is rolled back whatever happens.
func claimState(t *testing.T, db *store.DB, job, slot string) string {
	t.Helper()
	ctx := context.Background()
	var status string
	err := db.SQL().QueryRowContext(ctx, "SELECT status FROM job_runs WHERE job = $1 AND slot = $2", job, slot).Scan(&status)
	if err == nil {
		return "committed as " + status
	}
	if !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // the probe never commits
	if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '500ms'"); err != nil {
		t.Fatal(err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO job_runs (job, slot, node, status, started_at)
		VALUES ($1, $2, 'probe', 'running', now()) ON CONFLICT (job, slot) DO NOTHING`, job, slot)
	switch {
	case err != nil && strings.Contains(err.Error(), "55P03"): // lock_not_available
		return "held by an open transaction"
	case err != nil:
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "committed meanwhile"
	}
	return "free"
}

// The leader is killed with SIGKILL in the middle of a scheduled report
// compile: after it has claimed the slot and begun the report, before it
// commits. Its claim and its half-written report go with its transaction;
// another replica takes over, its own claim of the slot waits for the dead
// transaction to end, and the slot is then compiled once, by the new
// leader; a third leader, after that one is killed too, does not compile
// it again.
func TestReplicasLeaderKilledMidJob(t *testing.T) {
	const job = "report-compile"
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	reporting := reportingCycle(t, s, time.Now().UTC().Truncate(24*time.Hour))

	// The report runs hourly, and the slot of the test begins 10 s from
	// now: at start the leader catches up the slot before it (a first
	// report), and the tick of the test's slot is the run that is held up
	// and killed. An hour-long slot leaves the takeover all the time it
	// needs within the same slot, however busy the machine.
	bin := buildBinary(t)
	every := jobs.Every{Period: time.Hour}
	boundary := time.Now().UTC().Add(10 * time.Second).Truncate(time.Second)
	every.Offset = boundary.Sub(boundary.Truncate(every.Period))
	slot, previous := every.Key(boundary), every.Key(boundary.Add(-every.Period))
	replicas := startReplicas(t, bin, dbURL, 3, "PCT_SCHEDULER_REPORT_PERIOD="+every.Period.String(),
		"PCT_SCHEDULER_REPORT_OFFSET="+every.Offset.String())
	waitFor(t, 30*time.Second, "the catch-up of slot "+previous, func() bool {
		return claimState(t, db, job, previous) == "committed as succeeded"
	})

	// Hold up every write of report inputs, so that the tick, once it has
	// claimed its slot and created its report, waits in the middle of its
	// transaction for as long as the test needs.
	hold, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck // released on purpose below
	var holder int
	if err := hold.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&holder); err != nil {
		t.Fatal(err)
	}
	if _, err := hold.ExecContext(ctx, "LOCK TABLE report_inputs IN SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	if time.Now().After(boundary) {
		t.Fatalf("the replicas took more than 10 s to start: slot %s began before the test could hold it up", slot)
	}

	// The job is observably mid-way: a replica's connection waits on the
	// held lock to write the inputs of its report, and the claim of the
	// slot is in that connection's open transaction.
	var victim int
	var victimName string
	waitFor(t, time.Until(boundary)+30*time.Second, "the compile of slot "+slot+" to be under way", func() bool {
		return db.SQL().QueryRowContext(ctx, `SELECT pid, application_name FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE 'INSERT INTO "report_inputs"%'`, holder).Scan(&victim, &victimName) == nil
	})
	if got := claimState(t, db, job, slot); got != "held by an open transaction" {
		t.Fatalf("claim of slot %s while its report is being written: %s, want it held by the job's open transaction", slot, got)
	}
	leader := replicaLeader(t, replicas)
	if leader.name != victimName {
		t.Fatalf("slot %s is compiled by %s, but %s leads", slot, victimName, leader.name)
	}
	leader.kill(t)

	// Another replica is elected and catches up the slot, which is still
	// the current one; its claim waits for the dead transaction, whose
	// connection PostgreSQL keeps until the held lock lets it notice that
	// its client is gone.
	var takerName string
	waitFor(t, 30*time.Second, "another replica to claim slot "+slot, func() bool {
		return db.SQL().QueryRowContext(ctx, `SELECT application_name FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE 'INSERT INTO "job_runs"%'`, victim).Scan(&takerName) == nil
	})
	taker := replicaLeader(t, replicas)
	if taker.name != takerName {
		t.Fatalf("slot %s is claimed by %s, but %s leads", slot, takerName, taker.name)
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "slot "+slot+" to complete", func() bool {
		return claimState(t, db, job, slot) == "committed as succeeded"
	})

	// The new leader killed too, the last replica takes over and catches
	// up the same slot: the ledger refuses it, the slot stays compiled once.
	// Its runs are counted from before, in case it led at some point.
	before := map[string]map[string]int{}
	for _, r := range replicas {
		before[r.name] = r.jobRuns(job)
	}
	taker.kill(t)
	last := replicaLeader(t, replicas)
	again := map[string]int{}
	waitFor(t, 30*time.Second, last.name+" to catch up slot "+slot, func() bool {
		for result, n := range last.jobRuns(job) {
			if d := n - before[last.name][result]; d > 0 {
				again[result] = d
			}
		}
		return len(again) > 0
	})
	if again["skipped"] != 1 || len(again) != 1 {
		t.Errorf("%s ran slot %s again on taking over: %v, want it skipped", last.name, slot, again)
	}
	stopReplicas(t, replicas)

	// Completed once, by the new leader: one succeeded ledger row, in its
	// name, and one report with all its inputs; nothing left of the killed
	// run, and no slot compiled twice.
	var node string
	if err := db.SQL().QueryRowContext(ctx, "SELECT node FROM job_runs WHERE job = $1 AND slot = $2", job, slot).Scan(&node); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(":%d", taker.cmd.Process.Pid); !strings.HasSuffix(node, want) {
		t.Errorf("slot %s recorded as run by %s, want %s (pid %d)", slot, node, taker.name, taker.cmd.Process.Pid)
	}
	ledger := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = $1 AND slot = $2 AND status = 'succeeded'", job, slot)
	if ledger != 1 {
		t.Errorf("%d succeeded ledger rows for slot %s, want 1", ledger, slot)
	}
	compiled := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled' AND slot = $1", slot)
	if compiled != 1 {
		t.Errorf("%d reports for slot %s, want 1", compiled, slot)
	}
	chunks := apptest.QueryInt(t, db.SQL(), `SELECT count(*) FROM report_inputs i JOIN reports r ON r.id = i.report_id
		WHERE r.source = 'scheduled' AND r.slot = $1 AND r.inputs_sha256 <> ''`, slot)
	if chunks == 0 {
		t.Errorf("the report of slot %s has no inputs", slot)
	}
	twice := apptest.QueryInt(t, db.SQL(), `SELECT count(*) FROM (SELECT slot FROM reports WHERE source = 'scheduled'
		GROUP BY cycle_id, slot HAVING count(*) > 1) twice`)
	if twice != 0 {
		t.Errorf("%d slots compiled twice", twice)
	}
	runs := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = $1 AND status = 'succeeded'", job)
	reports := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reports WHERE source = 'scheduled' AND cycle_id = $1", reporting.ID)
	if runs != 2 || reports != 2 {
		t.Errorf("%d succeeded runs and %d scheduled reports, want 2 of each (slots %s and %s)", runs, reports, previous, slot)
	}
	t.Logf("leader %s killed while compiling slot %s (its claim open, its report's inputs being written); %s took over "+
		"(its claim waited for the dead transaction) and completed it: %d succeeded ledger row (node %s), %d report with %d input chunk(s); "+
		"%s, taking over in turn, ran it %v; %d succeeded slots, %d scheduled reports, %d slots twice",
		leader.name, slot, taker.name, ledger, node, compiled, chunks, last.name, again, runs, reports, twice)
}

// signInAt posts the sign-in form to r as a browser behind a trusted proxy
// would, from the client address from, with the form token of a page
// loaded before, and returns the status and whether a session was set. It
// is safe to call from several goroutines.
func signInAt(client *http.Client, r *proc, token, email, password, from string) (int, bool, error) {
	form := url.Values{"email": {email}, "password": {password}, "csrf_token": {token}}
	req, err := http.NewRequest(http.MethodPost, r.url("/signin"), strings.NewReader(form.Encode()))
	if err != nil {
		return 0, false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "pct_form="+token)
	req.Header.Set("X-Forwarded-For", from)
	res, err := client.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
		return 0, false, fmt.Errorf("429 from %s without Retry-After", r.name)
	}
	session := false
	for _, ck := range res.Cookies() {
		session = session || (strings.HasSuffix(ck.Name, "pct_session") && ck.Value != "")
	}
	return res.StatusCode, session, nil
}

// Failed sign-ins are counted in the database, so the limits hold in
// total across the replicas, whichever of them each attempt reaches: per
// account (from any address, one at a time or all at once) and per client
// address (for any account). The replicas trust the test as their proxy,
// so each attempt comes from the address it names.
func TestReplicasSignInThrottle(t *testing.T) {
	const accountLimit, ipLimit, extra = 5, 8, 7
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	// Supporters: their sign-in is the password alone, so a right one
	// that gets through is a session.
	org := s.Stakeholder(t, stakeholder.Company)
	for _, email := range []string{"locked@replicas.example", "burst@replicas.example", "open@replicas.example"} {
		if _, err := s.Users.Create(context.Background(), testutil.System, user.Input{Email: email, Name: "S",
			Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
	}
	replicas := startReplicas(t, buildBinary(t), dbURL, 3, "PCT_SCHEDULER_ENABLED=false", "PCT_HTTP_TRUSTED_PROXIES=127.0.0.1/32",
		fmt.Sprintf("PCT_SIGNIN_ACCOUNT_FAILURES=%d", accountLimit), fmt.Sprintf("PCT_SIGNIN_IP_FAILURES=%d", ipLimit),
		"PCT_SIGNIN_IP_WINDOW=1h")
	client := &http.Client{Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// One form token for every attempt: the sign-in form checks the cookie
	// against the field, on whichever replica.
	res, err := client.Get(replicas[0].url("/signin"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var token string
	for _, ck := range res.Cookies() {
		if ck.Name == "pct_form" {
			token = ck.Value
		}
	}
	if token == "" {
		t.Fatal("the sign-in form set no pct_form cookie")
	}
	signIn := func(t *testing.T, i int, email, password, from string) int {
		t.Helper()
		status, session, err := signInAt(client, replicas[i%len(replicas)], token, email, password, from)
		if err != nil {
			t.Fatal(err)
		}
		if session && status != http.StatusSeeOther {
			t.Errorf("a session set with status %d", status)
		}
		return status
	}

	// wrongPasswords makes limit+extra failed attempts, round robin over
	// the replicas: the first limit are judged (401), the rest refused
	// (429) whichever replica they reach.
	wrongPasswords := func(t *testing.T, limit int, attempt func(i int) int) (failed, refused int) {
		t.Helper()
		for i := 0; i < limit+extra; i++ {
			want := http.StatusUnauthorized
			if i >= limit {
				want = http.StatusTooManyRequests
			}
			switch got := attempt(i); {
			case got != want:
				t.Errorf("attempt %d on %s: %d, want %d", i+1, replicas[i%len(replicas)].name, got, want)
			case got == http.StatusUnauthorized:
				failed++
			default:
				refused++
			}
		}
		return failed, refused
	}

	t.Run("account", func(t *testing.T) {
		// Round robin over the replicas, each attempt from an address of
		// its own: only the account's count can stop them.
		failed, refused := wrongPasswords(t, accountLimit, func(i int) int {
			return signIn(t, i, "locked@replicas.example", "wrong password", fmt.Sprintf("198.51.100.%d", i+1))
		})
		right := 0
		for i := range replicas {
			if got := signIn(t, i, "locked@replicas.example", apptest.Password, fmt.Sprintf("198.51.100.%d", 100+i)); got == http.StatusTooManyRequests {
				right++
			} else {
				t.Errorf("right password on %s: %d, want 429", replicas[i].name, got)
			}
		}
		t.Logf("account limit %d: %d failures got 401, then %d of %d wrong and %d of %d right passwords got 429, round robin over %d replicas from %d addresses",
			accountLimit, failed, refused, extra, right, len(replicas), len(replicas), accountLimit+extra+len(replicas))
	})

	t.Run("account burst", func(t *testing.T) {
		// All at once, spread over the replicas: an attempt is counted
		// before it is judged, so at most the limit can pass, whatever the
		// interleaving.
		const attempts = 3 * accountLimit
		statuses := make([]int, attempts)
		failures := make([]error, attempts)
		var wg sync.WaitGroup
		for i := 0; i < attempts; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _, failures[i] = signInAt(client, replicas[i%len(replicas)], token, "burst@replicas.example", "wrong password",
					fmt.Sprintf("192.0.2.%d", i+1))
			}()
		}
		wg.Wait()
		byStatus := map[int]int{}
		for i, st := range statuses {
			if failures[i] != nil {
				t.Fatal(failures[i])
			}
			byStatus[st]++
		}
		if byStatus[http.StatusUnauthorized] > accountLimit || byStatus[http.StatusUnauthorized]+byStatus[http.StatusTooManyRequests] != attempts {
			t.Errorf("burst of %d: %v, want at most %d 401 and the rest 429", attempts, byStatus, accountLimit)
		}
		// Only judged attempts count: attempts of the burst that refused
		// each other are not held against the account, so it takes as
		// many more wrong passwords as the limit has room left, and no
		// more, before even the right one is refused.
		judged := byStatus[http.StatusUnauthorized]
		for ; judged < accountLimit; judged++ {
			if got := signIn(t, judged, "burst@replicas.example", "wrong password", fmt.Sprintf("192.0.2.%d", 100+judged)); got != http.StatusUnauthorized {
				t.Fatalf("wrong password %d after the burst: %d, want 401 (room left under the limit)", judged+1, got)
			}
		}
		for i, password := range []string{"wrong password", apptest.Password} {
			if got := signIn(t, i, "burst@replicas.example", password, fmt.Sprintf("192.0.2.%d", 200+i)); got != http.StatusTooManyRequests {
				t.Errorf("after %d judged failures, %q: %d, want 429", judged, password, got)
			}
		}
		t.Logf("account limit %d, burst of %d at once over %d replicas: %d got 401, %d got 429; %d more were judged, then wrong and right passwords got 429",
			accountLimit, attempts, len(replicas), byStatus[http.StatusUnauthorized], byStatus[http.StatusTooManyRequests],
			accountLimit-byStatus[http.StatusUnauthorized])
	})

	t.Run("address", func(t *testing.T) {
		// Round robin over the replicas from one address, each attempt for
		// an account of its own: only the address's count can stop them.
		const from = "203.0.113.7"
		failed, refused := wrongPasswords(t, ipLimit, func(i int) int {
			return signIn(t, i, fmt.Sprintf("nobody%d@replicas.example", i), "wrong password", from)
		})
		right := 0
		for i := range replicas {
			if got := signIn(t, i, "open@replicas.example", apptest.Password, from); got == http.StatusTooManyRequests {
				right++
			} else {
				t.Errorf("right password from %s on %s: %d, want 429", from, replicas[i].name, got)
			}
		}
		// The same account from another address signs in: what refused it
		// above was its address.
		if got, session, err := signInAt(client, replicas[0], token, "open@replicas.example", apptest.Password, "203.0.113.8"); err != nil {
			t.Fatal(err)
		} else if got != http.StatusSeeOther || !session {
			t.Errorf("right password from another address: %d (session %t), want 303 with a session", got, session)
		}
		t.Logf("address limit %d: %d failures got 401, then %d of %d wrong and %d of %d right passwords got 429, round robin over %d replicas; "+
			"the same account from another address signed in",
			ipLimit, failed, refused, extra, right, len(replicas), len(replicas))
	})
}

// Three replicas on one PostgreSQL, the digest and the mail jobs every
// second or two: every decision taken through them, on any replica, is
// mailed over SMTP once, in its reader's language, also when the leader
// sending the mail is killed with SIGKILL and another takes over.
func TestReplicasNoticesOnce(t *testing.T) {
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	// An open cycle, whatever the day the test runs: its Forum four weeks
	// ahead names its year.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	forum := today.AddDate(0, 0, 28)
	year := forum.Year()
	if _, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: year, OpensAt: today.AddDate(0, 0, -10),
		Deadline: today.AddDate(0, 0, 20), ReportAt: today.AddDate(0, 0, 25), ForumDate: forum}); err != nil {
		t.Fatal(err)
	}
	org, other := s.Stakeholder(t, stakeholder.State), s.Stakeholder(t, stakeholder.Company)
	token := func(email string, in user.Input) string {
		in.Email, in.Name = email, strings.Split(email, "@")[0]
		u, err := s.Users.Create(ctx, testutil.System, in)
		if err != nil {
			t.Fatal(err)
		}
		if email == "focal@own.example" {
			if _, err := s.Users.SetPreferences(ctx, u.Actor(), user.Preferences{Lang: "fr"}); err != nil {
				t.Fatal(err)
			}
		}
		_, secret, err := s.Users.CreateToken(ctx, testutil.System, email, "test")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	member := token("member@own.example", user.Input{Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.Member})
	focal := token("focal@own.example", user.Input{Role: user.Supporter, StakeholderID: org.ID, OrgRole: user.FocalPoint})
	token("focal@other.example", user.Input{Role: user.Supporter, StakeholderID: other.ID, OrgRole: user.FocalPoint})
	sec := token("sec@pc.example", user.Input{Role: user.Secretariat})

	server := apptest.StartSMTP(t)
	replicas := startReplicas(t, buildBinary(t), dbURL, 3, "PCT_MAIL_BACKEND=smtp", "PCT_MAIL_SMTP_HOST=127.0.0.1",
		fmt.Sprintf("PCT_MAIL_SMTP_PORT=%d", server.PortNumber()), "PCT_MAIL_SMTP_TLS=none", "PCT_BASE_URL=https://pct.example",
		"PCT_SCHEDULER_DIGEST_PERIOD=2s", "PCT_SCHEDULER_DIGEST_OFFSET=0s", "PCT_SCHEDULER_MAIL_PERIOD=1s",
		"PCT_SCHEDULER_REMINDER_DAYS=1") // no deadline reminder is due: the mail is the notices'

	// Each call goes to the next replica.
	next := 0
	call := func(secret, method, path, body string) apptest.Response {
		t.Helper()
		r := replicas[next%len(replicas)]
		for r.exited() {
			next++
			r = replicas[next%len(replicas)]
		}
		next++
		return apptest.APIClient{T: t, Base: r.url(""), Token: secret}.Do(method, path, body)
	}
	var ids []int64
	for _, title := range []string{"Export licensing rule", "Oversight board"} {
		body := strings.NewReplacer("Export licensing for intrusion software", title, `"cycle": 2026`, fmt.Sprintf(`"cycle": %d`, year)).Replace(apptest.NewActionBody)
		r := call(member, "POST", "/api/v1/actions", body)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		ids = append(ids, apptest.Decode[apptest.ActionJSON](t, r).ID)
	}
	steps := []struct {
		secret, method, path, body string
		status                     int
	}{
		{focal, "POST", fmt.Sprintf("/api/v1/cycles/%d/submit-all", year), "", 200},
		{sec, "POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[0]), `{"decision": "request_changes", "comment": "Link the published regulation."}`, 200},
		{sec, "POST", fmt.Sprintf("/api/v1/actions/%d/review", ids[1]), `{"decision": "accept"}`, 200},
		{sec, "POST", fmt.Sprintf("/api/v1/cycles/%d/extensions", year), fmt.Sprintf(`{"stakeholder_id": %d, "deadline": %q}`, org.ID,
			today.AddDate(0, 0, 23).Format(time.DateOnly)), 200},
	}
	for _, st := range steps {
		if r := call(st.secret, st.method, st.path, st.body); r.Status != st.status {
			t.Fatalf("%s %s: %d %s", st.method, st.path, r.Status, r.Body)
		}
	}
	// Every notice is marked sent only after the server took it: once all
	// are, a message sent twice would already be here.
	notices := func(status string) int {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM reminders WHERE kind LIKE 'notice:%' AND status = $1", status)
	}
	settled := func(n int) func() bool {
		return func() bool { return notices("sent") == n && notices("pending")+notices("sending") == 0 }
	}
	// Once the first five are out (receipt, two requests for changes, the
	// extension, the digest) and no mail is on its way, the leader is
	// killed: the next one sends the report's notices, and nothing twice.
	// (A sender killed between the server's answer and its mark would send
	// that one again after its lease: the at-least-once edge the outbox
	// accepts, which this test does not aim at.)
	waitFor(t, 60*time.Second, "the first five notices sent", settled(5))
	replicaLeader(t, replicas).kill(t)
	r := call(sec, "POST", fmt.Sprintf("/api/v1/cycles/%d/reports", year), "")
	if r.Status != 201 {
		t.Fatalf("compile: %d %s", r.Status, r.Body)
	}
	if r := call(sec, "POST", fmt.Sprintf("/api/v1/reports/%d/publish", apptest.Decode[apptest.ReportJSON](t, r).ID), ""); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	want := []string{
		"focal@other.example | pctracker: the " + fmt.Sprint(year) + " progress report is published",
		"focal@own.example | pctracker : 1 action acceptée pour " + org.Name,
		"focal@own.example | pctracker : accusé de réception, 2 actions soumises pour " + org.Name,
		"focal@own.example | pctracker : le rapport d'étape " + fmt.Sprint(year) + " est publié",
		"focal@own.example | pctracker : modifications demandées sur « Export licensing rule »",
		"focal@own.example | pctracker : nouvelle date limite pour " + org.Name + ", le " + locale.Date("fr", today.AddDate(0, 0, 23)),
		"member@own.example | pctracker: changes requested on \"Export licensing rule\"",
	}
	waitFor(t, 60*time.Second, "every notice sent", settled(len(want)))
	stopReplicas(t, replicas)
	got, mails := apptest.Received(t, server)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("received:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m := mails[want[6]]; !strings.Contains(m.Text, fmt.Sprintf("https://pct.example/actions/%d", ids[0])) || !strings.Contains(m.Text, "Link the published regulation.") {
		t.Errorf("the request for changes, in English:\n%s", m.Text)
	}
	t.Logf("%d notices over 3 replicas (the leader killed mid-way): each received once, each in its reader's language", len(got))
}

// Three replicas check evidence links at once (the leader on its
// schedule, the other two asked to run now, all together): each link is
// fetched and recorded once.
func TestReplicasCheckEvidenceOnce(t *testing.T) {
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	c := s.Cycle(t, time.Now().UTC().Year())
	var hits sync.Map // path -> requests
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := hits.LoadOrStore(r.URL.Path, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
		fmt.Fprintf(w, "Evidence page %s", r.URL.Path)
	}))
	defer site.Close()
	org := s.Stakeholder(t, stakeholder.State)
	const actions, perAction = 20, 3
	var links []evidence.Link
	for i := 0; i < actions; i++ {
		in := testutil.ActionInput()
		in.Evidence = nil
		for j := 0; j < perAction; j++ {
			in.Evidence = append(in.Evidence, action.Evidence{Kind: "law", URL: fmt.Sprintf("%s/%d/%d", site.URL, i, j), Title: "Text"})
		}
		a := s.Accepted(t, org, c, in)
		for _, e := range in.Evidence {
			links = append(links, evidence.Link{ActionID: a.ID, URL: e.URL, State: evidence.Pending, NextCheckAt: time.Now().UTC()})
		}
	}
	if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@pc.example", Name: "Sec", Role: user.Secretariat}); err != nil {
		t.Fatal(err)
	}
	_, token, err := s.Users.CreateToken(ctx, testutil.System, "sec@pc.example", "test")
	if err != nil {
		t.Fatal(err)
	}
	replicas := startReplicas(t, buildBinary(t), dbURL, 3, "PCT_EVIDENCE_ENABLED=true",
		"PCT_EVIDENCE_ALLOW_HOSTS="+strings.TrimPrefix(site.URL, "http://"), "PCT_EVIDENCE_CHECKS_PER_RUN=1000",
		"PCT_SCHEDULER_EVIDENCE_PERIOD=1s")
	leader := replicaLeader(t, replicas)
	// Due from now: every replica goes for them together.
	if err := db.TrackEvidence(ctx, links); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, r := range replicas {
		if r == leader {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := apptest.APIClient{T: t, Base: r.url(""), Token: token}.Do("POST", "/admin/jobs/evidence/run", "", "Content-Type", "application/x-www-form-urlencoded")
			if res.Status != 303 || apptest.FlashOf(res) != "flash_job_ran" {
				t.Errorf("run now on %s: %d %q", r.name, res.Status, apptest.FlashOf(res))
			}
		}()
	}
	wg.Wait()
	checked := func() int {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM evidence_links WHERE state <> 'pending' AND next_check_at > now()")
	}
	waitFor(t, 60*time.Second, "every link checked", func() bool { return checked() == len(links) })
	stopReplicas(t, replicas)
	rows := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM evidence_checks")
	fetched, twice := 0, 0
	hits.Range(func(_, n any) bool {
		fetched++
		if n.(*atomic.Int64).Load() != 1 {
			twice++
		}
		return true
	})
	if rows != len(links) || fetched != len(links) || twice != 0 {
		t.Errorf("%d links: %d checks recorded, %d fetched, %d fetched more than once", len(links), rows, fetched, twice)
	}
	t.Logf("%d evidence links, 3 replicas checking at once: %d checks recorded, each link fetched once", len(links), rows)
}
