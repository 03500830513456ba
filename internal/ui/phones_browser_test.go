package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/pctracker/pctracker/internal/app"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// phoneWidth is the width of a small phone's screen, in CSS pixels.
const phoneWidth = 375

// notLinked are the pages no link of the demo leads to, with why: the
// crawl cannot find them, and each has its own test.
var notLinked = map[string]string{
	"/signin/code":     "the second step of a sign-in with an authenticator (twostep_test)",
	"/invite":          "opened from an invitation mail (invite_test)",
	"/reset/new":       "opened from a password-reset mail (auth_test)",
	"/archive/:sha256": "a copy of someone else's page, shown as it was captured",
	"/admin/cycles/:year/extensions/:stakeholder_id/revoke": "the demo grants no extension",
	"/cards/dashboard.png":         "a share card: an image named in the pages' head, no page (cards_test)",
	"/cards/recommendations/:file": "a share card: an image named in the pages' head, no page (cards_test)",
	"/cards/organisations/:file":   "a share card: an image named in the pages' head, no page (cards_test)",
	"/follow/confirm/:token":       "opened from a subscription's mail (follow_test, at 375 px)",
	"/follow/manage/:token":        "opened from a subscription's mail (follow_test, at 375 px)",
	"/unsubscribe/:token":          "opened from a subscription's mail (follow_test, at 375 px)",
	"/catalog.jsonld":              "the releases' DCAT catalogue: JSON-LD for machines, no page (api's TestReleaseCatalog)",
}

// Every page, public and signed in for each role, on the demo's data (full
// tables, long names, published reports, challenges), is no wider than a
// 375 px phone: wide tables and charts scroll inside their own box. The
// pages are found as a person finds them, by following links from the
// dashboard, and every page route of the router must be among them (or in
// notLinked). PCT_SCREENSHOTS=DIR saves the public pages at 375 and 1280 px.
func TestEveryPageFitsAPhone(t *testing.T) {
	testutil.Chromium(t)
	base, logins := startDemo(t)
	t.Logf("sign-ins: %v", logins)
	patterns := pageRoutes(t)
	seen := map[string]bool{}
	charts, hashes := 0, 0 // how many were measured
	// The secretariat first: it compiles and publishes a report, whose
	// pages the others then see.
	roles := []struct{ name, email string }{{"secretariat", logins["secretariat"]}, {"visitor", ""},
		{"focal point", logins["focal point"]}, {"member", logins["member"]}, {"reviewer", logins["reviewer"]}}
	for _, role := range roles {
		if role.name != "visitor" && role.email == "" {
			t.Fatalf("the demo prints no %s to sign in as: %v", role.name, logins)
		}
		client := apptest.BrowserClient()
		// A role walks every page it may open, each in two languages and
		// the visitor's with axe: minutes on a loaded machine, not seconds.
		b := testutil.BrowserWithin(t, 5*time.Minute)
		var seeds []string
		if role.email != "" {
			signInDemo(t, client, b, base, role.email)
		}
		if role.name == "secretariat" {
			// The demo has no report: one published for the past cycle,
			// with its files and their checksums, and a draft to publish.
			published := compileReport(t, client, base, 2026)
			form := url.Values{"csrf_token": {apptest.CSRFOf(t, apptest.Get(t, client, base+published).Body)}, "confirm": {"yes"}}
			if r := apptest.PostForm(t, client, base+published+"/publish", form); r.Status != http.StatusSeeOther {
				t.Fatalf("publish %s: %d %.300s", published, r.Status, r.Body)
			}
			seeds = append(seeds, compileReport(t, client, base, 2027)+"/publish")
		}
		pages := crawl(t, client, base, patterns, seeds...)
		if role.name == "visitor" {
			// On the demo too, with the report just published, each
			// linked figure is its list's total.
			figures := []string{"/?lang=en", "/?cycle=2026&lang=fr", "/?cycle=2025&lang=en", "/frameworks?lang=en", pages["/frameworks/:key"]}
			for n := 1; n <= 12; n++ {
				figures = append(figures, fmt.Sprintf("/recommendations/%d?lang=en", n))
			}
			checkFigureLinks(t, client, base, figures, 200)
		}
		testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(phoneWidth, 812)))
		for _, p := range slices.Sorted(func(yield func(string) bool) {
			for k := range pages {
				if !yield(k) {
					return
				}
			}
		}) {
			seen[p] = true
			langs := []string{"en"}
			if role.name == "visitor" {
				langs = append(langs, "fr") // longer words
			}
			for _, lang := range langs {
				u := withLang(pages[p], lang)
				testutil.Must(t, chromedp.Do(b, chromedp.Navigate(base+u), chromedp.WaitReady(chromedp.CSS("footer"))))
				w, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
				testutil.Must(t, err)
				if w > phoneWidth {
					wide, _ := chromedp.Run(b, chromedp.Evaluate[string](widest))
					t.Errorf("%s, %s: %s is %d px wide on a %d px phone (widest: %s)", role.name, lang, u, w, phoneWidth, wide)
				}
				if role.name == "visitor" && lang == "en" {
					testutil.CheckAccessibility(t, b, u+" at 375 px")
				}
				charts += checkChartText(t, b, u)
				hashes += checkHashes(t, b, u)
				if role.name == "visitor" && os.Getenv("PCT_SCREENSHOTS") != "" {
					name := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(p), "-"), "-")
					if name == "" {
						name = "dashboard"
					}
					testutil.Screenshot(t, b, name+"-"+lang+"-375")
					testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(1280, 900)))
					testutil.Screenshot(t, b, name+"-"+lang+"-1280")
					testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(phoneWidth, 812)))
				}
			}
		}
		t.Logf("%s: %d pages at %d px", role.name, len(pages), phoneWidth)
	}
	if charts == 0 || hashes == 0 {
		t.Errorf("%d charts and %d SHA-256 values measured: the pages lost them", charts, hashes)
	}
	t.Logf("%d charts and %d SHA-256 values measured", charts, hashes)
	for _, p := range patterns {
		if !seen[p] && notLinked[p] == "" {
			t.Errorf("no link of the demo leads to %s: the test did not check it", p)
		}
	}
}

