package locale_test

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/web"
	"gopkg.in/yaml.v3"
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
		// A count the page already wrote for people picks its form too.
		{"en", "1", "1 action waiting for review."},
		{"en", "38", "38 actions waiting for review."},
		{"fr", "1\u202f234", "1\u202f234 actions en attente d'examen."},
		{"en", "1,234", "1,234 actions waiting for review."},
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

// French puts a no-break space before ':' ';' '?' '!' and inside « »: a
// plain space there lets the sign start a line, and none at all is English
// typography. Template actions and web addresses are not prose.
func TestFrenchPunctuationSpacing(t *testing.T) {
	raw, err := fs.ReadFile(web.I18n(), "fr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(raw, &values); err != nil {
		t.Fatal(err)
	}
	notProse := regexp.MustCompile(`\{\{.*?\}\}|[a-z]+://\S*|\b\d{1,2}:\d{2}\b|\d;\d`) // "2;4" is data
	spaced := regexp.MustCompile(`(^|.)([:;?!])`)
	for key, v := range values {
		texts := []string{}
		switch v := v.(type) {
		case string:
			texts = append(texts, v)
		case map[string]any:
			for _, form := range v {
				texts = append(texts, form.(string))
			}
		}
		for _, text := range texts {
			prose := notProse.ReplaceAllString(text, "X")
			for _, m := range spaced.FindAllStringSubmatch(prose, -1) {
				if before := m[1]; before != "\u00a0" && before != "\u202f" {
					t.Errorf("%s: %q before %q (want a no-break space): %s", key, before, m[2], text)
				}
			}
			if strings.Contains(prose, "« ") || strings.Contains(prose, " »") || regexp.MustCompile(`«[^\x{a0}\x{202f}]|[^\x{a0}\x{202f}]»`).MatchString(prose) {
				t.Errorf("%s: « » without no-break spaces inside: %s", key, text)
			}
		}
	}
}
