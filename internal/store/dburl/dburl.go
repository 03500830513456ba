// Package dburl reads the one URL that picks store's database engine.
//
// It belongs to store but is kept apart from it, with nothing but the
// standard library beneath it, so that config can refuse a wrong URL when the
// configuration is loaded without importing gorm and every domain package,
// and so that server, which imports config, does not come to depend on store.
package dburl

import (
	"fmt"
	"net/url"
	"strings"
)

// Engine names a database engine.
type Engine string

const (
	Postgres Engine = "postgres"
	SQLite   Engine = "sqlite"
)

// DefaultSQLitePath is where the embedded database lives when nothing is set.
const DefaultSQLitePath = "./data/pctracker.db"

// Parse tells the engine and the driver's data source: for PostgreSQL the
// URL itself, for SQLite the file path.
func Parse(raw string) (Engine, string, error) {
	switch {
	case raw == "":
		return SQLite, DefaultSQLitePath, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			// url.Parse errors quote the input, password included.
			return "", "", fmt.Errorf("malformed PostgreSQL URL %s (percent-encode special characters in the password)", Mask(raw))
		}
		if u.Host == "" {
			return "", "", fmt.Errorf("PostgreSQL URL has no host")
		}
		if strings.Trim(u.Path, "/") == "" {
			return "", "", fmt.Errorf("PostgreSQL URL names no database")
		}
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", fmt.Errorf("sqlite: URL names no file (use sqlite:./data/pctracker.db)")
		}
		if strings.ContainsAny(path, "?#") {
			return "", "", fmt.Errorf("sqlite: URL takes a plain file path, without options")
		}
		return SQLite, path, nil
	}
	return "", "", fmt.Errorf("must start with postgres:// or sqlite: (got %q)", Mask(raw))
}

// Mask hides the password of a database URL, whether in its user
// information or in a password= parameter. A URL that cannot be parsed is
// hidden whole after its scheme, since any part of it may be the password.
func Mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.Index(raw, "://"); i > 0 {
			return raw[:i+3] + "***"
		}
		return "***"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return strings.ReplaceAll(u.String(), "xxxxx", "***")
}
