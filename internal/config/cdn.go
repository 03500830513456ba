package config

// CDN configures the answers given to a cache in front of the public site.
type CDN struct{}
