package locale_test

import (
	"reflect"
	"testing"

	"github.com/pctracker/pctracker/internal/locale"
)

// Countries are named in the page's language and sorted as it sorts.
func TestCountries(t *testing.T) {
	for _, c := range []struct {
		lang  string
		codes []string
		want  []locale.Country
	}{
		{"en", []string{"US", "FR", "DE"}, []locale.Country{{"FR", "France"}, {"DE", "Germany"}, {"US", "United States"}}},
		{"fr", []string{"US", "FR", "DE", "ES"}, []locale.Country{{"DE", "Allemagne"}, {"ES", "Espagne"}, {"US", "États-Unis"}, {"FR", "France"}}},
		{"fr", []string{"", "GB"}, []locale.Country{{"GB", "Royaume-Uni"}}},
		{"en", nil, []locale.Country{}},
	} {
		if got := locale.Countries(c.lang, c.codes); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Countries(%s, %v) = %v, want %v", c.lang, c.codes, got, c.want)
		}
	}
}
