package main

// Public reads with two read replicas: the throughput with the primary
// stopped beside that with it running, on clusters of the bench's own (the
// shared PostgreSQL cannot be stopped).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/pgcluster"
)

const (
	replicasID      = "replicas-primary-down"
	replicasSetting = "replica_urls"
	// replicaActions is the size of each of the replica phase's two
	// cycles: its figure is a ratio of two runs on the same data, which
	// needs data, not the main database's volume.
	replicaActions = 2000
)

// replicaMix is the public reads measured: pages and API answers that read
// the database, beside the dashboard.
var replicaMix = []weighted{{"dashboard", 1}, {"dashboard-json", 1}, {"recommendation", 2}, {"actions", 2}, {"actions-json", 2}}

// replicas measures the public reads of a pctracker over a primary and
// two streaming replicas, with the primary running and then stopped.
func (b *bench) replicas(ctx context.Context) error {
	run, err := b.tool(ctx, "config", append(b.env(b.mainURL), "PCT_DATABASE_REPLICA_URLS="+b.mainURL), "config")
	if err != nil || !strings.Contains(run.stdout, replicasSetting) {
		b.card.notMeasured("this pctracker does not read database."+replicasSetting, replicasID)
		return nil
	}
	bin, err := pgcluster.FindBin()
	if err != nil {
		b.card.notMeasured(err.Error(), replicasID)
		return nil
	}
	clusters, err := b.replicaClusters(ctx, bin)
	defer func() {
		for _, c := range clusters {
			_ = c.Stop("immediate")
		}
	}()
	if err != nil {
		return err
	}
	primary, standbys := clusters[0], clusters[1:]
	srv, base, err := b.replicaServer(ctx, primary, standbys)
	if err != nil {
		return err
	}
	defer srv.stop(30 * time.Second)

	p := plan{mode: modeCeiling, concurrency: ratioClients, warmup: benchWarmup, duration: ratioDuration}
	up, err := b.runOne(ctx, "primary running", base, replicaMix, settings{}, p)
	if err != nil {
		return err
	}
	b.say("public reads, primary running: %.0f req/s, p99 %.2f ms, %d errors", up.total.Rate, up.total.P99, up.total.Errors)
	stopped := time.Now()
	if err := primary.Stop("fast"); err != nil {
		return err
	}
	if err := waitPrimaryDown(ctx, base, 30*time.Second); err != nil {
		return err
	}
	b.say("primary stopped; /readyz says read-only after %s", time.Since(stopped).Round(time.Millisecond))
	down, err := b.runOne(ctx, "primary stopped", base, replicaMix, settings{}, p)
	if err != nil {
		return err
	}
	b.say("public reads, primary stopped: %.0f req/s, p99 %.2f ms, %d errors", down.total.Rate, down.total.P99, down.total.Errors)
	note := fmt.Sprintf("driver, %d clients, %s each, public pages and API (dashboard, recommendations, action lists): running %.0f req/s (p99 %.2f ms, %d errors), stopped %.0f req/s (p99 %.2f ms, %d errors); %d organisations x 2 cycles x %d actions on a private primary and 2 streaming replicas",
		ratioClients, ratioDuration, up.total.Rate, up.total.P99, up.total.Errors, down.total.Rate, down.total.P99, down.total.Errors, benchOrganisations, replicaActions)
	if up.total.Rate <= 0 {
		b.card.notMeasured("nothing was served with the primary running: "+note, replicasID)
		return nil
	}
	b.card.judged(replicasID, down.total.Rate/up.total.Rate, down.total.Rate/up.total.Rate >= 0.9 && down.total.Errors == 0, note)
	return nil
}

// replicaClusters makes a primary with the phase's data and two streaming
// replicas of it, caught up. It returns what it started, even on error,
// for the caller to stop.
func (b *bench) replicaClusters(ctx context.Context, bin string) ([]*pgcluster.Cluster, error) {
	var out []*pgcluster.Cluster
	// As root, the clusters run as the postgres user, who must get
	// through to their folders.
	dir := filepath.Join(b.work, "replicas")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return out, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return out, err
	}
	next := func(name string) (string, int, error) {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", 0, err
		}
		port, err := freePort()
		return d, port, err
	}
	d, port, err := next("primary")
	if err != nil {
		return out, err
	}
	primary, err := pgcluster.New(bin, d, port)
	if err != nil {
		return out, err
	}
	out = append(out, primary)
	if _, err := b.tool(ctx, "migrate (primary)", b.env(primary.URL), "migrate", "up"); err != nil {
		return out, err
	}
	if _, err := b.tool(ctx, "generate (primary)", b.env(primary.URL), "generate", "--organisations", strconv.Itoa(benchOrganisations),
		"--cycles", "2", "--actions-per-cycle", strconv.Itoa(replicaActions)); err != nil {
		return out, err
	}
	for _, name := range []string{"standby-1", "standby-2"} {
		d, port, err := next(name)
		if err != nil {
			return out, err
		}
		sb, err := primary.Standby(d, port)
		if err != nil {
			return out, err
		}
		out = append(out, sb)
	}
	for _, sb := range out[1:] {
		if err := b.caughtUp(ctx, primary, sb); err != nil {
			return out, err
		}
	}
	b.say("a private primary (port %d) and 2 streaming replicas (ports %d, %d), caught up", primary.Port, out[1].Port, out[2].Port)
	return out, nil
}

// caughtUp waits until standby has replayed all the primary has written.
func (b *bench) caughtUp(ctx context.Context, primary, standby *pgcluster.Cluster) error {
	lsn, err := b.query(ctx, primary.URL, "SELECT pg_current_wal_lsn()")
	if err != nil {
		return err
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		done, err := b.query(ctx, standby.URL, "SELECT pg_last_wal_replay_lsn() >= '"+lsn+"'::pg_lsn")
		if err == nil && done == "t" {
			return nil
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("the standby on port %d did not replay up to %s within a minute", standby.Port, lsn)
}

// query runs one query with psql and returns its one value.
func (b *bench) query(ctx context.Context, url, q string) (string, error) {
	out, err := exec.CommandContext(ctx, b.psql, "-X", "-tA", "-d", url, "-c", q).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("psql %q: %v: %s", q, err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}

// replicaServer starts a second pctracker serve over the primary and the
// replicas.
func (b *bench) replicaServer(ctx context.Context, primary *pgcluster.Cluster, standbys []*pgcluster.Cluster) (*child, string, error) {
	urls := make([]string, len(standbys))
	for i, sb := range standbys {
		urls[i] = sb.URL
	}
	srv, base, _, err := b.serve(ctx, "pctracker serve (replicas)", "server-replicas.log",
		append(b.env(primary.URL), "PCT_DATABASE_REPLICA_URLS="+strings.Join(urls, ",")))
	return srv, base, err
}

// waitPrimaryDown waits until /readyz says the primary is down and the
// replicas serve.
func waitPrimaryDown(ctx context.Context, base string, limit time.Duration) error {
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		if resp, err := client.Get(base + "/readyz"); err == nil {
			var body map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body["primary"] == "down" && body["status"] == "read-only" {
				return nil
			}
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("/readyz did not say the primary was down within %s", limit)
}
