package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
)

// tickTime is short so that elections and syncs take a fraction of a
// second; ZooKeeper's default is 2s.
const tickTime = 100 * time.Millisecond

// sessionTimeout outlasts a leader election, so that the sessions on the
// followers survive the loss of the leader.
const sessionTimeout = 5 * time.Second

// cluster is three peers in this process, each with its own data
// directory under dir.
type cluster struct {
	dir    string
	peers  []ensemble.Peer
	nodes  map[uint64]*ensemble.Node // the running peers
	logger hclog.Logger
}

// newCluster picks the ports and the directories of three peers; start
// runs them. tmpRoot is where the data goes ("" for the system's
// temporary directory).
func newCluster(tmpRoot string, logger hclog.Logger) (*cluster, error) {
	dir, err := os.MkdirTemp(tmpRoot, "ensemble-cluster-")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(6)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &cluster{dir: dir, nodes: map[uint64]*ensemble.Node{}, logger: logger}
	for i := range 3 {
		c.peers = append(c.peers, ensemble.Peer{
			ID:           uint64(i + 1),
			QuorumAddr:   fmt.Sprintf("127.0.0.1:%d", ports[2*i]),
			ElectionAddr: fmt.Sprintf("127.0.0.1:%d", ports[2*i+1]),
		})
	}
	return c, nil
}

// freePorts returns n distinct ports on 127.0.0.1 that were free a moment
// ago. They are held open together, so they differ from each other.
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

// ids returns the ids of every peer, running or not.
func (c *cluster) ids() []uint64 {
	ids := make([]uint64, len(c.peers))
	for i, p := range c.peers {
		ids[i] = p.ID
	}
	return ids
}

// start starts peer id, or restarts it from its data directory.
func (c *cluster) start(id uint64) (*ensemble.Node, error) {
	n, err := ensemble.Start(ensemble.Config{
		ID:                id,
		Peers:             c.peers,
		DataDir:           filepath.Join(c.dir, fmt.Sprintf("peer%d", id)),
		TickTime:          tickTime,
		InitLimit:         10,
		SyncLimit:         5,
		MaxSessionTimeout: sessionTimeout,
		LogSegmentSize:    1 << 20, // small files for a small demo
		Logger:            c.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("starting peer %d: %w", id, err)
	}
	c.nodes[id] = n
	return n, nil
}

// stop closes peer id, as a clean shutdown.
func (c *cluster) stop(id uint64) error {
	n := c.nodes[id]
	delete(c.nodes, id)
	if err := n.Close(); err != nil {
		return fmt.Errorf("closing peer %d: %w", id, err)
	}
	return nil
}

// close stops every running peer and removes the data.
func (c *cluster) close() error {
	var errs []error
	for id := range c.nodes {
		errs = append(errs, c.stop(id))
	}
	errs = append(errs, os.RemoveAll(c.dir))
	return errors.Join(errs...)
}

// waitReady waits until peer id serves: it leads an established epoch or
// has synced with one.
func (c *cluster) waitReady(ctx context.Context, id uint64) error {
	n := c.nodes[id]
	select {
	case <-n.Ready():
		return nil
	case <-n.Done():
		return fmt.Errorf("peer %d stopped: %v", id, n.Err())
	case <-ctx.Done():
		return fmt.Errorf("waiting for peer %d to be ready: %w", id, context.Cause(ctx))
	}
}

// waitLeader waits until one running peer leads and every other running
// peer follows, and returns the leader's id. It polls the peers' roles:
// a role settles within a few ticks, and polling at a fraction of a tick
// is the simplest way to watch several peers at once.
func (c *cluster) waitLeader(ctx context.Context) (uint64, error) {
	poll := time.NewTicker(tickTime / 4)
	defer poll.Stop()
	for {
		leaders, followers := []uint64{}, 0
		for id, n := range c.nodes {
			switch n.Role() {
			case ensemble.Leading:
				leaders = append(leaders, id)
			case ensemble.Following:
				followers++
			}
		}
		if len(leaders) == 1 && followers == len(c.nodes)-1 {
			return leaders[0], nil
		}
		select {
		case <-poll.C:
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for a leader (leading: %v): %w", leaders, context.Cause(ctx))
		}
	}
}

// others returns the running peers other than id, in order.
func (c *cluster) others(id uint64) []uint64 {
	var ids []uint64
	for other := range c.nodes {
		if other != id {
			ids = append(ids, other)
		}
	}
	slices.Sort(ids)
	return ids
}
