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
		{"en", 512, "512 B"},
		{"fr", 512, "512 o"},
		{"en", 48_500, "48.5 KB"},
		{"fr", 48_500, "48,5 ko"},
		{"en", 3_500_000, "3.5 MB"},
		{"fr", 3_500_000, "3,5 Mo"},
	} {
		if got := locale.Bytes(c.lang, c.n); got != c.want {
			t.Errorf("Bytes(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
