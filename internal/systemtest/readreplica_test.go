package systemtest_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Read replicas (issue 21): pctracker over a PostgreSQL primary and a real
// streaming replica of it, both private clusters of this test.

// startStandby makes a streaming replica of primary (pg_basebackup -R) in
// a folder of its own and starts it on another port.
func startStandby(t *testing.T, primary *pgServer) *pgServer {
	t.Helper()
	sb, err := primary.Standby(privateDir(t, "pctracker-standby-"), testutil.FreePort(t))
	if err != nil {
		t.Fatal(err)
	}
	keepLog(t, "the standby", sb)
	return &pgServer{sb}
}

var queriesLine = regexp.MustCompile(`(?m)^pctracker_db_queries_total\{target="(primary|replica)"\} (\d+)`)

// queries reads from p's metrics how many statements ran on each target.
func (p *proc) queries(t *testing.T) (primary, replica int) {
	t.Helper()
	res, err := http.Get(p.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, m := range queriesLine.FindAllStringSubmatch(string(b), -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "primary" {
			primary = n
		} else {
			replica = n
		}
	}
	return primary, replica
}

// readyz is p's /readyz: its status and its JSON.
func (p *proc) readyz(t *testing.T) (int, map[string]string) {
	t.Helper()
	var body map[string]string
	status, b, err := callAPI(context.Background(), http.DefaultClient, "GET", p.url("/readyz"), "", "")
	if err != nil {
		return 0, nil
	}
	_ = json.Unmarshal(b, &body)
	return status, body
}

// publicPages are read by visitors: they must come from a replica.
var publicPages = []string{"/", "/actions", "/organisations", "/search?q=guidelines", "/open-data", "/api/v1/actions",
	"/api/v1/dashboard", "/api/v1/open-data/actions.csv", "/feed.atom"}

// readPublic reads every public page, each of which must answer 200.
func readPublic(t *testing.T, p *proc, when string) {
	t.Helper()
	for _, path := range publicPages {
		status, body, err := callAPI(context.Background(), http.DefaultClient, "GET", p.url(path), "", "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s: GET %s answered %d %v\n%.300s", when, path, status, err, body)
		}
	}
}

// replayed waits until the standby has replayed all the primary has
// written so far.
func replayed(t *testing.T, primary, standby *sql.DB) {
	t.Helper()
	var target string
	if err := primary.QueryRow("SELECT pg_current_wal_lsn()::text").Scan(&target); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the standby to replay the primary's WAL", func() bool {
		var ok bool
		err := standby.QueryRow("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target).Scan(&ok)
		return err == nil && ok
	})
}

func TestReadReplicas(t *testing.T) {
	primary := startPostgres(t)
	db := apptest.OpenStore(t, primary.URL)
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
	db.Close() // its connections would only die with the primary
	standby := startStandby(t, primary)
	primarySQL, standbySQL := openSQL(t, primary.URL), openSQL(t, standby.URL)
	replayed(t, primarySQL, standbySQL)

	p := startProc(t, buildBinary(t), "", fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), "PCT_DATABASE_URL="+primary.URL,
		"PCT_DATABASE_REPLICA_URLS="+standby.URL, "PCT_DATABASE_MAX_REPLICA_LAG=1s", "PCT_SCHEDULER_ENABLED=false")
	p.waitReady(t, time.Minute)
	if status, body := p.readyz(t); status != 200 || body["primary"] != "up" || body["replicas"] != "1 of 1 serving" {
		t.Fatalf("readyz with both up: %d %v", status, body)
	}

	// Public reads hit the replica, and only the replica.
	p0, r0 := p.queries(t)
	readPublic(t, p, "both up")
	p1, r1 := p.queries(t)
	if r1-r0 < len(publicPages) || p1 != p0 {
		t.Errorf("public reads: %d statements on the replica, %d on the primary (want at least %d, and none)", r1-r0, p1-p0, len(publicPages))
	}

	// Read-your-writes, with the replica's replay paused so that it cannot
	// have the write: the request that wrote answers with what it wrote,
	// and a signed-in read right after finds it.
	execSQL(t, standbySQL, "SELECT pg_wal_replay_pause()")
	status, body, err := callAPI(context.Background(), http.DefaultClient, "POST", p.url("/api/v1/actions"), tok, actionBody(year, 1))
	var a apptest.ActionJSON
	if err != nil || status != http.StatusCreated || json.Unmarshal(body, &a) != nil || a.Title != "Reliability 1" {
		t.Fatalf("create: %d %v %s", status, err, body)
	}
	status, body, err = callAPI(context.Background(), http.DefaultClient, "GET", p.url("/api/v1/my/actions"), tok, "")
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), `"Reliability 1"`) {
		t.Fatalf("signed-in read right after the write: %d %v %.300s", status, err, body)
	}
	if n := apptest.QueryInt(t, standbySQL, "SELECT count(*) FROM actions WHERE title = 'Reliability 1'"); n != 0 {
		t.Fatalf("the paused standby has the write (%d): the test proves nothing", n)
	}

	// A lagging replica is skipped while the primary is up: public reads
	// go to the primary until the replica catches up.
	waitFor(t, 30*time.Second, "the paused replica to be skipped", func() bool {
		_, body := p.readyz(t)
		return body["replicas"] == "0 of 1 serving"
	})
	p0, r0 = p.queries(t)
	readPublic(t, p, "replica lagging")
	p1, r1 = p.queries(t)
	if r1 != r0 || p1-p0 < len(publicPages) {
		t.Errorf("with the replica lagging: %d statements on the replica, %d on the primary", r1-r0, p1-p0)
	}
	// The replica, still paused and lagging, serves while the primary is
	// down: slightly old figures beat an error page.
	readOnlyWhilePrimaryDown(t, p, primary, tok, year)

	execSQL(t, standbySQL, "SELECT pg_wal_replay_resume()")
	waitFor(t, 30*time.Second, "the resumed replica to serve again", func() bool {
		_, body := p.readyz(t)
		return body["replicas"] == "1 of 1 serving"
	})
	_, r0 = p.queries(t)
	readPublic(t, p, "replica caught up")
	if _, r1 = p.queries(t); r1 == r0 {
		t.Error("the replica does not serve again once it has caught up")
	}
	if err := p.stop(t, syscall.SIGTERM, time.Minute); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}

