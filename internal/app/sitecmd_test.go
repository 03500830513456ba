package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/testutil"
)

// TestExportSiteCLI (issue 21.3): export-site writes the public site in
// both languages and says how much, refuses a folder that holds anything
// unless --force, which replaces what it held, and exits 2 on bad usage.
func TestExportSiteCLI(t *testing.T) {
	for _, engine := range testutil.Engines {
		t.Run(engine, func(t *testing.T) {
			url := testutil.NewDatabaseURL(t, engine)
			s := testutil.NewServices(testutil.NewDBAt(t, url))
			org := s.Stakeholder(t, stakeholder.State)
			env := map[string]string{"PCT_DATABASE_URL": url, "PCT_BASE_URL": "https://tracker.example.org"}
			dir := filepath.Join(t.TempDir(), "copy")

			r := apptest.RunCLI(t, env, "", "export-site", "-o", dir)
			if r.Code != 0 || !regexp.MustCompile(`wrote \d+ pages, \d+ files, [\d.]+ [KM]iB to `).MatchString(r.Stdout) {
				t.Fatalf("export: %+v", r)
			}
			for _, f := range []string{"index.html", "fr/index.html", "organisations/index.html", "sitemap.xml"} {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("the copy lacks %s: %v", f, err)
				}
			}
			// The stylesheet goes by its fingerprinted name, as the pages link it.
			if css, _ := filepath.Glob(filepath.Join(dir, "static", "css", "app.*.css")); len(css) != 1 {
				t.Errorf("the copy has %d fingerprinted stylesheets, want 1", len(css))
			}
			profile, err := os.ReadFile(filepath.Join(dir, "fr", "organisations", "index.html"))
			if err != nil || !strings.Contains(string(profile), org.Name) || !strings.Contains(string(profile), `href="https://tracker.example.org/signin?lang=fr"`) {
				t.Errorf("the French directory: %v %.300s", err, profile)
			}

			stale := filepath.Join(dir, "actions", "999", "index.html")
			if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(stale, []byte("withdrawn since"), 0o644); err != nil {
				t.Fatal(err)
			}
			r = apptest.RunCLI(t, env, "", "export-site", "-o", dir)
			if r.Code != 2 || !strings.Contains(r.Stderr, "is not empty") || !strings.Contains(r.Stderr, "--force") {
				t.Errorf("a folder that is not empty: %+v", r)
			}
			if _, err := os.Stat(stale); err != nil {
				t.Errorf("the refused export touched the folder: %v", err)
			}
			if r = apptest.RunCLI(t, env, "", "export-site", "-o", dir, "--force"); r.Code != 0 {
				t.Errorf("--force: %+v", r)
			}
			if _, err := os.Stat(stale); !os.IsNotExist(err) {
				t.Errorf("--force kept a page the site no longer has: %v", err)
			}

			if r = apptest.RunCLI(t, env, "", "export-site"); r.Code != 2 || !strings.Contains(r.Stderr, "missing required flag --o") {
				t.Errorf("without -o: %+v", r)
			}
		})
	}
}
