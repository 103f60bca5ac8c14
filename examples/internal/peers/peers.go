// Package peers starts the small three-peer ensembles the examples run
// in one process, over TCP on 127.0.0.1. In a real deployment each peer
// runs in the process of one service instance, on its own machine.
package peers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
)

// TickTime is short so that elections and session expiry take seconds,
// not minutes; ZooKeeper's default is 2s.
const TickTime = 100 * time.Millisecond

// SessionTimeout is how long the ensemble waits before it expires the
// session of a service that stopped: for instance, how long a dead
// leader's leadership outlives it.
const SessionTimeout = 3 * time.Second

// Peers is an ensemble of three peers, each with its data in a directory
// under Dir.
type Peers struct {
	Dir   string
	List  []ensemble.Peer
	Nodes map[uint64]*ensemble.Node // the running peers
}

// Options configure Start.
type Options struct {
	// ClientPorts makes every peer serve ZooKeeper clients on a port the
	// system picks (see ClientAddrs).
	ClientPorts bool
	// Logger receives the peers' logs; nil keeps them silent.
	Logger hclog.Logger
}

// Start starts three peers in a new directory under tmpRoot and waits
// until each serves.
func Start(ctx context.Context, tmpRoot string, o Options) (*Peers, error) {
	dir, err := os.MkdirTemp(tmpRoot, "ensemble-example-")
	if err != nil {
		return nil, err
	}
	p := &Peers{Dir: dir, Nodes: map[uint64]*ensemble.Node{}}
	ports, err := freePorts(6)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for i := range 3 {
		p.List = append(p.List, ensemble.Peer{
			ID:           uint64(i + 1),
			QuorumAddr:   fmt.Sprintf("127.0.0.1:%d", ports[2*i]),
			ElectionAddr: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1]),
		})
	}
	for _, peer := range p.List {
		cfg := ensemble.Config{
			ID:                peer.ID,
			Peers:             p.List,
			DataDir:           filepath.Join(dir, fmt.Sprint("peer", peer.ID)),
			TickTime:          TickTime,
			MaxSessionTimeout: SessionTimeout,
			LogSegmentSize:    1 << 20, // small files for a small demo
			Logger:            o.Logger,
		}
		if o.ClientPorts {
			cfg.ClientAddr = "127.0.0.1:0"
		}
		n, err := ensemble.Start(cfg)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("starting peer %d: %w", peer.ID, err), p.Close())
		}
		p.Nodes[peer.ID] = n
	}
	for id, n := range p.Nodes {
		select {
		case <-n.Ready():
		case <-ctx.Done():
			return nil, errors.Join(fmt.Errorf("waiting for peer %d: %w", id, context.Cause(ctx)), p.Close())
		}
	}
	return p, nil
}

// freePorts returns n distinct ports on 127.0.0.1 that were free a moment
// ago.
func freePorts(n int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}

// ClientAddrs returns the client ports of the running peers.
func (p *Peers) ClientAddrs() []string {
	var addrs []string
	for _, peer := range p.List {
		if n := p.Nodes[peer.ID]; n != nil {
			addrs = append(addrs, n.ClientAddr())
		}
	}
	return addrs
}

// Stop closes peer id, as if its process died.
func (p *Peers) Stop(id uint64) error {
	n := p.Nodes[id]
	delete(p.Nodes, id)
	if err := n.Close(); err != nil {
		return fmt.Errorf("closing peer %d: %w", id, err)
	}
	return nil
}

// Close stops every running peer and removes the data.
func (p *Peers) Close() error {
	var errs []error
	for id := range p.Nodes {
		errs = append(errs, p.Stop(id))
	}
	errs = append(errs, os.RemoveAll(p.Dir))
	return errors.Join(errs...)
}
