package ui

import "testing"

// A count of actions links to its list only when the list holds as many:
// after a correction to a published report the list states its own count.
func TestCountLink(t *testing.T) {
	for _, c := range []struct {
		counted, listed int
		url             string
		listedText      string
	}{
		{12, 12, "/actions?cycle=2026", ""},
		{12, 11, "", "11"},
		{1200, 1201, "", "1,201"},
	} {
		url, listed := countLink(c.counted, c.listed, "/actions?cycle=2026", "en")
		if url != c.url || (listed == nil) != (c.listedText == "") || listed != nil && (listed.Text != c.listedText || listed.URL != "/actions?cycle=2026") {
			t.Errorf("countLink(%d, %d) = %q, %+v", c.counted, c.listed, url, listed)
		}
	}
}
