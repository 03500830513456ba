package systemtest_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Three replicas on one PostgreSQL run the digests every two seconds:
// each subscriber, signed up and confirmed through any of them, receives
// one digest of the action accepted, over SMTP, however many slots pass
// and whichever replica leads (issue 20.2).
func TestReplicasSubscriberDigestsOnce(t *testing.T) {
	dbURL := testutil.NewDatabaseURL(t, "postgres")
	ctx := context.Background()
	db := apptest.OpenStore(t, dbURL)
	s := testutil.NewServices(db)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	s.Clock.Set(time.Now())
	forum := today.AddDate(0, 0, 28)
	c, err := s.Cycles.Create(ctx, testutil.System, cycle.Input{Year: forum.Year(), OpensAt: today.AddDate(0, 0, -10),
		Deadline: today.AddDate(0, 0, 20), ReportAt: today.AddDate(0, 0, 25), ForumDate: forum})
	if err != nil {
		t.Fatal(err)
	}
	org := s.Stakeholder(t, stakeholder.State)

	server := apptest.StartSMTP(t)
	replicas := startReplicas(t, buildBinary(t), dbURL, 3, "PCT_MAIL_BACKEND=smtp", "PCT_MAIL_SMTP_HOST=127.0.0.1",
		fmt.Sprintf("PCT_MAIL_SMTP_PORT=%d", server.PortNumber()), "PCT_MAIL_SMTP_TLS=none", "PCT_BASE_URL=https://pct.example",
		"PCT_SCHEDULER_DIGEST_PERIOD=2s", "PCT_SCHEDULER_DIGEST_OFFSET=0s", "PCT_SCHEDULER_MAIL_PERIOD=1s")

	readers := []string{"one@example.org", "two@example.org", "three@example.org"}
	for i, email := range readers {
		body := fmt.Sprintf(`{"email": %q, "filters": {"recommendation": [7, 9]}, "frequency": "daily", "lang": "en"}`, email)
		if r := (apptest.APIClient{T: t, Base: replicas[i].url("")}).Do("POST", "/api/v1/subscriptions", body); r.Status != 202 {
			t.Fatalf("sign-up on %s: %d %s", replicas[i].name, r.Status, r.Body)
		}
	}
	byReader := func() map[string][]string {
		got, mails := apptest.Received(t, server)
		out := map[string][]string{}
		for _, line := range got {
			to, _, _ := strings.Cut(line, " | ")
			out[to] = append(out[to], mails[line].Text)
		}
		return out
	}
	waitFor(t, 30*time.Second, "three confirmation mails", func() bool { return len(byReader()) == 3 })
	link := regexp.MustCompile(`https://pct\.example(/follow/confirm/pct_[A-Za-z0-9_-]+)`)
	for i, email := range readers {
		m := link.FindStringSubmatch(byReader()[email][0])
		if m == nil {
			t.Fatalf("no confirmation link to %s", email)
		}
		// Confirmed on another replica than the sign-up's.
		r := replicas[(i+1)%len(replicas)]
		if res := apptest.PostAnonForm(t, apptest.BrowserClient(), r.url(m[1]), url.Values{}); res.Status != 200 {
			t.Fatalf("confirm on %s: %d", r.name, res.Status)
		}
	}

	s.Clock.Set(time.Now())
	in := testutil.ActionInput()
	in.Title, in.Recommendations = "Vendor blacklist", []int{7}
	s.Accepted(t, org, c, in)
	digests := func() int {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscription_mails WHERE slot LIKE 'digest:%' AND status = 'sent'")
	}
	waitFor(t, 60*time.Second, "a digest sent to each reader", func() bool { return digests() == 3 })
	// Three more slots pass, led by whoever leads: nothing more is new.
	slots := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = 'digests'")
	waitFor(t, 30*time.Second, "three more digest slots", func() bool {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = 'digests'") >= slots+3
	})
	waitFor(t, 30*time.Second, "the outbox drained", func() bool {
		return apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM subscription_mails WHERE status <> 'sent'") == 0
	})
	stopReplicas(t, replicas)
	runs := apptest.QueryInt(t, db.SQL(), "SELECT count(*) FROM job_runs WHERE job = 'digests'")
	distinct := apptest.QueryInt(t, db.SQL(), "SELECT count(DISTINCT slot) FROM job_runs WHERE job = 'digests'")
	if runs != distinct {
		t.Errorf("%d runs of the digests for %d slots", runs, distinct)
	}
	for _, email := range readers {
		mails := byReader()[email]
		if len(mails) != 2 || !strings.Contains(strings.Join(mails, "\n"), "Vendor blacklist") {
			t.Errorf("%s received %d mails (a confirmation and one digest wanted): %q", email, len(mails), mails)
		}
	}
	t.Logf("3 readers, %d digest slots over 3 replicas: one digest each", distinct)
}
