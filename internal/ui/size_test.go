package ui

import "testing"

// Sizes read as each language writes them: French counts octets, with a
// decimal comma.
func TestFormatSize(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 512, "512\u00a0B"},
		{"fr", 512, "512\u00a0o"},
		{"en", 48 << 10, "48\u00a0kB"},
		{"fr", 48 << 10, "48\u00a0ko"},
		{"en", 3<<20 + 1<<19, "3.5\u00a0MB"},
		{"fr", 3<<20 + 1<<19, "3,5\u00a0Mo"},
	} {
		if got := formatSize(c.lang, c.n); got != c.want {
			t.Errorf("formatSize(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
