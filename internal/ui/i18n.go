package ui

import (
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// languages of the interface; the first is the default.
func languages() []language.Tag { return []language.Tag{language.English, language.French} }

// LangCookie remembers a visitor's choice of language.
const LangCookie = "pct_lang"

// catalogue holds the message files.
type catalogue struct{ bundle *i18n.Bundle }

func loadCatalogue(fsys fs.FS) (*catalogue, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for _, tag := range languages() {
		if _, err := b.LoadMessageFileFS(fsys, tag.String()+".yaml"); err != nil {
			return nil, fmt.Errorf("load %s messages: %w", tag, err)
		}
	}
	return &catalogue{bundle: b}, nil
}

// translator returns the function templates use to translate a key. A
// missing key shows the key itself, so a gap is visible but never fatal;
// a test keeps the catalogues complete.
func (c *catalogue) translator(lang string) func(key string, data ...any) string {
	loc := i18n.NewLocalizer(c.bundle, lang)
	return func(key string, data ...any) string {
		cfg := &i18n.LocalizeConfig{MessageID: key}
		if len(data) == 1 {
			cfg.TemplateData = data[0]
		}
		s, err := loc.Localize(cfg)
		if err != nil {
			return key
		}
		return s
	}
}

// pickLanguage chooses the language of a request: an explicit ?lang=, then
// the remembered choice, then Accept-Language, then English.
func pickLanguage(matcher language.Matcher, r *http.Request) (lang string, explicit bool) {
	if l := supported(r.URL.Query().Get("lang")); l != "" {
		return l, true
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l := supported(c.Value); l != "" {
			return l, false
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	tag, _, _ := matcher.Match(tags...)
	base, _ := tag.Base()
	return base.String(), false
}

func supported(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, t := range languages() {
		if t.String() == s {
			return s
		}
	}
	return ""
}
