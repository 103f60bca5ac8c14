package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ensemble-go/ensemble/examples/internal/peers"
	"github.com/ensemble-go/ensemble/recipe/gozk"
)

// isWorker reports whether this process was started as a worker.
func isWorker() bool { return os.Getenv(workerEnv) != "" }

// workerMain is a worker process: it opens one session on the ensemble
// through the client ports and runs perWorker contenders on it. It
// returns the exit status.
func workerMain() int {
	name := os.Getenv(workerEnv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := work(ctx, name, strings.Split(os.Getenv(serversEnv), ","), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func work(ctx context.Context, name string, servers []string, out io.Writer) error {
	c, err := gozk.Connect(ctx, servers, peers.SessionTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	out = &lines{w: out}
	var wg sync.WaitGroup
	errs := make(chan error, perWorker)
	for i := range perWorker {
		who := fmt.Sprintf("%s/goroutine-%d", name, i+1)
		wg.Go(func() {
			if err := contend(ctx, c, who, out); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	var all error
	for err := range errs {
		all = errors.Join(all, err)
	}
	return all
}
