package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/pctracker/pctracker/internal/api"
)

// toolsDir is where .ci/run installs the npm tools the tests run
// (npm install --prefix /tmp/pct-tools): a fixed place, whatever TMPDIR says.
const toolsDir = "/tmp/pct-tools"

// redocly finds Redocly CLI: on the PATH, or in toolsDir; "" when it is in
// neither.
func redocly() string {
	if p, err := exec.LookPath("redocly"); err == nil {
		return p
	}
	p := filepath.Join(toolsDir, "node_modules", ".bin", "redocly")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// An independent linter, Redocly CLI with its recommended rules, finds no
// error and no warning in the document. Away from CI a machine without it
// skips; under CI its absence is a failure, since .ci/run installs it.
func TestOpenAPILintsClean(t *testing.T) {
	bin := redocly()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Redocly CLI here: .ci/run installs it into " + toolsDir)
		}
		t.Skip("no Redocly CLI here (npm install --prefix " + toolsDir + " @redocly/cli)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "lint", "--format=json", "openapi.json")
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var out struct {
		Totals struct {
			Errors, Warnings int
		}
		Version  string
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string
			Message  string
			Location []struct {
				Pointer string
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("redocly lint: %v (%v)\n%s\n%s", err, runErr, stdout.String(), stderr.String())
	}
	for _, p := range out.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("%s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if runErr != nil || out.Totals.Errors+out.Totals.Warnings != 0 {
		t.Errorf("redocly lint %s: %d errors, %d warnings (%v)", out.Version, out.Totals.Errors, out.Totals.Warnings, runErr)
	}
	t.Logf("Redocly CLI %s: %d errors, %d warnings", out.Version, out.Totals.Errors, out.Totals.Warnings)
}

// Every operation says what it does for a reader (a summary and a
// description), sits under one declared tag, and lists at least one 4XX
// answer with the error body: the API reference page groups by tag and
// shows all three.
func TestOpenAPIOperationsAreDescribed(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	for _, tag := range doc.Tags {
		if strings.TrimSpace(tag.Description) == "" {
			t.Errorf("tag %q has no description", tag.Name)
		}
		declared[tag.Name] = true
	}
	used := map[string]bool{}
	count := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			count++
			if strings.TrimSpace(op.Summary) == "" || strings.TrimSpace(op.Description) == "" {
				t.Errorf("%s %s: summary %q, description %q", method, path, op.Summary, op.Description)
			}
			if len(op.Tags) != 1 || !declared[op.Tags[0]] {
				t.Errorf("%s %s: tags %v, not one of the declared tags", method, path, op.Tags)
			}
			for _, tag := range op.Tags {
				used[tag] = true
			}
			refusals := 0
			for code, r := range op.Responses.Map() {
				if !strings.HasPrefix(code, "4") {
					continue
				}
				refusals++
				// The Error, or its shape with details beside it (an import's problems).
				if mt := r.Value.Content.Get("application/json"); mt == nil || mt.Schema.Value.Properties["error"] == nil {
					t.Errorf("%s %s: %s is not an Error", method, path, code)
				}
			}
			if refusals == 0 {
				t.Errorf("%s %s: no 4XX answer", method, path)
			}
		}
	}
	for name := range declared {
		if !used[name] {
			t.Errorf("tag %q has no operation", name)
		}
	}
	if count < 60 {
		t.Errorf("only %d operations", count)
	}
}
