package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/examples/internal/peers"
	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/znode"
)

const (
	lockPath    = "/demo/lock"
	counterPath = "/demo/counter"
	// holderPath is an ephemeral marker each holder creates while it
	// holds the lock: creating it fails if someone else holds it too.
	holderPath = "/demo/holder"
	rounds     = 4 // times each contender takes the lock
	workers    = 2 // worker processes
	perWorker  = 2 // goroutines in each worker process
)

// The environment that makes this program a worker process.
const (
	workerEnv  = "ENSEMBLE_LOCK_EXAMPLE_WORKER"  // the worker's name
	serversEnv = "ENSEMBLE_LOCK_EXAMPLE_SERVERS" // the peers' client ports, comma-separated
)

// critical is what a contender does while it holds the lock: mark itself
// as the holder, increment the counter with a plain read and write (no
// compare-and-set: only the lock protects it), say so, and unmark.
func critical(held context.Context, c recipe.Client, who string, out io.Writer) error {
	if _, err := c.Create(held, holderPath, []byte(who), znode.Ephemeral, nil); err != nil {
		if errors.Is(err, znode.ErrNodeExists) {
			other, _, _ := c.Get(held, holderPath)
			return fmt.Errorf("%s and %s hold the lock at once", who, other)
		}
		return err
	}
	data, _, err := c.Get(held, counterPath)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(data))
	if err != nil {
		return err
	}
	if _, err := c.Set(held, counterPath, []byte(strconv.Itoa(n+1)), -1); err != nil {
		return err
	}
	fmt.Fprintf(out, "   %-22s holds the lock: counter %d -> %d\n", who, n, n+1)
	return c.Delete(held, holderPath, -1)
}

// contend takes the lock rounds times and runs the critical section each
// time.
func contend(ctx context.Context, c recipe.Client, who string, out io.Writer) error {
	l := recipe.NewLock(c, lockPath, who)
	for range rounds {
		held, err := l.Lock(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
		err = critical(held, c, who, out)
		if uerr := l.Unlock(ctx); err == nil {
			err = uerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", who, err)
		}
	}
	return nil
}

// lines is a writer that several goroutines share, one line at a time.
type lines struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// run is the whole demonstration, written to out. Data goes in a new
// directory under tmpRoot ("" for the system's temporary directory),
// removed before run returns.
func run(ctx context.Context, out io.Writer, tmpRoot string, logger hclog.Logger) (err error) {
	out = &lines{w: out}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	say("1. starting three peers (peers.TickTime %v), serving ZooKeeper clients on 127.0.0.1", peers.TickTime)
	p, err := peers.Start(ctx, tmpRoot, peers.Options{ClientPorts: true, Logger: logger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, p.Close()) }()
	var clients []*ensemble.Client
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for _, peer := range p.List {
		c, err := p.Nodes[peer.ID].NewClient(ctx, ensemble.ClientOptions{Timeout: peers.SessionTimeout})
		if err != nil {
			return fmt.Errorf("opening a session on peer %d: %w", peer.ID, err)
		}
		clients = append(clients, c)
	}
	if _, err := clients[0].Create(ctx, "/demo", nil, znode.Persistent, nil); err != nil {
		return err
	}
	if _, err := clients[0].Create(ctx, counterPath, []byte("0"), znode.Persistent, nil); err != nil {
		return err
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	say("2. %d goroutines here (one session on each peer) and %d worker processes of %d goroutines each",
		len(clients), workers, perWorker)
	say("   (the workers reach the peers' client ports with go-zookeeper/zk) take the lock %d times each", rounds)
	var wg sync.WaitGroup
	errs := make(chan error, len(clients)+workers)
	for i := range workers {
		name := fmt.Sprint("process-", i+1)
		cmd := exec.CommandContext(ctx, self)
		cmd.Env = append(os.Environ(), workerEnv+"="+name, serversEnv+"="+strings.Join(p.ClientAddrs(), ","))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting %s: %w", name, err)
		}
		wg.Go(func() {
			// Whole lines, so they do not mix with the others'.
			s := bufio.NewScanner(stdout)
			for s.Scan() {
				fmt.Fprintln(out, s.Text())
			}
			if err := cmd.Wait(); err != nil {
				errs <- fmt.Errorf("%s: %w: %s", name, err, strings.TrimSpace(stderr.String()))
			}
		})
	}
	for i, c := range clients {
		who := fmt.Sprintf("main/goroutine-%d", i+1)
		wg.Go(func() {
			if err := contend(ctx, c, who, out); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		err = errors.Join(err, e)
	}
	if err != nil {
		return err
	}

	data, _, err := clients[0].Get(ctx, counterPath)
	if err != nil {
		return err
	}
	want := rounds * (len(clients) + workers*perWorker)
	if string(data) != strconv.Itoa(want) {
		return fmt.Errorf("the counter is %s, want %d: an update was lost", data, want)
	}
	say("3. the counter is %d, %d holds by %d contenders in %d processes: none overlapped, no update was lost",
		want, want, len(clients)+workers*perWorker, 1+workers)
	say("4. shutting down")
	return nil
}
