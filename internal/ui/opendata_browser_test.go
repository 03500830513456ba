package ui_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The open-data page and the API reference, in both languages, fit a
// 375 px phone (their long paths and type names break inside the page)
// and axe finds nothing on them.
func TestOpenDataPagesInBrowser(t *testing.T) {
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	for _, width := range []int64{375, 1280} {
		b := testutil.Browser(t)
		for _, p := range []struct{ path, name string }{{"/open-data?lang=en", "open-data"}, {"/open-data?lang=fr", "open-data-fr"},
			{"/open-data/api?lang=en", "api-reference"}, {"/open-data/api?lang=fr", "api-reference-fr"}} {
			testutil.Must(t, chromedp.Do(b, chromedp.EmulateViewport(width, 900), chromedp.Navigate(sc.TS+p.path), chromedp.WaitVisible(chromedp.CSS("h1"))))
			wide, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
			testutil.Must(t, err)
			if wide {
				t.Errorf("%s is wider than %d px", p.path, width)
			}
			if width == 375 {
				testutil.CheckAccessibility(t, b, p.path)
			}
			testutil.Screenshot(t, b, fmt.Sprintf("%s-%d", p.name, width))
		}
	}
}
