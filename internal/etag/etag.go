// Package etag lets public answers be revalidated: an entity tag made from
// the version of the data an answer was built from, and the 304 when the
// client already holds it.
package etag

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"

	"github.com/pctracker/pctracker/internal/cache"
)

// Public is the Cache-Control of a public answer as the handlers set it;
// the server widens it for shared caches (s-maxage and the stale rules of
// the CDN configuration).
const Public = "public, max-age=60"

// NotModified sets the ETag of a public answer built from version (and the
// parts that vary it, such as a year and a language), and reports whether
// the client already holds it. The answer may be cached briefly by anyone:
// it holds nothing personal. Each content coding has its own tag (the
// bytes differ), so the tag ends with the coding the request will be
// answered in.
func NotModified(w http.ResponseWriter, r *http.Request, version string, parts ...string) bool {
	sum := sha256.Sum256([]byte(version + "|" + strings.Join(parts, "|")))
	tag := `"` + hex.EncodeToString(sum[:12]) + Suffix(cache.Negotiate(r.Header.Get("Accept-Encoding"))) + `"`
	h := w.Header()
	h.Set("ETag", tag)
	h.Set("Cache-Control", Public)
	Vary(h, "Accept-Encoding", "Accept-Language", "Cookie")
	for _, t := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if t = strings.TrimSpace(t); t == tag || t == "*" || t == "W/"+tag {
			return true
		}
	}
	return false
}

// Suffix names a content coding in an entity tag.
func Suffix(enc string) string {
	switch enc {
	case cache.Gzip:
		return "-gz"
	case cache.Brotli:
		return "-br"
	}
	return ""
}

// Vary adds names to the answer's one Vary header, each once: a repeated
// header, or a name twice, makes some caches store nothing.
func Vary(h http.Header, names ...string) {
	var have []string
	for _, v := range h.Values("Vary") {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				have = append(have, n)
			}
		}
	}
	for _, n := range names {
		if !containsFold(have, n) {
			have = append(have, n)
		}
	}
	h.Set("Vary", strings.Join(have, ", "))
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// Write sends a cached answer in the coding the request accepts, with
// its length; net/http leaves the body out of an answer to HEAD.
func Write(w http.ResponseWriter, r *http.Request, status int, a *cache.Answer) error {
	enc := cache.Negotiate(r.Header.Get("Accept-Encoding"))
	body := a.Body(enc)
	h := w.Header()
	h.Set("Content-Type", a.Type)
	if enc != "" {
		h.Set("Content-Encoding", enc)
	}
	Vary(h, "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// SurrogateKeys names what an answer shows (its cycle, recommendations,
// organisations...), for a cache in front to purge it by: Surrogate-Key
// (Fastly, Varnish), space-separated, and Cache-Tag (Cloudflare, nginx's
// config in configs/), comma-separated. Keys already set are kept.
func SurrogateKeys(h http.Header, keys ...string) {
	have := strings.Fields(h.Get("Surrogate-Key"))
	for _, k := range keys {
		if k != "" && !containsFold(have, k) {
			have = append(have, k)
		}
	}
	if len(have) == 0 {
		return
	}
	h.Set("Surrogate-Key", strings.Join(have, " "))
	h.Set("Cache-Tag", strings.Join(have, ","))
}
