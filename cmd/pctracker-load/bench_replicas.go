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

	up, down, err := b.replicaRuns(ctx, base, primary)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("driver, %d clients, 2 x %s each, in the order running, stopped, stopped, running; public pages and API (dashboard, recommendations, action lists): running %.0f req/s (p99 %.2f ms, %d errors), stopped %.0f req/s (p99 %.2f ms, %d errors); %d organisations x 2 cycles x %d actions on a private primary and 2 streaming replicas",
		ratioClients, ratioDuration, up.Rate, up.P99, up.Errors, down.Rate, down.P99, down.Errors, benchOrganisations, replicaActions)
	if up.Rate <= 0 {
		b.card.notMeasured("nothing was served with the primary running: "+note, replicasID)
		return nil
	}
	b.card.judged(replicasID, down.Rate/up.Rate, down.Rate/up.Rate >= 0.9 && down.Errors == 0, note)
	return nil
}

// replicaRuns measures the public reads with the primary running and
// stopped, twice each, in the order running, stopped, stopped, running:
// neither state always runs on a warmer or a busier machine, and the
// primary stops and starts once. It returns each state's two runs summed.
func (b *bench) replicaRuns(ctx context.Context, base string, primary *pgcluster.Cluster) (up, down summary, err error) {
	p := plan{mode: modeCeiling, concurrency: ratioClients, warmup: benchWarmup, duration: ratioDuration}
	run := func(label string, into *summary) error {
		r, err := b.runOne(ctx, label, base, replicaMix, settings{}, p)
		if err != nil {
			return err
		}
		b.say("public reads, %s: %.0f req/s, p99 %.2f ms, %d errors", label, r.total.Rate, r.total.P99, r.total.Errors)
		*into = sumRuns(*into, r.total)
		return nil
	}
	if err := run("primary running", &up); err != nil {
		return up, down, err
	}
	stopped := time.Now()
	if err := primary.Stop("fast"); err != nil {
		return up, down, err
	}
	if err := waitReadiness(ctx, base, "down", 30*time.Second); err != nil {
		return up, down, err
	}
	b.say("primary stopped; /readyz says read-only after %s", time.Since(stopped).Round(time.Millisecond))
	for range 2 {
		if err := run("primary stopped", &down); err != nil {
			return up, down, err
		}
	}
	started := time.Now()
	if err := primary.Start(); err != nil {
		return up, down, err
	}
	if err := waitReadiness(ctx, base, "up", 30*time.Second); err != nil {
		return up, down, err
	}
	b.say("primary started again; /readyz says so after %s", time.Since(started).Round(time.Millisecond))
	err = run("primary running again", &up)
	return up, down, err
}

// sumRuns adds run r to total: requests, time and errors add up, the rate
// is over their whole time, and the latencies kept are the worst run's.
func sumRuns(total, r summary) summary {
	total.Requests += r.Requests
	total.DurationS += r.DurationS
	total.Errors += r.Errors
	if total.DurationS > 0 {
		total.Rate = float64(total.Requests) / total.DurationS
	}
	total.P99 = max(total.P99, r.P99)
	total.Max = max(total.Max, r.Max)
	return total
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

// waitReadiness waits until /readyz says the primary is primary ("up" or
// "down"), and what that means: ready, or read-only with the replicas
// serving.
func waitReadiness(ctx context.Context, base, primary string, limit time.Duration) error {
	status := map[string]string{"up": "ready", "down": "read-only"}[primary]
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		if resp, err := client.Get(base + "/readyz"); err == nil {
			var body map[string]string
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if body["primary"] == primary && body["status"] == status {
				return nil
			}
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("/readyz did not say the primary was %s within %s", primary, limit)
}
