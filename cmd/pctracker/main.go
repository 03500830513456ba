// Command pctracker tracks the progress of supporters of the Paris Call for
// Trust and Security in Cyberspace against the twelve priority
// recommendations on cyber mercenaries.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pctracker/pctracker/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
