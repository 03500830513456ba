package ui_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// Another site (a server on another port: another origin) frames the
// dashboard's embed, which renders its chart and table inside the frame;
// the same site framing the dashboard itself is refused by Chromium, which
// says so on the console. Each embed passes axe and fits a phone.
func TestEmbedFramedElsewhere(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	site := sc.TS
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		src := site + "/embed/dashboard?cycle=2025"
		if r.URL.Path == "/refused" {
			src = site + "/?cycle=2025"
		}
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>A newspaper</title></head><body><main><h1>A newspaper</h1>`+
			`<iframe id="framed" src="%s" title="Progress" width="700" height="600"></iframe></main></body></html>`, src)
	}))
	t.Cleanup(other.Close)

	b := testutil.Browser(t)
	var mu sync.Mutex
	refused := make(chan string, 1)
	testutil.Must(t, chromedp.Listen(b, func(ev any) {
		if e, ok := ev.(*log.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "frame-ancestors") {
			mu.Lock()
			defer mu.Unlock()
			select {
			case refused <- e.Entry.Text:
			default:
			}
		}
	}))
	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(other.URL+"/framed"), chromedp.WaitVisible(chromedp.CSS("#framed"))))
	frame, err := chromedp.Run(b, chromedp.Nodes(chromedp.CSS("#framed")))
	testutil.Must(t, err)
	heading, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("h1"), chromedp.FromNode(frame[0])))
	testutil.Must(t, err)
	table, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("table caption"), chromedp.FromNode(frame[0])))
	testutil.Must(t, err)
	charts, err := chromedp.Run(b, chromedp.Nodes(chromedp.CSS("svg.chart"), chromedp.FromNode(frame[0])))
	testutil.Must(t, err)
	if !strings.Contains(heading, "Progress on the twelve recommendations · 2025") || table == "" || len(charts) != 1 {
		t.Errorf("the framed embed shows %q, %q and %d charts", heading, table, len(charts))
	}
	testutil.Screenshot(t, b, "embed-framed")

	testutil.Must(t, chromedp.Do(b, chromedp.Navigate(other.URL+"/refused")))
	select {
	case msg := <-refused:
		if !strings.Contains(msg, "'none'") {
			t.Errorf("refused for another reason: %s", msg)
		}
	case <-b.Done():
		t.Fatal("framing the dashboard was not refused")
	}

	for _, width := range []int64{375, 1280} {
		for _, p := range []string{"/embed/dashboard?cycle=2025", "/embed/dashboard?cycle=2025&lang=fr", "/embed/recommendations/1",
			"/embed/recommendations/2?lang=fr", fmt.Sprintf("/embed/organisations/%d", sc.Org.ID)} {
			testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+p), chromedp.WaitVisible(chromedp.CSS("h1"))))
			wide, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			testutil.Must(t, err)
			if wide {
				t.Errorf("%s is wider than %d px", p, width)
			}
			if width == 375 {
				testutil.CheckAccessibility(t, b, p)
			}
			testutil.Screenshot(t, b, fmt.Sprintf("embed-%s-%d", strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(strings.TrimPrefix(p, "/embed/")), width))
		}
	}
}

// The "Embed this" box, opened, passes axe on the dashboard, a
// recommendation's and an organisation's pages in both languages, and
// keeps them within a phone's width.
func TestEmbedBoxInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	b := testutil.Browser(t)
	for _, width := range []int64{375, 1280} {
		for _, p := range []string{"/?cycle=2025", "/?cycle=2025&lang=fr", "/recommendations/1", "/recommendations/1?lang=fr",
			fmt.Sprintf("/organisations/%d", sc.Org.ID), fmt.Sprintf("/organisations/%d?lang=fr", sc.Org.ID)} {
			testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+p),
				chromedp.Click(chromedp.CSS(".embed-box summary")), chromedp.WaitVisible(chromedp.CSS("#embed-code"))))
			code, err := chromedp.Run(b, chromedp.Value(chromedp.CSS("#embed-code")))
			testutil.Must(t, err)
			if !strings.HasPrefix(code, `<iframe src="http://pct.test/embed/`) {
				t.Errorf("%s: the code reads %q", p, code)
			}
			wide, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			testutil.Must(t, err)
			if wide {
				t.Errorf("%s is wider than %d px", p, width)
			}
			if width == 375 {
				testutil.CheckAccessibility(t, b, p)
			}
			testutil.Screenshot(t, b, fmt.Sprintf("embed-box-%s-%d", strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(p), width))
		}
	}
}
