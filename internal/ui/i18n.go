package ui

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/pctracker/pctracker/internal/locale"
)

// LangCookie remembers a visitor's choice of language.
const LangCookie = "pct_lang"

// pickLanguage chooses the language of a request: an explicit ?lang=, then
// the remembered choice, then Accept-Language, then English.
func pickLanguage(matcher language.Matcher, r *http.Request) (lang string, explicit bool) {
	if l := locale.Supported(r.URL.Query().Get("lang")); l != "" {
		return l, true
	}
	if c, err := r.Cookie(LangCookie); err == nil {
		if l := locale.Supported(c.Value); l != "" {
			return l, false
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	tag, _, _ := matcher.Match(tags...)
	base, _ := tag.Base()
	return base.String(), false
}
