package site

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// linkAttrs are the attributes whose value is an address.
var linkAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true}

// links are the addresses a page's tags lead to, forms excepted: a form
// asks the live site, never the copy.
func links(r io.Reader) []string {
	var out []string
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "form" {
				continue
			}
			for _, a := range tok.Attr {
				if linkAttrs[a.Key] && a.Key != "formaction" {
					out = append(out, a.Val)
				}
			}
		}
	}
}

// rewrite gives a page of the copy its links: to the copy's files,
// relative to file, for what the copy holds; to the live site, absolute,
// for what it cannot hold (a filtered list, a form, signing in). Every
// other byte is left as the site wrote it.
func (c *crawler) rewrite(body []byte, from target, file string) []byte {
	var out bytes.Buffer
	out.Grow(len(body) + len(body)/8)
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.Bytes()
		}
		raw := append([]byte(nil), z.Raw()...)
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		tok := z.Token()
		changed := false
		if tok.Data == "form" && !hasAttr(tok, "action") {
			// A form without an action asks its own page, which in the
			// copy would only answer the same file again.
			tok.Attr = append(tok.Attr, html.Attribute{Key: "action", Val: c.liveURL(from, &url.URL{})})
			changed = true
		}
		for i, a := range tok.Attr {
			if !linkAttrs[a.Key] {
				continue
			}
			toLive := tok.Data == "form" || a.Key == "formaction"
			if v, ok := c.link(from, file, a.Val, toLive); ok {
				tok.Attr[i].Val, changed = v, true
			}
		}
		if !changed {
			out.Write(raw)
			continue
		}
		out.WriteString(tok.String())
	}
}

// link is the new value of the address ref in the page from, written to
// file; ok is false when ref stays as it is (another site, a fragment of
// the same page, an absolute address already).
func (c *crawler) link(from target, file, ref string, toLive bool) (string, bool) {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || r.Scheme != "" || r.Host != "" || r.Opaque != "" {
		return "", false
	}
	if r.Path == "" && r.RawQuery == "" {
		return "", false // a fragment of this page
	}
	if !toLive {
		if t, ok := c.resolve(from, ref); ok {
			if f := c.seen[t]; f != nil && f.staged != "" {
				return withFragment(relative(file, c.fileOf(t)), r.Fragment), true
			}
		}
	}
	return c.liveURL(from, r), true
}

// liveURL is ref's absolute address on the live site, in the page's
// language unless ref names another.
func (c *crawler) liveURL(from target, r *url.URL) string {
	base := &url.URL{Path: from.path, RawQuery: from.query().Encode()}
	u := base.ResolveReference(r)
	q := u.Query()
	if q.Get("lang") == "" && from.lang != "" {
		q.Set("lang", from.lang)
	}
	abs := *c.live
	abs.Path = strings.TrimRight(c.live.Path, "/") + u.Path
	abs.RawQuery = q.Encode()
	abs.Fragment = r.Fragment
	return abs.String()
}

func withFragment(link, fragment string) string {
	if fragment == "" {
		return link
	}
	return link + "#" + url.PathEscape(fragment)
}

func hasAttr(tok html.Token, key string) bool {
	for _, a := range tok.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
