package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
)

// The share cards (issue 20.3) are 1200x630 PNG images of each figure: two
// recommendations give two images; one version of the public data gives
// the same bytes and ETag, revalidated with a 304, and new public data a
// new image. Unknown recommendations, hidden organisations and addresses
// not ending in .png are not found; no card sets a cookie.
func TestShareCards(t *testing.T) {
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		sc := apptest.NewScenario(t, db)
		apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2, 3} })
		gone, err := sc.S.Stakeholders.Create(context.Background(), testutil.System, stakeholder.Input{Name: "Dormant Ltd", Kind: stakeholder.Company, Country: "FR"})
		testutil.Must(t, err)
		get := func(path string, header ...string) apptest.Response {
			t.Helper()
			r := apptest.Get(t, nil, sc.TS+path, header...)
			if len(r.Header.Values("Set-Cookie")) > 0 {
				t.Errorf("%s sets a cookie: %q", path, r.Header.Values("Set-Cookie"))
			}
			return r
		}
		decode := func(path string) apptest.Response {
			t.Helper()
			r := get(path, "Cookie", "pct_session=ended; pct_lang=fr")
			if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("ETag") == "" ||
				r.Header.Get("Cache-Control") != "public, max-age=300" {
				t.Fatalf("%s: %d %v", path, r.Status, r.Header)
			}
			img, err := png.Decode(bytes.NewReader([]byte(r.Body)))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if b := img.Bounds(); b.Dx() != 1200 || b.Dy() != 630 {
				t.Errorf("%s: %v, want 1200x630", path, b)
			}
			if dir := os.Getenv("PCT_SCREENSHOTS"); dir != "" {
				_ = os.MkdirAll(dir, 0o755)
				_ = os.WriteFile(filepath.Join(dir, "card"+filepath.Base(filepath.Dir(path))+"-"+filepath.Base(path)+".png"), []byte(r.Body), 0o644)
			}
			return r
		}
		paths := []string{"/cards/dashboard.png", "/cards/dashboard.png?cycle=2025&lang=fr", "/cards/recommendations/2.png",
			"/cards/recommendations/3.png", "/cards/recommendations/5.png?lang=fr", fmt.Sprintf("/cards/organisations/%d.png", sc.Org.ID)}
		first := map[string]apptest.Response{}
		for _, p := range paths {
			first[p] = decode(p)
		}
		if first["/cards/recommendations/2.png"].Body == first["/cards/recommendations/3.png"].Body {
			t.Error("two recommendations gave the same card")
		}
		for _, p := range paths {
			again := decode(p)
			if again.Body != first[p].Body || again.Header.Get("ETag") != first[p].Header.Get("ETag") {
				t.Errorf("%s: other bytes for the same data", p)
			}
			if r := get(p, "If-None-Match", first[p].Header.Get("ETag")); r.Status != http.StatusNotModified {
				t.Errorf("%s: revalidation gave %d", p, r.Status)
			}
		}
		apptest.AcceptIn(t, sc, sc.OtherOrg.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2} })
		if after := decode("/cards/recommendations/2.png"); after.Body == first["/cards/recommendations/2.png"].Body ||
			after.Header.Get("ETag") == first["/cards/recommendations/2.png"].Header.Get("ETag") {
			t.Error("the card did not follow the new public data")
		}
		for _, p := range []string{"/cards/recommendations/13.png", "/cards/recommendations/2", "/cards/recommendations/02.png",
			"/cards/recommendations/x.png", fmt.Sprintf("/cards/organisations/%d.png", gone.ID), "/cards/organisations/999999.png",
			"/cards/dashboard.png?cycle=1999"} {
			if r := get(p); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, r.Status)
			}
		}
	})
}
