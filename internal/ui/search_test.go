package ui_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The search page and the actions list mark the words a search found, in
// titles and in a snippet of the description, escaped like any text; the
// API answers the same search; whatever is typed answers a page, never a
// server error.
func TestSearchMarksWords(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			sc := apptest.NewScenario(t, testutil.NewDB(t, engine))
			apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) {
				in.Title = "Targeted sanctions against <em>spyware</em> brokers"
				in.Description = strings.Repeat("Context of the measure. ", 20) +
					"Asset freezes for brokers & vendors <script>alert(1)</script> who sell to abusers."
			})
			apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) {
				in.Title, in.Description = "Sécurité des réseaux", "Lignes directrices."
			})
			get := func(path string) apptest.Response {
				t.Helper()
				return apptest.Get(t, nil, sc.TS+path)
			}
			for _, c := range []struct {
				name, path string
				status     int
				want, not  []string
			}{
				{"search page", "/search?q=" + url.QueryEscape("brok SANC"), 200,
					[]string{"<mark>sanctions</mark> against &lt;em&gt;spyware&lt;/em&gt; <mark>brokers</mark>",
						"… ", "Asset freezes for <mark>brokers</mark> &amp; vendors &lt;script&gt;"},
					[]string{"<script>alert", "<em>spyware"}},
				{"actions list", "/actions?q=" + url.QueryEscape("spyware brokers"), 200,
					[]string{"Targeted sanctions against &lt;em&gt;<mark>spyware</mark>&lt;/em&gt; <mark>brokers</mark>",
						"for <mark>brokers</mark> &amp; vendors"},
					[]string{"<script>alert", "Sécurité"}},
				{"accents, in French", "/search?q=securite&lang=fr", 200, []string{"<mark>Sécurité</mark> des réseaux"}, []string{"brokers"}},
				{"the actions list without a search marks nothing", "/actions", 200, []string{"Sécurité des réseaux"},
					[]string{"<mark>", `class="snippet"`}},
				{"operators only", "/search?q=" + url.QueryEscape(`"*&|!:()'`), 200, nil, []string{"<mark>"}},
				{"too long, the search page", "/search?q=" + strings.Repeat("x", action.MaxQueryLength+1), 422, nil, nil},
				{"too long, the list", "/actions?q=" + strings.Repeat("x", action.MaxQueryLength+1), 422, nil, nil},
				{"the API", "/api/v1/actions?q=" + url.QueryEscape("brokers sanctions"), 200,
					[]string{`Targeted sanctions against \u003cem\u003espyware\u003c/em\u003e brokers`}, []string{"Sécurité"}},
				{"the API, too long", "/api/v1/actions?q=" + strings.Repeat("x", action.MaxQueryLength+1), 422, []string{`"q"`}, nil},
			} {
				t.Run(c.name, func(t *testing.T) {
					r := get(c.path)
					if r.Status != c.status {
						t.Fatalf("%s: %d, want %d", c.path, r.Status, c.status)
					}
					for _, w := range c.want {
						if !strings.Contains(r.Body, w) {
							t.Errorf("%s lacks %q", c.path, w)
						}
					}
					for _, n := range c.not {
						if strings.Contains(r.Body, n) {
							t.Errorf("%s has %q", c.path, n)
						}
					}
				})
			}
		})
	}
}
