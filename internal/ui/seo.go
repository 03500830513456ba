package ui

import (
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/locale"
)

// Alternate is a page's address in one language, or for any other
// ("x-default": the address without a chosen language, which follows the
// reader's).
type Alternate struct {
	Lang string
	Href string
}

// baseURLKey holds the configured public address for newPage, set where the
// page's language is.
const baseURLKey = "base_url"

// addresses is the one rule for a page's canonical address and its
// alternates: the configured base URL, the request's path, and its query
// without tracking noise, with lang= set to each language (the canonical
// in the page's own). The x-default alternate has no lang=, so the reader's
// browser chooses.
func addresses(c echo.Context, lang string) (canonical string, alternates []Alternate) {
	base, _ := c.Get(baseURLKey).(string)
	u := c.Request().URL
	q := url.Values{}
	for k, v := range u.Query() {
		if !isTracking(k) {
			q[k] = v
		}
	}
	return addressesOf(base, u.EscapedPath(), q, lang)
}

// addressesOf is addresses for a path (escaped) and query, as the sitemap
// lists them.
func addressesOf(base, path string, query url.Values, lang string) (canonical string, alternates []Alternate) {
	base = strings.TrimRight(base, "/")
	at := func(lang string) string {
		q := url.Values{}
		for k, v := range query {
			if k != "lang" {
				q[k] = v
			}
		}
		if lang != "" {
			q.Set("lang", lang)
		}
		if len(q) == 0 {
			return base + path
		}
		return base + path + "?" + q.Encode()
	}
	for _, tag := range locale.Languages() {
		l := tag.String()
		href := at(l)
		if l == lang {
			canonical = href
		}
		alternates = append(alternates, Alternate{Lang: l, Href: href})
	}
	return canonical, append(alternates, Alternate{Lang: "x-default", Href: at("")})
}

// isTracking tells a query parameter that names how a reader came, not
// what they read: never part of a page's canonical address.
func isTracking(param string) bool {
	p := strings.ToLower(param)
	switch p {
	case "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga", "igshid", "yclid":
		return true
	}
	return strings.HasPrefix(p, "utm_")
}

// openGraphLocales are the Open Graph locales (language_TERRITORY) of the
// pages' languages.
func openGraphLocale(lang string) string {
	switch lang {
	case "fr":
		return "fr_FR"
	case "en":
		return "en_GB"
	}
	return lang
}

// OGLocale is the page's language as Open Graph names it.
func (p Page) OGLocale() string { return openGraphLocale(p.Lang) }

// OGLocaleAlternates are the other languages the page is in.
func (p Page) OGLocaleAlternates() []string {
	var out []string
	for _, tag := range locale.Languages() {
		if l := tag.String(); l != p.Lang {
			out = append(out, openGraphLocale(l))
		}
	}
	return out
}

// ShareImage is a page's share card: the absolute address of the image at
// path (with its query), in the page's language, and what it shows in
// words.
type ShareImage struct {
	URL string
	Alt string
}

// ShareImage makes the share card of the image at path.
func (p Page) ShareImage(path, alt string) ShareImage {
	return ShareImage{URL: p.absoluteRef(path), Alt: alt}
}

// absoluteRef is Absolute for a path that may carry its query.
func (p Page) absoluteRef(ref string) string {
	u, err := url.Parse(ref)
	if err != nil {
		return p.Absolute(ref, nil)
	}
	return p.Absolute(u.Path, u.Query())
}
