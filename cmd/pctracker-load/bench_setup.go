package main

// Setup of the bench: the databases it owns, the generator's data, and the
// accounts the phases use, all made with psql and pctracker's own CLI.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// setup finds the tools, makes the main database and fills it, and makes
// the accounts the phases use.
func (b *bench) setup(ctx context.Context) error {
	b.say("== setup")
	bin, err := exec.LookPath(b.o.pctracker)
	if err != nil {
		return fmt.Errorf("--pctracker %s: %v (build it with: go build -o bin/pctracker ./cmd/pctracker)", b.o.pctracker, err)
	}
	if b.bin, err = filepath.Abs(bin); err != nil {
		return err
	}
	if b.psql, err = exec.LookPath("psql"); err != nil {
		return errors.New("psql, the PostgreSQL client, is needed to create the databases (apt-get install postgresql-client)")
	}
	if err := b.sql(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("PostgreSQL at --database-url does not answer: %v", err)
	}
	if b.work, err = os.MkdirTemp("", "pctracker-bench-"); err != nil {
		return err
	}
	// nginx's workers run as another user: they must get through.
	if err := os.Chmod(b.work, 0o755); err != nil {
		return err
	}
	b.mainURL, _ = databaseURL(b.o.adminURL, benchDB)
	if err := b.createDB(ctx, benchDB); err != nil {
		return err
	}
	if _, err := b.tool(ctx, "migrate", b.env(b.mainURL), "migrate", "up"); err != nil {
		return err
	}
	b.say("generating %d organisations x %d cycles x %d actions", benchOrganisations, benchCycles, b.o.actionsPerCycle)
	gen, err := b.tool(ctx, "generate", b.env(b.mainURL), "generate", "--organisations", strconv.Itoa(benchOrganisations),
		"--cycles", strconv.Itoa(benchCycles), "--actions-per-cycle", strconv.Itoa(b.o.actionsPerCycle))
	if err != nil {
		return err
	}
	b.generated("setup-generate", gen, benchOrganisations*benchCycles*b.o.actionsPerCycle)

	// The accounts are made with the CLI, as an operator would; a failure
	// costs only the phases that need them.
	if tok, err := b.account(ctx, "bench-secretariat@example.org", "Bench secretariat", "--role", "secretariat"); err != nil {
		b.say("secretariat account: %v", err)
		b.card.notMeasured("no secretariat account: "+err.Error(), "p2-max", "p2-median")
	} else {
		b.secretary = tok
	}
	for i := 1; i <= benchFocalPoints; i++ {
		tok, err := b.account(ctx, fmt.Sprintf("bench-focal-point-%02d@example.org", i), fmt.Sprintf("Bench focal point %d", i),
			"--role", "supporter", "--stakeholder", strconv.Itoa(i), "--org-role", "focal_point")
		if err != nil {
			b.say("focal point of organisation %d: %v", i, err)
			b.card.notMeasured("no focal points: "+err.Error(), "p3-p95", "p3-errors", "p5-rss-p3")
			b.reporters = nil
			break
		}
		b.reporters = append(b.reporters, tok)
	}
	if b.secretary != "" {
		b.say("made a secretariat account and %d focal points of organisations 1..%d, each with an API token", len(b.reporters), len(b.reporters))
	}
	return nil
}

// generated records a run of the generator: its time and rate.
func (b *bench) generated(id string, gen toolRun, planned int) {
	actions := planned
	if m := generatedLine.FindStringSubmatch(gen.stdout); m != nil {
		actions, _ = strconv.Atoi(m[1])
	}
	rate := float64(actions) / gen.took.Seconds()
	b.card.measured(id, gen.took.Seconds(), fmt.Sprintf("%d actions, %.0f actions/s", actions, rate))
	b.say("generated %d actions in %s (%.0f actions/s)", actions, gen.took.Round(10*time.Millisecond), rate)
}

// generatedLine is the generator's closing summary.
var generatedLine = regexp.MustCompile(`and (\d+) actions in`)

// account makes a user with the CLI and returns a new API token of theirs.
func (b *bench) account(ctx context.Context, email, name string, flags ...string) (string, error) {
	args := append([]string{"user", "add", "--email", email, "--name", name, "--json"}, flags...)
	if _, err := b.tool(ctx, "user add", b.env(b.mainURL), args...); err != nil {
		return "", err
	}
	out, err := b.tool(ctx, "token add", b.env(b.mainURL), "token", "add", "--email", email, "--json")
	if err != nil {
		return "", err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("token add --json printed no token: %q", firstLine(out.stdout))
	}
	return tok.Token, nil
}

// createDB drops name if it is there and makes it anew.
func (b *bench) createDB(ctx context.Context, name string) error {
	if err := b.sql(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return err
	}
	if err := b.sql(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	b.dbs = append(b.dbs, name)
	b.say("created the database %s", name)
	return nil
}

// sql runs one statement with psql on the admin URL.
func (b *bench) sql(ctx context.Context, stmt string) error {
	cmd := exec.CommandContext(ctx, b.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", b.o.adminURL,
		"-c", "SET client_min_messages = warning", "-c", stmt)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql %q: %v: %s", stmt, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// env is the environment of a pctracker child: the bench's own, without
// any PCT_ setting that could point it elsewhere, and the bench's choices.
func (b *bench) env(dbURL string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PCT_") {
			env = append(env, kv)
		}
	}
	return append(env, "PCT_DATABASE_URL="+dbURL, "PCT_LOG_LEVEL=warn", "PCT_SCHEDULER_ENABLED=false",
		"PCT_REPORT_CHROMIUM=off", "PCT_MAIL_DIR="+filepath.Join(b.work, "mail"))
}
