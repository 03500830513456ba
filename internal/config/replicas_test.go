package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/config"
)

// Read replicas: PostgreSQL only, each a postgres:// URL, a positive lag;
// their passwords never printed.
func TestReplicaSettings(t *testing.T) {
	const primary = "postgres://u:pw@db:5432/pct"
	c, err := config.Load("", env(map[string]string{"PCT_DATABASE_URL": primary,
		"PCT_DATABASE_REPLICA_URLS": "postgres://u:pw1@r1:5432/pct, postgres://u:pw2@r2:5432/pct", "PCT_DATABASE_MAX_REPLICA_LAG": "2s"}))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Database.ReplicaURLs, []string{"postgres://u:pw1@r1:5432/pct", "postgres://u:pw2@r2:5432/pct"}) ||
		c.Database.MaxReplicaLag != 2*time.Second {
		t.Errorf("read: %q %v", c.Database.ReplicaURLs, c.Database.MaxReplicaLag)
	}
	if d := config.Default().Database; d.MaxReplicaLag != 5*time.Second || len(d.ReplicaURLs) != 0 {
		t.Errorf("defaults: %q %v", d.ReplicaURLs, d.MaxReplicaLag)
	}
	var b strings.Builder
	c.Print(&b)
	if strings.Contains(b.String(), "pw1") || strings.Contains(b.String(), "pw2") || !strings.Contains(b.String(), "postgres://u:***@r2:5432/pct") {
		t.Errorf("replica passwords must be masked:\n%s", b.String())
	}

	refused := []struct {
		name string
		env  map[string]string
		key  string
		msg  string
	}{
		{"sqlite primary", map[string]string{"PCT_DATABASE_REPLICA_URLS": "postgres://u:pw@r1/pct"}, "database.replica_urls", "need PostgreSQL"},
		{"sqlite replica", map[string]string{"PCT_DATABASE_URL": primary, "PCT_DATABASE_REPLICA_URLS": "sqlite:/tmp/r.db"}, "database.replica_urls", "replica 1"},
		{"bad replica", map[string]string{"PCT_DATABASE_URL": primary, "PCT_DATABASE_REPLICA_URLS": "postgres://u:pw@r1/pct,postgres://u:pw@:5432"}, "database.replica_urls", "replica 2"},
		{"zero lag", map[string]string{"PCT_DATABASE_URL": primary, "PCT_DATABASE_MAX_REPLICA_LAG": "0s"}, "database.max_replica_lag", "positive"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, err := config.Load("", env(c.env))
			if err == nil {
				t.Fatal("accepted")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "config: "+c.key) || !strings.Contains(msg, c.msg) || strings.Contains(msg, "pw@") {
				t.Errorf("message %q should name %s and say %q", msg, c.key, c.msg)
			}
		})
	}
}
