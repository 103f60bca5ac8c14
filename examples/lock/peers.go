package main

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

// tickTime is short so that elections and session expiry take seconds,
// not minutes; ZooKeeper's default is 2s.
const tickTime = 100 * time.Millisecond

// sessionTimeout is how long the ensemble waits before it expires the
// session of a process that stopped.
const sessionTimeout = 3 * time.Second

// peers is an ensemble of three peers on 127.0.0.1, each with its data in
// a directory under dir. In a real deployment each runs in the process of
// one service instance, on its own machine.
type peers struct {
	dir    string
	list   []ensemble.Peer
	nodes  map[uint64]*ensemble.Node
	logger hclog.Logger
}

// startPeers starts three peers and waits until each serves.
func startPeers(ctx context.Context, tmpRoot string, logger hclog.Logger) (*peers, error) {
	dir, err := os.MkdirTemp(tmpRoot, "ensemble-example-")
	if err != nil {
		return nil, err
	}
	p := &peers{dir: dir, nodes: map[uint64]*ensemble.Node{}, logger: logger}
	ports, err := freePorts(6)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for i := range 3 {
		p.list = append(p.list, ensemble.Peer{
			ID:           uint64(i + 1),
			QuorumAddr:   fmt.Sprintf("127.0.0.1:%d", ports[2*i]),
			ElectionAddr: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1]),
		})
	}
	for _, peer := range p.list {
		n, err := ensemble.Start(ensemble.Config{
			ID:                peer.ID,
			Peers:             p.list,
			DataDir:           filepath.Join(dir, fmt.Sprint("peer", peer.ID)),
			TickTime:          tickTime,
			MaxSessionTimeout: sessionTimeout,
			LogSegmentSize:    1 << 20, // small files for a small demo
			Logger:            logger,
			ClientAddr:        "127.0.0.1:0", // serve ZooKeeper clients on a port the system picks
		})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("starting peer %d: %w", peer.ID, err), p.close())
		}
		p.nodes[peer.ID] = n
	}
	for id, n := range p.nodes {
		select {
		case <-n.Ready():
		case <-ctx.Done():
			return nil, errors.Join(fmt.Errorf("waiting for peer %d: %w", id, context.Cause(ctx)), p.close())
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

// clientAddrs returns the client ports of the running peers.
func (p *peers) clientAddrs() []string {
	var addrs []string
	for _, peer := range p.list {
		if n := p.nodes[peer.ID]; n != nil {
			addrs = append(addrs, n.ClientAddr())
		}
	}
	return addrs
}

// stop closes peer id, as if its process died.
func (p *peers) stop(id uint64) error {
	n := p.nodes[id]
	delete(p.nodes, id)
	if err := n.Close(); err != nil {
		return fmt.Errorf("closing peer %d: %w", id, err)
	}
	return nil
}

// close stops every running peer and removes the data.
func (p *peers) close() error {
	var errs []error
	for id := range p.nodes {
		errs = append(errs, p.stop(id))
	}
	errs = append(errs, os.RemoveAll(p.dir))
	return errors.Join(errs...)
}
