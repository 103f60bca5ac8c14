// Lock shows several goroutines and several processes sharing one lock.
// Three peers run in this process and serve ZooKeeper clients; three
// goroutines here (each with a session on its own peer) and two worker
// processes (this program again, each with two goroutines sharing one
// session through go-zookeeper/zk) take the lock in turn. Inside it, each
// increments a counter znode with a plain read and write; the final count
// shows that no two holders ever overlapped.
//
// The peers talk over TCP on 127.0.0.1, on ports the system picks, with
// their data in a temporary directory that is removed at the end. It
// prints each step and exits 0 when all went as expected, 1 otherwise:
//
//	go run ./examples/lock      # -v also shows the peers' logs
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
	if isWorker() {
		os.Exit(workerMain())
	}
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
		fmt.Fprintln(os.Stderr, "lock:", err)
		os.Exit(1)
	}
}
