package testutil

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored from npm with its licence, for
// accessibility checks in browser tests only.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// Browser starts a headless Chromium for the test and returns a context to
// drive it, within 90 seconds.
func Browser(t *testing.T) context.Context {
	t.Helper()
	return BrowserWithin(t, 90*time.Second)
}

// BrowserWithin is Browser for a test that walks many pages: its actions
// share a context bounded by within.
func BrowserWithin(t *testing.T, within time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// The first run starts the browser and must have no deadline; the
	// test's actions then share a bounded context.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	bounded, cancelTimeout := context.WithTimeout(ctx, within)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return bounded
}

// AxeViolation is one accessibility rule a page breaks.
type AxeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

func (v AxeViolation) String() string {
	var targets []string
	for _, n := range v.Nodes {
		targets = append(targets, fmt.Sprint(n.Target...))
	}
	return fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(targets, ", "))
}

// Must ends the test when err is not nil: the steps of a page in a browser
// each depend on the one before.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// CheckAccessibility runs axe-core on the current page against WCAG 2.2
// level A and AA and fails the test for every violation.
func CheckAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	script := axeSource + `
;axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
  .then(r => JSON.stringify(r.violations))`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe: %v", page, err)
	}
	var violations []AxeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("%s: axe result: %v", page, err)
	}
	for _, v := range violations {
		t.Errorf("%s: %s", page, v)
	}
}

// Screenshot saves a full-page PNG of the current page to the folder named
// by PCT_SCREENSHOTS, if set, so that people can look at the pages a test
// walked through.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PCT_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 gives PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Chromium returns the path of the Chromium tests use: PCT_CHROMIUM, or
// chromium on PATH. Without it the test is skipped, except under CI=true
// where that is a failure (.ci/run installs it).
func Chromium(t testing.TB) string {
	t.Helper()
	path := os.Getenv("PCT_CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("Chromium is required under CI (apt-get install chromium)")
		}
		t.Skip("Chromium not installed; browser tests skipped")
	}
	return path
}
