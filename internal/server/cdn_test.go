package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// TestCDNHeaders (issue 21.2): public answers may be kept by a shared
// cache for the configured times and name what they show in Surrogate-Key
// and Cache-Tag; answers to someone signed in stay private, no-store,
// without keys.
func TestCDNHeaders(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testutil.NewServices(db)
		ts, _ := apptest.StartServerWith(t, db, s.Clock.Now, nil, func(cfg *config.Config) {
			cfg.HTTP.PublicFreshness = 0
			cfg.CDN.SMaxAge, cfg.CDN.StaleWhileRevalidate, cfg.CDN.StaleIfError = 7*time.Minute, 90*time.Second, 2*time.Hour
		})
		org := s.Stakeholder(t, stakeholder.State)
		last := s.Cycle(t, 2025)
		s.Cycle(t, 2026)
		in := testutil.ActionInput()
		in.Recommendations = []int{2, 5}
		a := s.Accepted(t, org, last, in)
		if _, err := s.Users.Create(ctx, testutil.System, user.Input{Email: "focal@cdn.example", Name: "Focal", Role: user.Supporter,
			StakeholderID: org.ID, OrgRole: user.FocalPoint, Password: apptest.Password}); err != nil {
			t.Fatal(err)
		}
		const policy = "public, max-age=60, s-maxage=420, stale-while-revalidate=90, stale-if-error=7200"
		orgKey, actionKey := fmt.Sprintf("org-%d", org.ID), fmt.Sprintf("action-%d", a.ID)
		allRecs := []string{"dashboard", "cycle-2025"}
		for n := 1; n <= 12; n++ {
			allRecs = append(allRecs, fmt.Sprintf("rec-%d", n))
		}
		public := []struct {
			path string
			keys []string
		}{
			{"/?cycle=2025", allRecs},
			{"/api/v1/dashboard?cycle=2025", allRecs},
			{"/recommendations/2", []string{"rec-2", "cycle-2025", orgKey, actionKey, "actions"}},
			{"/recommendations/5", []string{"rec-5", orgKey}},
			{fmt.Sprintf("/organisations/%d", org.ID), []string{orgKey}},
			{"/actions?cycle=2025", []string{"actions"}},
			{"/api/v1/actions?cycle=2025", []string{"actions"}},
			{"/api/v1/open-data/actions.csv", []string{"actions"}},
		}
		for _, p := range public {
			for _, enc := range []string{"", "gzip"} {
				r := fetchRaw(t, "GET", ts.URL+p.path, "Accept-Encoding", enc)
				if r.status != 200 || r.header.Get("Cache-Control") != policy {
					t.Errorf("%s (%q): %d, Cache-Control %q, want %q", p.path, enc, r.status, r.header.Get("Cache-Control"), policy)
				}
				checkKeys(t, p.path, r.header, p.keys)
				again := fetchRaw(t, "GET", ts.URL+p.path, "Accept-Encoding", enc, "If-None-Match", r.header.Get("ETag"))
				if again.status != 304 || again.header.Get("Cache-Control") != policy {
					t.Errorf("%s (%q) revalidated: %d, Cache-Control %q", p.path, enc, again.status, again.header.Get("Cache-Control"))
				}
			}
		}

		// An answer that sets a cookie (the language chosen) is the
		// visitor's own.
		if r := fetchRaw(t, "GET", ts.URL+"/recommendations/5?lang=fr"); r.header.Get("Set-Cookie") == "" ||
			!private(r.header) || r.header.Get("Surrogate-Key") != "" {
			t.Errorf("an answer with Set-Cookie %q: Cache-Control %q, Surrogate-Key %q", r.header.Get("Set-Cookie"),
				r.header.Get("Cache-Control"), r.header.Get("Surrogate-Key"))
		}

		// Signed in, the same addresses are nobody else's.
		browser := apptest.BrowserClient()
		if r := apptest.PostAnonForm(t, browser, ts.URL+"/signin", url.Values{"email": {"focal@cdn.example"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther {
			t.Fatalf("sign in: %d", r.Status)
		}
		for _, path := range []string{"/?cycle=2025", "/recommendations/2", fmt.Sprintf("/organisations/%d", org.ID), "/actions", "/workspace"} {
			r := apptest.Get(t, browser, ts.URL+path)
			if r.Status != 200 || !private(r.Header) || r.Header.Get("Surrogate-Key") != "" || r.Header.Get("Cache-Tag") != "" {
				t.Errorf("%s signed in: %d, Cache-Control %q, Surrogate-Key %q, Cache-Tag %q", path, r.Status,
					r.Header.Get("Cache-Control"), r.Header.Get("Surrogate-Key"), r.Header.Get("Cache-Tag"))
			}
			if n := len(r.Header.Values("Vary")); n != 1 {
				t.Errorf("%s signed in: %d Vary headers", path, n)
			}
		}
		_, token, err := s.Users.CreateToken(ctx, testutil.System, "focal@cdn.example", "cdn")
		if err != nil {
			t.Fatal(err)
		}
		api := apptest.APIClient{T: t, Base: ts.URL, Token: token}
		if r := api.Do("GET", "/api/v1/dashboard?cycle=2025", ""); r.Status != 200 || !private(r.Header) || r.Header.Get("Surrogate-Key") != "" {
			t.Errorf("the API with a token: %d, Cache-Control %q, Surrogate-Key %q", r.Status, r.Header.Get("Cache-Control"), r.Header.Get("Surrogate-Key"))
		}
	})
}

// checkKeys checks that an answer's Surrogate-Key (space-separated) and
// Cache-Tag (comma-separated) name the same keys, among them want.
func checkKeys(t *testing.T, what string, h http.Header, want []string) {
	t.Helper()
	sk := strings.Fields(h.Get("Surrogate-Key"))
	ct := strings.Split(h.Get("Cache-Tag"), ",")
	if !slices.Equal(sk, ct) {
		t.Errorf("%s: Surrogate-Key %q and Cache-Tag %q differ", what, h.Get("Surrogate-Key"), h.Get("Cache-Tag"))
	}
	for _, k := range want {
		if !slices.Contains(sk, k) {
			t.Errorf("%s: Surrogate-Key %q lacks %s", what, h.Get("Surrogate-Key"), k)
		}
	}
}

// private says whether an answer is kept by no cache: no-store (pages
// signed in say it alone, as they always have), never public.
func private(h http.Header) bool {
	cc := h.Get("Cache-Control")
	return strings.Contains(cc, "no-store") && !strings.Contains(cc, "public") && !strings.Contains(cc, "s-maxage")
}
