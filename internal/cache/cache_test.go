package cache_test

import (
	"testing"

	"github.com/pctracker/pctracker/internal/cache"
)

func TestBytes(t *testing.T) {
	c := cache.New(10)
	c.Put("a", []byte("12345"))
	c.Put("b", []byte("678"))
	if b, ok := c.Get("a"); !ok || string(b) != "12345" {
		t.Errorf("a: %q %v", b, ok)
	}
	c.Put("c", []byte("9999")) // 12 bytes in all: over the bound, so a fresh start
	if _, ok := c.Get("a"); ok {
		t.Error("the cache outgrew its bound")
	}
	if b, ok := c.Get("c"); !ok || string(b) != "9999" {
		t.Errorf("c: %q %v", b, ok)
	}
	c.Put("big", make([]byte, 11)) // never kept
	if _, ok := c.Get("big"); ok {
		t.Error("an answer larger than the whole cache was kept")
	}
	if _, ok := c.Get("missing"); ok {
		t.Error("a missing key was found")
	}
}
