// Package cache keeps the bytes of public answers built for visitors, by
// what they were built from: a burst of visitors then costs a map lookup
// per request, not a rendering each.
package cache

import "sync"

// Bytes is a bounded map of answers. The key must name everything an
// answer depends on (the version of the data, the address, the language):
// entries are never invalidated, only forgotten, all at once, when they
// would take more than the bound, since the keys of stale versions are
// never asked again and a crawler must not make the cache grow.
type Bytes struct {
	mu    sync.Mutex
	limit int
	size  int
	m     map[string][]byte
}

// New returns a cache of at most limit bytes of answers.
func New(limit int) *Bytes { return &Bytes{limit: limit, m: map[string][]byte{}} }

// Get returns the answer stored under key. The caller must not change it.
func (c *Bytes) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[key]
	return b, ok
}

// Put stores b under key; b must not change afterwards.
func (c *Bytes) Put(key string, b []byte) {
	if len(b) > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; ok {
		return
	}
	if c.size+len(b) > c.limit {
		c.m, c.size = map[string][]byte{}, 0
	}
	c.m[key] = b
	c.size += len(b)
}
