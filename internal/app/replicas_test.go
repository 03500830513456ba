package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// buildBinary compiles pctracker once for a test that runs it as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pctracker")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/pctracker")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// Three pctracker processes on one PostgreSQL, with the schedule compressed
// to seconds: one leads; every report slot compiles one report, and every
// reminder goes out once, also after the leader is killed with SIGKILL and
// another takes over.
func TestReplicasScheduleOnce(t *testing.T) {
	url := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db, err := store.Open(ctx, url, store.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := testutil.NewServices(db)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	// A cycle between its report date and its Forum (reports every slot),
	// and the next one, seven days before its deadline (reminders).
	forum := today.AddDate(0, 0, 5)
	reporting, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: forum.Year(), OpensAt: today.AddDate(0, -5, 0),
		Deadline: today.AddDate(0, 0, -30), ReportAt: today.AddDate(0, 0, -2), ForumDate: forum})
	if err != nil {
		t.Fatal(err)
	}
	next := forum.Year() + 1
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

	bin := buildBinary(t)
	type replica struct {
		cmd  *exec.Cmd
		addr string
		log  string
	}
	start := func(i int) *replica {
		r := &replica{addr: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), log: filepath.Join(t.TempDir(), fmt.Sprintf("replica%d.log", i))}
		out, err := os.Create(r.log)
		if err != nil {
			t.Fatal(err)
		}
		r.cmd = exec.Command(bin, "serve")
		r.cmd.Env = append(os.Environ(), "PCT_DATABASE_URL="+url, "PCT_HTTP_ADDR="+r.addr, "PCT_MAIL_BACKEND=smtp",
			"PCT_MAIL_SMTP_HOST=127.0.0.1", fmt.Sprintf("PCT_MAIL_SMTP_PORT=%d", smtp.PortNumber()), "PCT_MAIL_SMTP_TLS=none",
			"PCT_SCHEDULER_REPORT_PERIOD=2s", "PCT_SCHEDULER_REPORT_OFFSET=0s", "PCT_SCHEDULER_REMINDER_PERIOD=2s",
			"PCT_SCHEDULER_REMINDER_OFFSET=0s", "PCT_SCHEDULER_MAIL_PERIOD=1s", "PCT_SCHEDULER_LEADER_POLL=200ms",
			"PCT_REPORT_CHROMIUM=off", "PCT_LOG_FORMAT=text")
		r.cmd.Stdout, r.cmd.Stderr = out, out
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = r.cmd.Process.Kill(); _ = r.cmd.Wait(); out.Close() })
		return r
	}
	var replicas []*replica
	for i := 0; i < 3; i++ {
		replicas = append(replicas, start(i))
	}
	dump := func() {
		for _, r := range replicas {
			b, _ := os.ReadFile(r.log)
			t.Logf("--- %s\n%s", r.log, b)
		}
	}
	leading := func(r *replica) bool {
		resp, err := http.Get("http://" + r.addr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "\npctracker_scheduler_leader 1")
	}
	count := func(q string, args ...any) int {
		var n int
		if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	scheduled := func() int { return count("SELECT count(*) FROM reports WHERE source = 'scheduled'") }
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if cond() {
				return
			}
		}
		dump()
		t.Fatalf("timed out waiting for %s", what)
	}

	waitUntil("the reminders", func() bool { return len(smtp.Messages()) >= 3 })
	waitUntil("three report slots", func() bool { return scheduled() >= 3 })
	var leader *replica
	waitUntil("one leader", func() bool {
		n := 0
		for _, r := range replicas {
			if leading(r) {
				n, leader = n+1, r
			}
		}
		return n == 1
	})
	killedAt := time.Now().UTC()
	if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = leader.cmd.Wait()
	before := scheduled()
	waitUntil("a new leader's reports", func() bool { return scheduled() >= before+3 })

	for _, r := range replicas {
		if r == leader {
			continue
		}
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		if err := r.cmd.Wait(); err != nil {
			dump()
			t.Errorf("replica exit after SIGTERM: %v", err)
		}
	}

	// Every slot at most once, and every succeeded slot with its one report.
	if n := count(`SELECT count(*) FROM (SELECT slot FROM reports WHERE source = 'scheduled'
		GROUP BY cycle_id, slot HAVING count(*) > 1) twice`); n != 0 {
		t.Errorf("%d slots compiled twice", n)
	}
	runs := count("SELECT count(*) FROM job_runs WHERE job = 'report-compile' AND status = 'succeeded'")
	if got := count("SELECT count(*) FROM reports WHERE source = 'scheduled' AND cycle_id = $1", reporting.ID); got != runs {
		t.Errorf("%d scheduled reports for %d succeeded slots", got, runs)
	}
	if n := count("SELECT count(*) FROM reports WHERE source = 'scheduled' AND compiled_at > $1", killedAt); n < 2 {
		t.Errorf("%d reports after the leader was killed", n)
	}
	// Three reminders decided, three sent, three received: none twice.
	time.Sleep(200 * time.Millisecond)
	if n := count("SELECT count(*) FROM reminders WHERE status = 'sent'"); n != 3 {
		t.Errorf("%d reminders sent, want 3", n)
	}
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("%d messages received, want 3", n)
	}
	if os.Getenv("PCT_DEBUG_REPLICAS") != "" {
		rows, _ := db.SQL().Query("SELECT slot, compiled_at FROM reports ORDER BY id")
		for rows.Next() {
			var slot string
			var at time.Time
			_ = rows.Scan(&slot, &at)
			t.Logf("report slot %s compiled %s", slot, at.Format(time.RFC3339Nano))
		}
		rows.Close()
		dump()
	}
	t.Logf("%d report slots compiled once each (%d after the SIGKILL); 3 reminders sent once", runs,
		count("SELECT count(*) FROM reports WHERE source = 'scheduled' AND compiled_at > $1", killedAt))
}
