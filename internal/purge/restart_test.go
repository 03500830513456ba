package purge_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/app"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// TestPurgeAcrossRestart (issue 21.2): the whole server, configured with a
// purge URL, accepts an action through the API while the webhook is down;
// it is stopped, a new one starts over the same database with the webhook
// up, and its purges job delivers the acceptance's keys once.
func TestPurgeAcrossRestart(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		hook, hookURL := startWebhook(t)
		hook.down.Store(true)
		// start runs the server as apptest does, with a purge URL, and
		// returns its address and how to stop it.
		start := func() (string, func()) {
			cfg := config.Default()
			cfg.BaseURL, cfg.Mail.Dir, cfg.Report.Chromium, cfg.Evidence.Enabled = "http://pct.test", apptest.MailDir(t), "off", false
			cfg.HTTP.PublicFreshness = 0
			cfg.CDN.PurgeURL, cfg.CDN.PurgeToken = hookURL, token
			srv, stopJobs, err := app.NewServer(cfg, db, s.Clock.Now, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv.Handler())
			return ts.URL, func() { ts.Close(); _ = stopJobs() }
		}
		org := s.Stakeholder(t, stakeholder.State)
		a := s.Action(t, org, s.Cycle(t, 2026))
		if _, err := s.Actions.Move(ctx, testutil.System, a.ID, a.Version, action.Submitted, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "sec@purge.example", Name: "Sec", Role: user.Secretariat}); err != nil {
			t.Fatal(err)
		}
		_, secret, err := s.Users.CreateToken(ctx, testutil.System, "sec@purge.example", "purge")
		if err != nil {
			t.Fatal(err)
		}

		base, stop := start()
		first := apptest.APIClient{T: t, Base: base, Token: secret}
		if r := first.Do("POST", fmt.Sprintf("/api/v1/actions/%d/review", a.ID), `{"decision": "accept"}`); r.Status != 200 {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		if r := first.Form("/admin/jobs/purges/run", url.Values{}); r.Status != 303 || hook.tries.Load() != 1 {
			t.Fatalf("purges job while the webhook is down: %d, %d tries", r.Status, hook.tries.Load())
		}
		// The server stops, the webhook comes back, and a new server starts
		// after the retry's wait.
		stop()
		hook.down.Store(false)
		s.Clock.Add(config.Default().CDN.PurgeRetry * 2)
		base, stop = start()
		defer stop()
		second := apptest.APIClient{T: t, Base: base, Token: secret}
		for i := 0; i < 2; i++ {
			if r := second.Form("/admin/jobs/purges/run", url.Values{}); r.Status != 303 {
				t.Fatalf("purges job after the restart: %d", r.Status)
			}
		}
		taken, auth := hook.received()
		want := []string{"cycle-2026", fmt.Sprintf("action-%d", a.ID), fmt.Sprintf("org-%d", org.ID), "actions", "dashboard", "rec-1", "rec-4"}
		if len(taken) != 1 || !slices.Equal(taken[0], want) || auth[0] != "Bearer "+token {
			t.Errorf("the webhook took %v (%q), want %v once", taken, auth, want)
		}
		rows, err := db.Purges(ctx)
		if err != nil || len(rows) != 1 || rows[0].Status != "sent" || rows[0].Attempts != 2 {
			t.Errorf("outbox: %+v %v, want one purge sent at the second attempt", rows, err)
		}
	})
}
