package config

// Release configures the citable data releases made when a report is published.
type Release struct{}
