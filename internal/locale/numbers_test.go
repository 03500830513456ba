package locale_test

import (
	"testing"

	"github.com/pctracker/pctracker/internal/locale"
)

// Sizes read as each language writes them: French counts octets, with a
// decimal comma.
func TestBytes(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int64
		want string
	}{
		{"en", 512, "512\u00a0B"},
		{"fr", 512, "512\u00a0o"},
		{"en", 48_500, "48.5\u00a0KB"},
		{"fr", 48_500, "48,5\u00a0ko"},
		{"en", 3_500_000, "3.5\u00a0MB"},
		{"fr", 3_500_000, "3,5\u00a0Mo"},
	} {
		if got := locale.Bytes(c.lang, c.n); got != c.want {
			t.Errorf("Bytes(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
