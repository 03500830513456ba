package retry

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempts int
		want     time.Duration
	}{
		{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute},
		{7, time.Hour}, {100, time.Hour}, // capped, and no overflow however many
	} {
		if got := Backoff(time.Minute, time.Hour, c.attempts); got != c.want {
			t.Errorf("Backoff(1m, 1h, %d) = %v, want %v", c.attempts, got, c.want)
		}
	}
}
