package cache

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Front keeps whole answers as they went out (header and body, in the
// coding the client accepted) for a short while, so that a flood of
// visitors asking for the same public page costs a map lookup and a write
// each, ahead of the router, every middleware and handler: what a
// micro-cache in a proxy would do, inside the process.
//
// It keeps public answers only (those a CDN may keep too) for
// public_freshness, the time within which a change made through another
// process reaches the public pages anyway: the dashboard reads the state
// of the public data that often, so an answer built from it is never
// older than twice that. Each write this process makes forgets every
// answer (Clear), and an answer built across such a write is not kept, so
// that whoever wrote reads the change at once.
type Front struct {
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64
	m   bounded[*Kept]
}

// Kept is an answer as it went out.
type Kept struct {
	Header http.Header // without the request's own headers (its id)
	Body   []byte
	Route  string // the route that made it, as the counts of requests name it
	until  time.Time
	gen    uint64
}

// NewFront returns a front cache of at most limit bytes that keeps each
// answer for ttl; with ttl 0 it keeps nothing.
func NewFront(ttl time.Duration, limit int, now func() time.Time) *Front {
	return &Front{ttl: ttl, now: now, m: bounded[*Kept]{limit: limit, m: map[string]sized[*Kept]{}}}
}

// On tells whether the cache keeps anything at all.
func (f *Front) On() bool { return f != nil && f.ttl > 0 }

// Get returns the answer kept under key, unless it is too old or a write
// came after it.
func (f *Front) Get(key string) (*Kept, bool) {
	k, ok := f.m.get(key)
	if !ok || k.gen != f.gen.Load() || !f.now().Before(k.until) {
		return nil, false
	}
	return k, true
}

// Generation is the number of writes so far: an answer built while it
// changed is not kept.
func (f *Front) Generation() uint64 { return f.gen.Load() }

// Put keeps an answer (made by route) built since generation gen under
// key, replacing an older one, unless a write came meanwhile.
func (f *Front) Put(key string, gen uint64, route string, header http.Header, body []byte) {
	if gen != f.gen.Load() {
		return
	}
	k := &Kept{Header: header, Body: body, Route: route, until: f.now().Add(f.ttl), gen: gen}
	f.m.replace(key, k, len(body)+headerSize(header))
}

// Clear forgets every answer kept: a write may have changed any.
func (f *Front) Clear() {
	f.gen.Add(1)
	f.m.clear()
}

func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
