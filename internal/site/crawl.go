package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/errs"
)

// target is one address of the copy: a path, a page of a list (0 for the
// unpaged address) and the language asked for.
type target struct {
	path string
	page int
	lang string
}

// query is the target's query string as the site reads it.
func (t target) query() url.Values {
	q := url.Values{}
	if t.page > 0 {
		q.Set("page", strconv.Itoa(t.page))
	}
	if t.lang != "" {
		q.Set("lang", t.lang)
	}
	return q
}

// fetched is what the site answered for a target.
type fetched struct {
	status  int
	html    bool
	ext     string   // the file's extension, from its path or its media type
	sum     [32]byte // of the body, to keep one copy of language-independent files
	staged  string   // where the body waits until every name is known
	private bool     // an interactive page robots.txt keeps out of the copy
}

// crawler asks the handler for every address the public pages lead to.
type crawler struct {
	h         http.Handler
	live      *url.URL
	langs     []string
	staging   string
	disallow  []rule
	seen      map[target]*fetched
	queue     []target
	missing   []string
	sitemapOf map[target]bool // what the sitemap lists, which must be in the copy
	staged    int
}

func newCrawler(h http.Handler, live *url.URL, langs []string, staging string) *crawler {
	return &crawler{h: h, live: live, langs: langs, staging: staging, seen: map[target]*fetched{}, sitemapOf: map[target]bool{}}
}

// get asks the handler for path?query as a visitor without a session.
func (c *crawler) get(ctx context.Context, path string, q url.Values) *httptest.ResponseRecorder {
	u := &url.URL{Path: path, RawQuery: q.Encode()}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, u.RequestURI(), nil)
	req.Host = c.live.Host
	req.Header.Set("User-Agent", "pctracker export-site")
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

// crawl reads robots.txt and the sitemap, then follows every link from
// the home page and the sitemap's pages in every language.
func (c *crawler) crawl(ctx context.Context) error {
	robots := c.get(ctx, "/robots.txt", nil)
	if robots.Code == http.StatusOK {
		c.disallow = parseRobots(robots.Body.String())
	}
	for _, p := range []string{"/robots.txt", "/sitemap.xml"} {
		c.enqueue(target{path: p, lang: c.langs[0]})
	}
	for _, lang := range c.langs {
		c.enqueue(target{path: "/", lang: lang})
	}
	if sm := c.get(ctx, "/sitemap.xml", nil); sm.Code == http.StatusOK {
		for _, t := range c.sitemapTargets(sm.Body.Bytes()) {
			c.sitemapOf[t] = true
			c.enqueue(t)
		}
	}
	for len(c.queue) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		t := c.queue[0]
		c.queue = c.queue[1:]
		if err := c.visit(ctx, t); err != nil {
			return err
		}
	}
	for t := range c.sitemapOf {
		if f := c.seen[t]; f == nil || f.status != http.StatusOK || f.private {
			return errs.E(errs.Internal, "site: %s (%s) is in the sitemap but could not be exported", t.path, t.lang)
		}
	}
	return nil
}

func (c *crawler) enqueue(t target) {
	if _, ok := c.seen[t]; ok {
		return
	}
	c.seen[t] = nil
	c.queue = append(c.queue, t)
}

// visit fetches one target, stages its body and queues the targets its
// links lead to. A server error ends the export: a copy with holes would
// be served as if whole. What the server says it cannot give here (503: a
// PDF without Chromium) is only missing, as it is on the live site.
func (c *crawler) visit(ctx context.Context, t target) error {
	rec := c.get(ctx, t.path, t.query())
	f := &fetched{status: rec.Code}
	c.seen[t] = f
	if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
		return errs.E(errs.Internal, "site: %s?%s answered %d: %.200s", t.path, t.query().Encode(), rec.Code, rec.Body.String())
	}
	if rec.Code != http.StatusOK {
		c.missing = append(c.missing, fmt.Sprintf("%s?%s (%d)", t.path, t.query().Encode(), rec.Code))
		return nil
	}
	body := rec.Body.Bytes()
	mediaType, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	f.html = mediaType == "text/html"
	f.ext = extensionOf(t.path, mediaType)
	f.sum = sha256.Sum256(body)
	if f.html && c.disallowed(t.path) {
		f.private = true
		return nil
	}
	c.staged++
	f.staged = filepath.Join(c.staging, strconv.Itoa(c.staged))
	if err := os.WriteFile(f.staged, body, 0o600); err != nil {
		return errs.Wrap(errs.Internal, err, "site: staging %s", t.path)
	}
	if f.html {
		for _, l := range links(bytes.NewReader(body)) {
			if next, ok := c.resolve(t, l); ok {
				c.enqueue(next)
			}
		}
	}
	return nil
}

