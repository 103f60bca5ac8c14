// Cluster runs a three-peer ensemble in one process and shows it riding
// out the loss of its leader.
//
// The peers talk over TCP on 127.0.0.1, on ports the system picks, with
// their data in a temporary directory that is removed at the end. The
// program writes znodes through a session on a follower, watches a znode
// from another peer and sees the watch fire, closes the leader, waits for
// a new one, checks that every write survived and that new writes work,
// then restarts the old leader and checks that it caught up. It prints
// each step, and exits 0 when all went as expected, 1 otherwise:
//
//	go run ./examples/cluster      # -v also shows the peers' logs
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
