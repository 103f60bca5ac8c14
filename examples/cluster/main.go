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
	// The whole tour takes a few seconds; the bound turns a hang into a
	// failure.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	var logger hclog.Logger // nil: the peers stay silent
	if *verbose {
		logger = hclog.New(&hclog.LoggerOptions{Output: os.Stderr, Level: hclog.Info})
	}
	if err := run(ctx, os.Stdout, "", logger); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}
