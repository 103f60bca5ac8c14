package recipe_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
)

// tick is the tickTime of test ensembles: short, so elections and session
// expiry take a fraction of a second.
const tick = 50 * time.Millisecond

// sessionTimeout outlasts a leader election, so that sessions on the
// surviving peers live through the loss of the leader; it is also how long
// a dead peer's sessions take to expire.
const sessionTimeout = 40 * tick

// testContext bounds a test: a hang becomes a failure, not a stuck run.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// cluster is an ensemble of Nodes in this process, over transport/mem,
// with their data in temp directories. One peer is a standalone Node.
type cluster struct {
	t        *testing.T
	nodes    map[uint64]*ensemble.Node
	election *mem.Network
	quorum   *mem.Network
}

// startCluster starts n peers and waits until each serves.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	dir := t.TempDir() // before the Cleanup below, so removed after the peers close
	c := &cluster{
		t:        t,
		nodes:    map[uint64]*ensemble.Node{},
		election: mem.NewNetwork(mem.Options{StallTimeout: 4 * tick}),
		quorum:   mem.NewNetwork(mem.Options{StallTimeout: 4 * tick}),
	}
	t.Cleanup(c.close)
	var peers []ensemble.Peer
	if n > 1 {
		for i := 1; i <= n; i++ {
			peers = append(peers, ensemble.Peer{
				ID:           uint64(i),
				QuorumAddr:   fmt.Sprintf("mem:%d", 2000+i),
				ElectionAddr: fmt.Sprintf("mem:%d", 3000+i),
			})
		}
	}
	for i := 1; i <= n; i++ {
		id := uint64(i)
		cfg := ensemble.Config{
			ID:                id,
			Peers:             peers,
			DataDir:           filepath.Join(dir, fmt.Sprint(id)),
			TickTime:          tick,
			InitLimit:         10,
			SyncLimit:         5,
			MaxSessionTimeout: sessionTimeout,
			LogSegmentSize:    1 << 20,
		}
		if n > 1 {
			cfg.Transport = func(id uint64) (transport.Transport, transport.Transport, error) {
				return c.election.Endpoint(id), c.quorum.Endpoint(id), nil
			}
		}
		node, err := ensemble.Start(cfg)
		require.NoError(t, err)
		c.nodes[id] = node
	}
	ctx := testContext(t)
	for _, node := range c.nodes {
		select {
		case <-node.Ready():
		case <-ctx.Done():
			t.Fatalf("peer %d not ready: %v", node.ID(), ctx.Err())
		}
	}
	return c
}

// standalone starts a single peer and returns it.
func standalone(t *testing.T) *ensemble.Node {
	return startCluster(t, 1).nodes[1]
}

// client opens a session on peer id, closed at the end of the test.
func (c *cluster) client(id uint64) *ensemble.Client {
	c.t.Helper()
	return newClient(c.t, c.nodes[id], sessionTimeout)
}

// newClient opens a session on n with the given timeout, closed at the end
// of the test.
func newClient(t *testing.T, n *ensemble.Node, timeout time.Duration) *ensemble.Client {
	t.Helper()
	cl, err := n.NewClient(testContext(t), ensemble.ClientOptions{Timeout: timeout})
	require.NoError(t, err)
	t.Cleanup(func() { cl.Close() })
	return cl
}

// stop closes peer id, as its process dying would.
func (c *cluster) stop(id uint64) {
	c.t.Helper()
	require.NoError(c.t, c.nodes[id].Close())
	delete(c.nodes, id)
}

func (c *cluster) close() {
	for _, n := range c.nodes {
		n.Close()
	}
	c.election.Close()
	c.quorum.Close()
}

// leader returns the id of the peer that leads now.
func (c *cluster) leader() uint64 {
	for id, n := range c.nodes {
		if n.IsLeader() {
			return id
		}
	}
	return 0
}

// follower returns the id of some running peer that does not lead.
func (c *cluster) follower() uint64 {
	for id, n := range c.nodes {
		if !n.IsLeader() {
			return id
		}
	}
	return 0
}
