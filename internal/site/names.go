package site

import (
	"net/url"
	"path"
	"strconv"
	"strings"
)

// fileOf is where target t's file goes, relative to the copy's root and
// with "/" separators. The first language sits at the root and each other
// one in a folder of its name; a page is an index.html in a folder of its
// path (so /actions and /actions/12 both fit), its page N a page-N.html
// beside it; any other file keeps its path, with the extension its media
// type needs when the path has none. A file that is the same in every
// language is written once, in the first language's place.
func (c *crawler) fileOf(t target) string {
	f := c.seen[t]
	if !f.html {
		if first := (target{path: t.path, page: t.page, lang: c.langs[0]}); first != t {
			if g := c.seen[first]; g != nil && g.staged != "" && g.sum == f.sum {
				return c.fileOf(first)
			}
		}
	}
	dir := ""
	if t.lang != c.langs[0] {
		dir = t.lang + "/"
	}
	p := strings.Trim(t.path, "/")
	if f.html {
		if p != "" {
			p += "/"
		}
		if t.page > 0 {
			return dir + p + "page-" + strconv.Itoa(t.page) + ".html"
		}
		return dir + p + "index.html"
	}
	if t.page > 0 {
		p += "-page-" + strconv.Itoa(t.page)
	}
	return dir + p + f.ext
}

// relative is the link from the file from to the file to, both relative
// to the copy's root, escaped for an attribute's URL.
func relative(from, to string) string {
	fromDir := path.Dir(from)
	up := ""
	if fromDir != "." {
		up = strings.Repeat("../", strings.Count(fromDir, "/")+1)
	}
	var b strings.Builder
	b.WriteString(up)
	for i, seg := range strings.Split(to, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(url.PathEscape(seg))
	}
	return b.String()
}
