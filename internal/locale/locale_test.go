package locale_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/web"
)

func TestDate(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, time.UTC) }
	for _, c := range []struct {
		lang string
		at   time.Time
		want string
	}{
		{"en", day(2026, time.November, 11), "11 November 2026"},
		{"fr", day(2026, time.November, 11), "11 novembre 2026"},
		{"en", day(2026, time.October, 1), "1 October 2026"},
		{"fr", day(2026, time.October, 1), "1er octobre 2026"}, // the first of a month is an ordinal in French
		{"fr", day(2027, time.August, 2), "2 août 2027"},
		{"de", day(2026, time.May, 3), "3 May 2026"}, // an unknown language falls back to English
		{"fr", time.Time{}, ""},
	} {
		if got := locale.Date(c.lang, c.at); got != c.want {
			t.Errorf("Date(%s, %s) = %q, want %q", c.lang, c.at.Format(time.DateOnly), got, c.want)
		}
	}
	if got := locale.DateTime("fr", day(2026, time.November, 1)); got != "1er novembre 2026 à 09:30 UTC" {
		t.Errorf("DateTime = %q", got)
	}
}

func TestUnbroken(t *testing.T) {
	if got := locale.Unbroken(locale.Date("fr", time.Date(2026, 11, 11, 0, 0, 0, 0, time.UTC))); got != "11\u00a0novembre\u00a02026" {
		t.Errorf("Unbroken = %q: a line may end inside the date", got)
	}
}

// A count picks its words by the language's plural rule: English says
// "1 action" and "0 actions", French "0 action" and "1 action" (CLDR: one
// for 0 and 1), and both "2 actions".
func TestPlural(t *testing.T) {
	cat, err := locale.Load(web.I18n())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lang  string
		count any
		want  string
	}{
		{"en", 0, "0 actions waiting for review."},
		{"en", 1, "1 action waiting for review."},
		{"en", 2, "2 actions waiting for review."},
		{"fr", 0, "0 action en attente d'examen."},
		{"fr", 1, "1 action en attente d'examen."},
		{"fr", 2, "2 actions en attente d'examen."},
		{"fr", int64(1000), "1000 actions en attente d'examen."},
	} {
		if got := cat.Translator(c.lang)("review_count", map[string]any{"Count": c.count}); got != c.want {
			t.Errorf("%s, %v: %q, want %q", c.lang, c.count, got, c.want)
		}
	}
}

// No text hedges a plural with "(s)": a count chooses its form.
func TestNoHedgedPlurals(t *testing.T) {
	hedge := regexp.MustCompile(`\w\((s|e|es|e\)\(s|x)\)`)
	for _, lang := range []string{"en", "fr"} {
		b, err := fs.ReadFile(web.I18n(), lang+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if hedge.MatchString(line) {
				t.Errorf("%s.yaml:%d hedges a plural: %s", lang, i+1, line)
			}
		}
	}
}
