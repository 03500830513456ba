package main

import (
	"context"
	"io"
	"os"
	"runtime"
	"testing"
)

// A child's peak memory is its own: the bench that forks it may hold far
// more (after the loads, the driver holds hundreds of megabytes), which
// the kernel would count in the child's ru_maxrss.
func TestToolPeakIsTheChildsOwn(t *testing.T) {
	ballast := make([]byte, 256<<20)
	for i := 0; i < len(ballast); i += 4096 {
		ballast[i] = 1 // resident, not only reserved
	}
	b := &bench{log: io.Discard, bin: "/bin/sleep", work: t.TempDir()}
	run, err := b.tool(context.Background(), "sleep", os.Environ(), "0.3")
	runtime.KeepAlive(ballast)
	if err != nil {
		t.Fatal(err)
	}
	if run.maxRSSKB == 0 || run.maxRSSKB > 64<<10 {
		t.Errorf("sleep's peak memory: %d KiB, want its own few MiB (the test holds 256 MiB)", run.maxRSSKB)
	}
}
