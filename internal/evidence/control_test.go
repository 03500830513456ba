package evidence

import (
	"context"
	"errors"
	"testing"
)

// The socket's own check is the last word, whatever resolved the name
// before: it is tried here alone, since the dialer's check in front of it
// stops every link the other tests can make.
func TestControlRefusesWhatTheSocketWouldReach(t *testing.T) {
	f := NewFetcher(FetchOptions{UserAgent: "pctracker-test"})
	for _, c := range []struct {
		address string
		allowed bool
		refused bool
	}{
		{"127.0.0.1:80", false, true},
		{"[::1]:80", false, true},
		{"[::ffff:127.0.0.1]:80", false, true},
		{"10.0.0.1:443", false, true},
		{"169.254.169.254:80", false, true},
		{"0.0.0.0:80", false, true},
		{"not an address", false, true},
		{"93.184.215.14:443", false, false},
		{"[2606:4700::1]:443", false, false},
		{"127.0.0.1:8080", true, false}, // a configured exception travels with the dial
	} {
		err := f.control(withAllowed(context.Background(), c.allowed), "tcp", c.address, nil)
		if refused := errors.Is(err, ErrRefused); refused != c.refused {
			t.Errorf("%s (allowed %t): %v, want refused %t", c.address, c.allowed, err, c.refused)
		}
	}
}
