package config

// Subscriptions configures the mail digests that people follow without an account.
type Subscriptions struct{}
