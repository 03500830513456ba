package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/testutil"
)

// pctracker evidence check checks now, with a line per link (a bar on a
// terminal) and a summary; run again at once, it finds nothing due.
func TestEvidenceCheckCommand(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			site := apptest.NewEvidenceSite(t)
			url := testutil.NewDatabaseURL(t, engine)
			if r := apptest.RunCLI(t, map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn"}, "", "migrate", "up"); r.Code != 0 {
				t.Fatalf("migrate: %+v", r)
			}
			db := apptest.OpenStore(t, url)
			s := testutil.NewServices(db)
			ctx := context.Background()
			c := s.Cycle(t, 2026)
			org := s.Stakeholder(t, "state")
			in := testutil.ActionInput()
			in.Evidence = []action.Evidence{{Kind: "law", URL: site.URL + "/decree.html", Title: "Decree"},
				{Kind: "report", URL: site.URL + "/report.pdf", Title: "Report"}}
			a := s.Accepted(t, org, c, in)
			// Followed from acceptance: these services write no tracking of
			// their own, so the command's own services add the links here.
			if err := db.TrackEvidence(ctx, []evidence.Link{{ActionID: a.ID, URL: in.Evidence[0].URL, State: evidence.Pending, NextCheckAt: time.Now()},
				{ActionID: a.ID, URL: in.Evidence[1].URL, State: evidence.Pending, NextCheckAt: time.Now()}}); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"PCT_DATABASE_URL": url, "PCT_LOG_LEVEL": "warn",
				"PCT_EVIDENCE_ALLOW_HOSTS": strings.TrimPrefix(site.URL, "http://")}
			r := apptest.RunCLI(t, env, "", "evidence", "check", "--all")
			if r.Code != 0 || !strings.Contains(r.Stdout, "1/2 ") || !strings.Contains(r.Stdout, "2/2 ") ||
				!strings.Contains(r.Stdout, "2 evidence link(s) checked: 2 ok") {
				t.Fatalf("evidence check --all: %+v", r)
			}
			if r := apptest.RunCLI(t, env, "", "evidence", "check", "--action", fmt.Sprint(a.ID)); r.Code != 0 || !strings.Contains(r.Stdout, "0 evidence link(s) checked: nothing was due") {
				t.Errorf("again at once: %+v", r)
			}
			if r := apptest.RunCLI(t, env, "", "evidence", "check"); r.Code != 2 || !strings.Contains(r.Stderr, "--action ID or --all") {
				t.Errorf("without a target: %+v", r)
			}
			env["PCT_EVIDENCE_ENABLED"] = "false"
			if r := apptest.RunCLI(t, env, "", "evidence", "check", "--all"); r.Code != 2 || !strings.Contains(r.Stderr, "evidence checks are off") {
				t.Errorf("turned off: %+v", r)
			}
		})
	}
}
