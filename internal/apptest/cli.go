package apptest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/app"
)

// Result is what a command run by RunCLI gave back.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// RunCLI runs the command line as a person would, with env and stdin.
func RunCLI(t *testing.T, env map[string]string, stdin string, args ...string) Result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := app.Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return Result{code, out.String(), errOut.String()}
}