// widest names the element that sticks out furthest to the right, to say
// what to fix.
const widest = `(() => { let best = null, right = 0;
  for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect().right;
    if (r > right) { right = r; best = e; } }
  return best ? best.tagName.toLowerCase() + '.' + best.className + ' ' + Math.round(right) + ' px' : ''; })()`

func withLang(u, lang string) string {
	p, _ := url.Parse(u)
	q := p.Query()
	q.Set("lang", lang)
	p.RawQuery = q.Encode()
	return p.String()
}

// startDemo runs `pctracker demo` on a free port and returns its address
// and its sign-ins by role.
func startDemo(t *testing.T) (string, map[string]string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- app.Run(ctx, []string{"demo", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()},
			func(string) string { return "" }, strings.NewReader(""), out, &syncBuffer{})
	}()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(out.String(), "Press Ctrl+C") {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not start: %s", out.String())
		}
		select {
		case code := <-done:
			t.Fatalf("the demo ended (%d): %s", code, out.String())
		case <-time.After(200 * time.Millisecond):
		}
	}
	text := out.String()
	base := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(text)
	if base == nil {
		t.Fatalf("no address in %s", text)
	}
	logins := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(\S+@\S+)\s+(.+)$`).FindAllStringSubmatch(text, -1) {
		what := m[2] // "secretariat", or "focal_point of NAME (kind)", "member of ..."
		role := ""
		switch {
		case what == "secretariat":
			role = "secretariat"
		case strings.HasPrefix(what, "focal_point") && (strings.HasSuffix(what, "(academia)") || strings.HasSuffix(what, "(civil_society)")):
			role = "reviewer" // the first organisation of those kinds reviews
		case strings.HasPrefix(what, "focal_point"):
			role = "focal point"
		case strings.HasPrefix(what, "member"):
			role = "member"
		}
		if role != "" && logins[role] == "" {
			logins[role] = m[1]
		}
	}
	return strings.TrimSuffix(base[1], "/"), logins
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// signInDemo signs in with the demo's password, in the client and in the
// browser.
func signInDemo(t *testing.T, client *http.Client, b context.Context, base, email string) {
	t.Helper()
	r := apptest.PostAnonForm(t, client, base+"/signin", url.Values{"email": {email}, "password": {app.DemoPassword}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", email, r.Status)
	}
	testutil.Must(t, chromedp.Do(b,
		chromedp.Navigate(base+"/signin"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), app.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	))
}

// pageRoutes lists the router's GET routes that may answer a page: not
// the API, the assets, nor the files (CSV, XLSX, feeds).
func pageRoutes(t *testing.T) []string {
	t.Helper()
	_, routes := apptest.StartServerWithRoutes(t, testutil.NewDB(t, "sqlite"), time.Now)
	var out []string
	for _, r := range routes {
		p := r.Path
		if r.Method != http.MethodGet || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/static") || strings.Contains(p, "*") ||
			regexp.MustCompile(`\.(csv|xlsx|xml|txt|ico|atom|json|svg|pdf|html)$`).MatchString(p) || p == "/healthz" || p == "/metrics" || p == "/readyz" {
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// crawl follows the links of the site from its dashboard, as the client
// may, and returns for each page route the first address found for it
// that answers a page.
func crawl(t *testing.T, client *http.Client, base string, patterns []string, seeds ...string) map[string]string {
	t.Helper()
	// A route without parameters wins over one with (/actions/new is
	// not the action "new").
	patterns = slices.Clone(patterns)
	slices.SortStableFunc(patterns, func(a, b string) int { return strings.Count(a, ":") - strings.Count(b, ":") })
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile("^" + regexp.MustCompile(`:[a-z0-9_]+`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$")
	}
	match := func(path string) string {
		for i, re := range res {
			if re.MatchString(path) {
				return patterns[i]
			}
		}
		return ""
	}
	found := map[string]string{}
	// Fetches per route, to bound the crawl: a few of each, as one
	// action's page links to its edit page and another's does not.
	tried := map[string]int{}
	queue := append([]string{"/", "/workspace", "/review", "/account"}, seeds...)
	queued, fetched := map[string]bool{}, 0
	for len(queue) > 0 && fetched < 500 {
		u := queue[0]
		queue = queue[1:]
		pu, _ := url.Parse(u)
		p := match(pu.Path)
		if p == "" || tried[p] >= 12 {
			continue
		}
		tried[p]++
		fetched++
		r := apptest.Get(t, client, base+u)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		if found[p] == "" {
			found[p] = u
		}
		doc, err := html.Parse(strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "a" {
				if l, err := pu.Parse(attr(n, "href")); err == nil && (l.Host == "" || base == "http://"+l.Host) {
					l.Scheme, l.Host, l.Fragment = "", "", ""
					q := l.Query()
					q.Del("lang")
					l.RawQuery = q.Encode()
					if s := l.String(); !queued[s] {
						queued[s] = true
						queue = append(queue, s)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	return found
}

// compileReport compiles the report of the cycle of year through its page,
// as the secretariat does, and returns the report's address.
func compileReport(t *testing.T, client *http.Client, base string, year int) string {
	t.Helper()
	page := fmt.Sprintf("%s/admin/cycles/%d", base, year)
	form := url.Values{"csrf_token": {apptest.CSRFOf(t, apptest.Get(t, client, page).Body)}}
	r := apptest.PostForm(t, client, page+"/reports", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("compile the report of %d: %d %.300s", year, r.Status, r.Body)
	}
	return r.Header.Get("Location")
}

// checkChartText measures the text of the page's charts as drawn: the
// smallest is at least 12 px. It returns how many charts it measured.
func checkChartText(t *testing.T, b context.Context, page string) int {
	t.Helper()
	got, err := chromedp.Run(b, chromedp.Evaluate[[]float64](`[...document.querySelectorAll('svg.chart')].map(svg => {
		const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
		return Math.min(...[...svg.querySelectorAll('text')].map(e => parseFloat(getComputedStyle(e).fontSize) * scale));
	})`))
	testutil.Must(t, err)
	for i, px := range got {
		if px < 12 {
			t.Errorf("%s: the text of chart %d is drawn at %.1f px on a phone, under 12", page, i+1, px)
		}
	}
	return len(got)
}

// checkHashes checks the page's SHA-256 values: each shows a part of
// itself, and selecting it (as copying does) gives the whole value. It
// returns how many it checked.
func checkHashes(t *testing.T, b context.Context, page string) int {
	t.Helper()
	type hash struct {
		Copied        string
		Shown, Needed float64
		Lines         int
	}
	got, err := chromedp.Run(b, chromedp.Evaluate[[]hash](`[...document.querySelectorAll('code.hash')].map(e => {
		const r = document.createRange(); r.selectNodeContents(e);
		const sel = getSelection(); sel.removeAllRanges(); sel.addRange(r);
		const copied = sel.toString(); sel.removeAllRanges();
		// The width the whole value needs on one line, in its font.
		const m = document.createElement('span');
		m.style.cssText = 'position: absolute; white-space: nowrap; visibility: hidden';
		m.style.font = getComputedStyle(e).font; m.textContent = e.textContent;
		document.body.appendChild(m); const needed = m.getBoundingClientRect().width; m.remove();
		return {Copied: copied, Shown: e.getBoundingClientRect().width, Needed: needed, Lines: e.getClientRects().length};
	})`))
	testutil.Must(t, err)
	for _, h := range got {
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(h.Copied) {
			t.Errorf("%s: copying a SHA-256 value gives %q, not the whole value", page, h.Copied)
		}
		if h.Shown*3 > h.Needed || h.Lines != 1 {
			t.Errorf("%s: a SHA-256 value takes %.0f of its %.0f px, on %d lines: it is not shortened", page, h.Shown, h.Needed, h.Lines)
		}
	}
	return len(got)
}
