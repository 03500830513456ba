// Package cache keeps the bytes of public answers built for visitors, by
// what they were built from: a burst of visitors then costs a map lookup
// per request, not a rendering each.
package cache

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// Bytes is a bounded map of answers. The key must name everything an
// answer depends on (the version of the data, the address, the language):
// entries are never invalidated, only forgotten, all at once, when they
// would take more than the bound, since the keys of stale versions are
// never asked again and a crawler must not make the cache grow.
type Bytes struct{ m bounded[[]byte] }

// New returns a cache of at most limit bytes of answers.
func New(limit int) *Bytes {
	return &Bytes{m: bounded[[]byte]{limit: limit, m: map[string]sized[[]byte]{}}}
}

// Get returns the answer stored under key. The caller must not change it.
func (c *Bytes) Get(key string) ([]byte, bool) { return c.m.get(key) }

// Put stores b under key; b must not change afterwards.
func (c *Bytes) Put(key string, b []byte) { c.m.put(key, b, len(b)) }

// Answers is a bounded map of answers kept with their compressed forms,
// under the same rules as Bytes: an answer is compressed once, when it is
// built, and every visitor after that gets the bytes as they are.
type Answers struct {
	m      bounded[*Answer]
	builds singleflight.Group
}

// NewAnswers returns a cache of at most limit bytes of answers, their
// compressed forms included.
func NewAnswers(limit int) *Answers {
	return &Answers{m: bounded[*Answer]{limit: limit, m: map[string]sized[*Answer]{}}}
}

// Get returns the answer stored under key.
func (c *Answers) Get(key string) (*Answer, bool) { return c.m.get(key) }

// Put stores a under key.
func (c *Answers) Put(key string, a *Answer) { c.m.put(key, a, a.size()) }

// Build returns the answer stored under key, or builds it (the bytes of
// contentType that build returns, compressed) and stores it. Visitors who
// ask while it is built wait for that build rather than make their own: a
// new version of the data met by a crowd costs one rendering.
func (c *Answers) Build(key, contentType string, build func() ([]byte, error)) (*Answer, error) {
	if a, ok := c.Get(key); ok {
		return a, nil
	}
	v, err, _ := c.builds.Do(key, func() (any, error) {
		if a, ok := c.Get(key); ok {
			return a, nil
		}
		b, err := build()
		if err != nil {
			return nil, err
		}
		a, err := NewAnswer(contentType, b)
		if err != nil {
			return nil, err
		}
		c.Put(key, a)
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Answer), nil
}

type bounded[T any] struct {
	mu    sync.Mutex
	limit int
	size  int
	m     map[string]sized[T]
}

type sized[T any] struct {
	v T
	n int
}

func (c *bounded[T]) get(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.v, ok
}

// put stores v, of n bytes, under key, unless a value is there already.
func (c *bounded[T]) put(key string, v T, n int) {
	c.store(key, v, n, false)
}

// replace stores v, of n bytes, under key in place of what is there.
func (c *bounded[T]) replace(key string, v T, n int) {
	c.store(key, v, n, true)
}

func (c *bounded[T]) store(key string, v T, n int, replace bool) {
	if n > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[key]; ok {
		if !replace {
			return
		}
		c.size -= old.n
		delete(c.m, key)
	}
	if c.size+n > c.limit {
		c.m, c.size = map[string]sized[T]{}, 0
	}
	c.m[key] = sized[T]{v: v, n: n}
	c.size += n
}

func (c *bounded[T]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.size = map[string]sized[T]{}, 0
}
