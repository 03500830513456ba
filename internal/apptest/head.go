package apptest

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

var (
	headDescription = regexp.MustCompile(`<meta name="description" content="([^"]*)">`)
	headCanonical   = regexp.MustCompile(`<link rel="canonical" href="([^"]*)">`)
	headAlternate   = regexp.MustCompile(`<link rel="alternate" hreflang="([^"]*)" href="([^"]*)">`)
	headLang        = regexp.MustCompile(`<html lang="([^"]*)">`)
)

// CheckHead checks what search engines read in the head of a page of the
// base layout: one meta description, one canonical link, and one alternate
// for each of en, fr and x-default, all absolute, the canonical being the
// alternate of the page's own language. Send runs it on every page a test
// reads, so every page a test renders is checked.
func CheckHead(page string) error {
	if !strings.Contains(page, `<a class="skip" href="#main">`) {
		return nil // not a page of the base layout
	}
	head, _, _ := strings.Cut(page, "</head>")
	if d := headDescription.FindAllStringSubmatch(head, -1); len(d) != 1 || strings.TrimSpace(d[0][1]) == "" {
		return fmt.Errorf("want one non-empty meta description, got %q", d)
	}
	c := headCanonical.FindAllStringSubmatch(head, -1)
	if len(c) != 1 || !absolute(c[0][1]) {
		return fmt.Errorf("want one absolute canonical link, got %q", c)
	}
	lang := headLang.FindStringSubmatch(page)
	alts := map[string]string{}
	for _, a := range headAlternate.FindAllStringSubmatch(head, -1) {
		if _, twice := alts[a[1]]; twice || !absolute(a[2]) {
			return fmt.Errorf("alternate %q twice or not absolute: %q", a[1], a[2])
		}
		alts[a[1]] = a[2]
	}
	for _, l := range []string{"en", "fr", "x-default"} {
		if alts[l] == "" {
			return fmt.Errorf("no alternate for %s: %q", l, alts)
		}
	}
	if lang == nil || alts[lang[1]] != c[0][1] {
		return fmt.Errorf("the canonical %q is not the alternate of the page's language %q", c[0][1], lang)
	}
	return nil
}

func absolute(s string) bool {
	u, err := url.Parse(strings.ReplaceAll(s, "&amp;", "&"))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
