package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// CDN configures the answers given to a cache in front of the public site.
type CDN struct {
	// SMaxAge is how long a shared cache (a CDN, nginx) may serve a public
	// answer without asking: a purge after each decision ends it sooner.
	SMaxAge time.Duration `key:"s_maxage" help:"how long a CDN or caching proxy may keep a public answer (s-maxage); purges end it sooner"`
	// StaleWhileRevalidate lets the cache answer at once with the old copy
	// while it fetches the new one.
	StaleWhileRevalidate time.Duration `key:"stale_while_revalidate" help:"how long past s_maxage a cache may answer with its old copy while it fetches a new one"`
	// StaleIfError lets the cache keep the public site up while pctracker
	// is down or failing.
	StaleIfError time.Duration `key:"stale_if_error" help:"how long past s_maxage a cache may answer with its old copy while pctracker fails or is down"`
	// PurgeURL receives, after each acceptance or publication, a POST of
	// {"keys": [...]}: the surrogate keys whose answers changed.
	PurgeURL string `key:"purge_url" secret:"true" help:"URL that receives a POST of {\"keys\": [...]} after each decision (empty: no purges)"`
	// PurgeToken is sent as Authorization: Bearer TOKEN with each purge.
	PurgeToken string `key:"purge_token" secret:"true" help:"sent as Authorization: Bearer TOKEN with each purge request"`
	// PurgeRetry is the first wait after a refused purge; it doubles with
	// each refusal, up to an hour.
	PurgeRetry time.Duration `key:"purge_retry" help:"wait after a refused purge request, doubling each time up to an hour"`
}

func defaultCDN() CDN {
	return CDN{SMaxAge: 5 * time.Minute, StaleWhileRevalidate: time.Minute, StaleIfError: 24 * time.Hour, PurgeRetry: 10 * time.Second}
}

// CacheControl is the Cache-Control of a public answer whose browser
// freshness is maxAge.
func (c CDN) CacheControl(maxAge time.Duration) string {
	sec := func(d time.Duration) int { return int(d / time.Second) }
	return fmt.Sprintf("public, max-age=%d, s-maxage=%d, stale-while-revalidate=%d, stale-if-error=%d",
		sec(maxAge), sec(c.SMaxAge), sec(c.StaleWhileRevalidate), sec(c.StaleIfError))
}

func (c CDN) validate() error {
	for key, d := range map[string]time.Duration{"cdn.s_maxage": c.SMaxAge, "cdn.stale_while_revalidate": c.StaleWhileRevalidate,
		"cdn.stale_if_error": c.StaleIfError} {
		if d < 0 {
			return &Error{Key: key, Msg: "must not be negative"}
		}
	}
	if c.PurgeRetry < time.Second {
		return &Error{Key: "cdn.purge_retry", Msg: "must be at least 1s"}
	}
	if c.PurgeURL == "" {
		return nil
	}
	u, err := url.Parse(c.PurgeURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Key: "cdn.purge_url", Msg: "must be an http or https URL"}
	}
	if strings.ContainsAny(c.PurgeToken, "\r\n") {
		return &Error{Key: "cdn.purge_token", Msg: "must be one line"}
	}
	return nil
}