// resolve reads a link of the page t as a target of the copy; ok is false
// for a link that leaves the site, a fragment of the same page, or an
// address the copy cannot hold (a query other than page and lang).
func (c *crawler) resolve(from target, ref string) (target, bool) {
	base := &url.URL{Path: from.path, RawQuery: from.query().Encode()}
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || r.Opaque != "" || (r.Scheme != "" && r.Scheme != "http" && r.Scheme != "https") {
		return target{}, false
	}
	if r.Host != "" && !strings.EqualFold(r.Host, c.live.Host) {
		return target{}, false
	}
	if r.Scheme == "" && r.Host == "" && r.Path == "" && r.RawQuery == "" {
		return target{}, false // #fragment
	}
	u := base.ResolveReference(r)
	if r.Host != "" {
		u = r
	}
	t := target{path: u.Path, lang: from.lang}
	if t.path == "" {
		t.path = "/"
	}
	for k, v := range u.Query() {
		switch {
		case len(v) == 1 && v[0] == "" || k == assetVersion:
			// An empty filter is no filter (a list's page links carry the
			// form's empty fields); the asset version only busts caches.
		case k == "lang" && len(v) == 1 && c.language(v[0]):
			t.lang = v[0]
		case k == "page" && len(v) == 1:
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 {
				return target{}, false
			}
			if n > 1 {
				t.page = n
			}
		default:
			return target{}, false
		}
	}
	return t, true
}

// assetVersion is the query parameter the pages add to a static file's
// address so that browsers fetch a changed file at once.
const assetVersion = "v"

func (c *crawler) language(l string) bool {
	for _, x := range c.langs {
		if x == l {
			return true
		}
	}
	return false
}

// sitemapTargets are the sitemap's addresses on the live site.
func (c *crawler) sitemapTargets(b []byte) []target {
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.NewDecoder(io.LimitReader(bytes.NewReader(b), 64<<20)).Decode(&set); err != nil {
		return nil
	}
	var out []target
	for _, u := range set.URLs {
		if t, ok := c.resolve(target{path: "/", lang: c.langs[0]}, u.Loc); ok {
			out = append(out, t)
		}
	}
	return out
}

// extensionOf is the extension a file needs for a static server to give
// it the media type the site gave: its own when its path has one.
func extensionOf(path, mediaType string) string {
	if ext := filepathExt(path); ext != "" {
		return ""
	}
	switch mediaType {
	case "text/html":
		return ".html"
	case "application/json", "application/problem+json", "application/schema+json":
		return ".json"
	case "application/ld+json":
		return ".jsonld"
	case "text/csv":
		return ".csv"
	case "text/plain":
		return ".txt"
	case "application/xml", "text/xml":
		return ".xml"
	case "application/atom+xml":
		return ".atom"
	case "application/pdf":
		return ".pdf"
	case "text/css":
		return ".css"
	case "image/svg+xml":
		return ".svg"
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return ".xlsx"
	}
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// filepathExt is the extension of the path's last segment, if it has one
// a file name would ("data.csv", not "v1.2" in a folder).
func filepathExt(p string) string {
	last := p[strings.LastIndex(p, "/")+1:]
	i := strings.LastIndex(last, ".")
	if i <= 0 || i == len(last)-1 {
		return ""
	}
	return last[i:]
}
