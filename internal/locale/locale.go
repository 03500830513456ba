// Package locale holds pctracker's message catalogues, English and French,
// shared by the pages and the reports so that a label reads the same in both.
package locale

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// Languages of pctracker; the first is the default.
func Languages() []language.Tag { return []language.Tag{language.English, language.French} }

// Supported returns s as a known language code ("en", "fr"), or "".
func Supported(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, t := range Languages() {
		if t.String() == s {
			return s
		}
	}
	return ""
}

// Translate returns the text of a key in one language, filling its
// template with data when given.
type Translate func(key string, data ...any) string

// Catalogue holds the message files.
type Catalogue struct {
	bundle *i18n.Bundle
	digest string
	// plural holds the keys whose message has plural forms ("one",
	// "other"): their form is chosen from the .Count of their data by the
	// language's CLDR rule (English: one for 1; French: one for 0 and 1).
	plural map[string]bool
}

// Digest is a SHA-256 of the message files: what a rendered document's
// wording depends on.
func (c *Catalogue) Digest() string { return c.digest }

// Load reads one "<lang>.yaml" file per language from fsys.
func Load(fsys fs.FS) (*Catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	h := sha256.New()
	plural := map[string]bool{}
	for _, tag := range Languages() {
		name := tag.String() + ".yaml"
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load %s messages: %w", tag, err)
		}
		if _, err := b.ParseMessageFileBytes(raw, name); err != nil {
			return nil, fmt.Errorf("load %s messages: %w", tag, err)
		}
		var values map[string]any
		if err := yaml.Unmarshal(raw, &values); err != nil {
			return nil, fmt.Errorf("load %s messages: %w", tag, err)
		}
		for k, v := range values {
			if _, forms := v.(map[string]any); forms {
				plural[k] = true
			}
		}
		h.Write(raw)
	}
	return &Catalogue{bundle: b, digest: hex.EncodeToString(h.Sum(nil)), plural: plural}, nil
}

// Translator returns the function that translates a key into lang. A
// missing key shows the key itself, so a gap is visible but never fatal;
// a test keeps the catalogues complete. A message with plural forms takes
// the form of its data's "Count".
func (c *Catalogue) Translator(lang string) Translate {
	loc := i18n.NewLocalizer(c.bundle, lang)
	return func(key string, data ...any) string {
		cfg := &i18n.LocalizeConfig{MessageID: key}
		if len(data) == 1 {
			cfg.TemplateData = data[0]
			if c.plural[key] {
				cfg.PluralCount = countOf(data[0])
			}
		}
		s, err := loc.Localize(cfg)
		if err != nil {
			return key
		}
		return s
	}
}

// countOf is the "Count" of a message's data, 0 when it has none (the
// plural form of "no action" is the one of zero).
func countOf(data any) any {
	if m, ok := data.(map[string]any); ok {
		switch n := m["Count"].(type) {
		case int, int64, int32, uint, uint64:
			return n
		case string:
			// A count already written for people ("1 234", "1,234"):
			// its digits are the number.
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, n)
			if v, err := strconv.ParseInt(digits, 10, 64); err == nil {
				return v
			}
		}
	}
	return 0
}

var months = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// Date writes a day the way each language does: "1 October 2026",
// "1er octobre 2026", for people in every place: pages, mail, reports.
// Machine-readable places (CSV and JSON data, <time datetime>) write ISO
// days instead. Documents laid out in lines hold it together with Unbroken.
func Date(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	m, ok := months[lang]
	if !ok {
		m = months["en"]
	}
	day := strconv.Itoa(t.Day())
	if lang == "fr" && t.Day() == 1 {
		day = "1er"
	}
	return day + " " + m[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// DateTime adds the UTC time of day.
func DateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	sep := " at "
	if lang == "fr" {
		sep = " à "
	}
	return Date(lang, t) + sep + t.UTC().Format("15:04") + " UTC"
}

// Unbroken joins the words of a short phrase such as a date with no-break
// spaces (U+00A0), so that a line never ends inside it: "11 novembre 2026"
// must not leave "2026" alone on the next line of a report.
func Unbroken(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

// Colon is a colon as the language writes it after a word: French puts a
// no-break space before it ("Référence : 12").
func Colon(lang string) string {
	if lang == "fr" {
		return "\u00a0:"
	}
	return ":"
}
