package config

import "time"

// Subscriptions configures the mail digests that people follow without an account.
type Subscriptions struct {
	// Sign-ups are counted in the database, so that every replica sees
	// the same count; over either limit the answer stays the same and
	// nothing is written or sent.
	PerAddress int           `key:"signups_per_address" help:"sign-ups one address may make in a window (over it: answered, but nothing sent)"`
	PerClient  int           `key:"signups_per_client" help:"sign-ups one client address may make in a window (over it: answered, but nothing sent)"`
	Window     time.Duration `key:"signup_window" help:"the window the sign-ups are counted in, at most 24h"`
}

func defaultSubscriptions() Subscriptions {
	return Subscriptions{PerAddress: 5, PerClient: 20, Window: time.Hour}
}

func (s Subscriptions) validate() error {
	switch {
	case s.PerAddress < 1:
		return &Error{Key: "subscriptions.signups_per_address", Msg: "must be at least 1"}
	case s.PerClient < 1:
		return &Error{Key: "subscriptions.signups_per_client", Msg: "must be at least 1"}
	case s.Window < time.Minute || s.Window > 24*time.Hour:
		// Housekeeping keeps the sign-ups counted for a day.
		return &Error{Key: "subscriptions.signup_window", Msg: "must be from a minute to 24 hours"}
	}
	return nil
}