// readOnlyWhilePrimaryDown stops the primary: public pages still answer
// from the replica, writes and signed-in pages are 503 read-only, never
// 500; once the primary is back, writes succeed within 5 s.
func readOnlyWhilePrimaryDown(t *testing.T, p *proc, primary *pgServer, tok string, year int) {
	t.Helper()
	if out, err := primary.Ctl("stop", "-m", "fast"); err != nil {
		t.Fatalf("pg_ctl stop: %v\n%s", err, out)
	}
	waitFor(t, 30*time.Second, "readyz to say the primary is down", func() bool {
		_, body := p.readyz(t)
		return body["primary"] == "down"
	})
	if status, body := p.readyz(t); status != http.StatusOK || body["status"] != "read-only" || body["replicas"] != "1 of 1 serving" {
		t.Errorf("readyz with the primary down: %d %v", status, body)
	}
	readPublic(t, p, "primary down")

	status, body, err := callAPI(context.Background(), http.DefaultClient, "POST", p.url("/api/v1/actions"), tok, actionBody(year, 2))
	var refusal struct {
		Error    struct{ Code, Message string }
		ReadOnly bool `json:"read_only"`
	}
	if err != nil || status != http.StatusServiceUnavailable || json.Unmarshal(body, &refusal) != nil || !refusal.ReadOnly ||
		!strings.Contains(refusal.Error.Message, "temporarily read-only") {
		t.Errorf("write with the primary down: %d %v %s", status, err, body)
	}
	// A signed-in page (its session is in the primary) gets the read-only
	// page, with a Retry-After.
	req, _ := http.NewRequest("GET", p.url("/workspace"), nil)
	req.AddCookie(&http.Cookie{Name: "pct_session", Value: "some-session"})
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(page), "Temporarily read-only") {
		t.Errorf("signed-in page with the primary down: %d Retry-After %q\n%.500s", res.StatusCode, res.Header.Get("Retry-After"), page)
	}
	req.Header.Set("Accept-Language", "fr")
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(page), "Temporairement en lecture seule") {
		t.Errorf("the read-only page in French: %d\n%.500s", res.StatusCode, page)
	}

	if err := primary.Start(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	var took time.Duration
	waitFor(t, 30*time.Second, "a write to succeed once the primary is back", func() bool {
		status, _, _ := callAPI(context.Background(), http.DefaultClient, "POST", p.url("/api/v1/actions"), tok, actionBody(year, 3))
		if status == http.StatusInternalServerError {
			t.Fatalf("a write answered 500 while the primary came back")
		}
		took = time.Since(back)
		return status == http.StatusCreated
	})
	if took > 5*time.Second {
		t.Errorf("writes succeeded %.1f s after the primary was back (5 s allowed)", took.Seconds())
	}
	if status, body := p.readyz(t); status != http.StatusOK || body["primary"] != "up" {
		t.Errorf("readyz once the primary is back: %d %v", status, body)
	}
	t.Logf("primary back: first write succeeded %.2f s after pg_ctl start returned", took.Seconds())
}

func openSQL(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func execSQL(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
