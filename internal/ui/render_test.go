package ui

import (
	"bytes"
	"sync"
	"testing"

	"github.com/pctracker/pctracker/web"
)

// Page templates are checked at start but made on first use, once, even
// when many visitors ask for the same page at once; and a page that does
// not exist is an error, not a panic.
func TestPagesMadeOnFirstUse(t *testing.T) {
	r, err := newRenderer(web.Templates(), web.I18n(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.pages["en"]) + len(r.pages["fr"]); n != 0 || len(r.files) < 40 {
		t.Fatalf("at start: %d pages made, %d known; want none made, every one known", n, len(r.files))
	}
	var wg sync.WaitGroup
	pages := make([][]byte, 16)
	errs := make([]error, len(pages))
	for i := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages[i], errs[i] = r.page("error", "fr", errorView{Page: Page{Lang: "fr", OtherLang: "en"}, Status: 404})
		}()
	}
	wg.Wait()
	for i := range pages {
		if errs[i] != nil || !bytes.Equal(pages[i], pages[0]) || !bytes.Contains(pages[0], []byte(`lang="fr"`)) {
			t.Fatalf("render %d: %v (%d bytes)", i, errs[i], len(pages[i]))
		}
	}
	if len(r.pages["fr"]) != 1 || len(r.pages["en"]) != 0 {
		t.Errorf("after the French error page: %d French and %d English pages made", len(r.pages["fr"]), len(r.pages["en"]))
	}
	if _, err := r.page("nothere", "en", nil); err == nil {
		t.Error("a page that does not exist rendered")
	}
}
