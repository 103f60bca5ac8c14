// Config shows a watched configuration reloading running services: two
// services read their rate limits from the ensemble, start with defaults
// while none exist, and reload each time an admin tool publishes new
// limits, ending on the last value however fast it changes.
//
// The three peers talk over TCP on 127.0.0.1, on ports the system picks,
// with their data in a temporary directory that is removed at the end. It
// prints each step and exits 0 when all went as expected, 1 otherwise:
//
//	go run ./examples/config      # -v also shows the peers' logs
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

func main() {
	verbose := flag.Bool("v", false, "show the peers' logs on stderr")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The demonstration takes seconds; the bound turns a hang into a
	// failure.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	var logger hclog.Logger // nil: the peers stay silent
	if *verbose {
		logger = hclog.New(&hclog.LoggerOptions{Output: os.Stderr, Level: hclog.Info})
	}
	if err := run(ctx, os.Stdout, "", logger); err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
}
