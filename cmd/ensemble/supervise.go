package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ensemble-go/ensemble"
)

// peer is what supervise needs of an *ensemble.Node, so that a failing
// Node can be stood in for in tests.
type peer interface {
	ID() uint64
	Role() ensemble.Role
	Ready() <-chan struct{}
	Done() <-chan struct{}
	Err() error
	Close() error
}

// readyPrefix starts the stdout line printed once the peer serves; scripts
// and tests wait for it.
const readyPrefix = "ready:"

// supervise runs a started peer until ctx ends, then closes it (exitOK),
// or until it fails by itself (exitFailure). It says "ready" once the peer
// first serves.
func supervise(ctx context.Context, p peer, stdout, stderr io.Writer) int {
	ready := p.Ready()
	for {
		select {
		case <-ready:
			fmt.Fprintf(stdout, "%s peer %d is %s\n", readyPrefix, p.ID(), p.Role())
			ready = nil // a nil channel never fires again
		case <-p.Done():
			err := p.Err()
			if err == nil {
				err = errors.New("stopped by itself")
			}
			fmt.Fprintf(stderr, "ensemble: peer %d failed: %v\n", p.ID(), err)
			// Done means the peer's loop has ended; Close releases what it
			// still holds (transports, txn log).
			_ = p.Close()
			return exitFailure
		case <-ctx.Done():
			fmt.Fprintf(stdout, "stopping: %v\n", context.Cause(ctx))
			if err := p.Close(); err != nil {
				fmt.Fprintf(stderr, "ensemble: peer %d stopped with an error: %v\n", p.ID(), err)
				return exitFailure
			}
			fmt.Fprintln(stdout, "stopped")
			return exitOK
		}
	}
}
