// Package retry says how long an outbox waits before trying a refused
// delivery again (a reminder, a subscriber's mail, a CDN purge): one rule
// for all of them.
package retry

import "time"

// Backoff is the wait before attempt n+1 after n failed attempts: base,
// doubled at each further attempt, never more than most.
func Backoff(base, most time.Duration, attempts int) time.Duration {
	d := base
	for i := 1; i < attempts && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}
