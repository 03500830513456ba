package server

import (
	"bytes"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/etag"
)

// asset is a static file as it is served, with its compressed forms when
// it is text.
type asset struct {
	body          *cache.Answer
	hash          string
	text          bool
	fingerprinted string // its name with its hash, which may be kept forever
}

// staticHandler serves the embedded assets, read and compressed once at
// start. An asset's fingerprinted name (css/app.3f9a1c2b.css, which pages
// link to: names gives it for each plain name) is cached for a year, since
// its bytes never change under it. Its plain name keeps working with an
// hour of caching, for bookmarks and the PDF renderer.
func staticHandler(fsys fs.FS, names, hashes map[string]string) (http.Handler, error) {
	byPath := map[string]*asset{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = http.DetectContentType(b)
		}
		a := &asset{hash: hashes[p], text: textType(ct), fingerprinted: names[p]}
		if a.text {
			if a.body, err = cache.NewAnswer(ct, b); err != nil {
				return err
			}
		} else {
			a.body = &cache.Answer{Type: ct, Identity: b}
		}
		byPath[p] = a
		if a.fingerprinted != "" && a.fingerprinted != p {
			byPath[a.fingerprinted] = a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/static/")
		a, ok := byPath[p]
		if !ok {
			http.NotFound(w, r) // nor directory listings
			return
		}
		h := w.Header()
		v := r.URL.Query().Get("v")
		switch {
		case p == a.fingerprinted, v != "" && v == a.hash: // the second: links made before names carried hashes
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		default:
			h.Set("Cache-Control", "public, max-age=3600")
		}
		enc := ""
		if a.text {
			enc = cache.Negotiate(r.Header.Get("Accept-Encoding"))
			etag.Vary(h, "Accept-Encoding")
		}
		if enc != "" {
			h.Set("Content-Encoding", enc)
		}
		h.Set("Content-Type", a.body.Type)
		h.Set("ETag", `"`+a.hash+etag.Suffix(enc)+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body.Body(enc)))
	}), nil
}
