package ensemble

import (
	"context"
	"net"
	"os"
	"sync"

	"fmt"
	"github.com/hashicorp/go-hclog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
)

// testTick is the tickTime of test ensembles: short, so elections and
// session expiry take a fraction of a second.
const testTick = 50 * time.Millisecond

// testCluster is an in-process ensemble over transport/mem, with real
// write-ahead logs in temp dirs.
type testCluster struct {
	t        testing.TB
	ids      []uint64
	dirs     map[uint64]string
	nodes    map[uint64]*Node
	election *mem.Network
	quorum   *mem.Network
	peers    []Peer
	modify   func(*Config)
	// mu serializes membership changes (start, stop, crash) against
	// goroutines that pick peers with anyNode.
	mu sync.Mutex
	// tcp, when set, runs the peers over transport/tcp on 127.0.0.1
	// instead of the mem networks.
	tcp         bool
	verboseLogs bool
}

// newTestCluster starts voters (and observers) 1..n over mem networks.
func newTestCluster(t testing.TB, voters, observers int, modify func(*Config)) *testCluster {
	t.Helper()
	c := &testCluster{
		t:        t,
		dirs:     map[uint64]string{},
		nodes:    map[uint64]*Node{},
		election: mem.NewNetwork(mem.Options{StallTimeout: 4 * testTick}),
		quorum:   mem.NewNetwork(mem.Options{StallTimeout: 4 * testTick}),
		modify:   modify,
	}
	c.verboseLogs = true
	probe := Config{}
	if modify != nil {
		modify(&probe)
	}
	c.tcp = probe.Transport == nil && probe.Peers != nil
	for i := 1; i <= voters+observers; i++ {
		id := uint64(i)
		c.ids = append(c.ids, id)
		c.dirs[id] = t.TempDir()
		p := Peer{
			ID:           id,
			QuorumAddr:   fmt.Sprintf("mem:%d", 2000+i),
			ElectionAddr: fmt.Sprintf("mem:%d", 3000+i),
			Observer:     i > voters,
		}
		if c.tcp {
			p.QuorumAddr, p.ElectionAddr = freeAddr(t), freeAddr(t)
		}
		c.peers = append(c.peers, p)
	}
	for _, id := range c.ids {
		c.start(id)
	}
	t.Cleanup(c.close)
	return c
}

func (c *testCluster) config(id uint64) Config {
	cfg := Config{
		ID:             id,
		Peers:          c.peers,
		DataDir:        filepath.Join(c.dirs[id], "data"),
		TickTime:       testTick,
		InitLimit:      10,
		SyncLimit:      5,
		LogSegmentSize: 1 << 20,
		Transport: func(id uint64) (transport.Transport, transport.Transport, error) {
			return c.election.Endpoint(id), c.quorum.Endpoint(id), nil
		},
	}
	if testing.Verbose() && c.verboseLogs {
		cfg.Logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: os.Stderr})
	}
	if c.modify != nil {
		c.modify(&cfg)
	}
	if c.tcp {
		cfg.Peers = c.peers
		cfg.Transport = nil
	}
	return cfg
}

// useTCP is a modify function that makes newTestCluster run its peers
// over transport/tcp on 127.0.0.1.
func useTCP(c *Config) {
	c.Transport = nil
	c.Peers = []Peer{}
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment
// ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// start starts (or restarts) peer id from its data directory.
func (c *testCluster) start(id uint64) *Node {
	c.t.Helper()
	n, err := Start(c.config(id))
	require.NoError(c.t, err)
	c.nodes[id] = n
	return n
}

// stop closes peer id, as a clean shutdown.
func (c *testCluster) stop(id uint64) {
	c.t.Helper()
	if n := c.nodes[id]; n != nil {
		require.NoError(c.t, n.Close())
		delete(c.nodes, id)
	}
}

func (c *testCluster) close() {
	for id := range c.nodes {
		c.nodes[id].Close()
	}
	c.election.Close()
	c.quorum.Close()
}

// waitReady waits until every running peer serves, and returns the leader.
func (c *testCluster) waitReady(ctx context.Context) *Node {
	c.t.Helper()
	for {
		var leader *Node
		serving := 0
		for _, n := range c.nodes {
			if n.Serving() {
				serving++
				if n.Role() == Leading {
					leader = n
				}
			}
		}
		if leader != nil && serving == len(c.nodes) {
			return leader
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("ensemble not ready: %v", ctx.Err())
		case <-time.After(testTick / 5):
		}
	}
}

// leader returns the running leader, waiting for one.
func (c *testCluster) leader(ctx context.Context) *Node {
	c.t.Helper()
	for {
		for _, n := range c.nodes {
			if n.IsLeader() {
				return n
			}
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("no leader: %v", ctx.Err())
		case <-time.After(testTick / 5):
		}
	}
}

// anyNode returns some running peer, or nil; safe against concurrent
// membership changes made under c.mu.
func (c *testCluster) anyNode() *Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		return n
	}
	return nil
}

// follower returns some running peer that is not the leader.
func (c *testCluster) follower() *Node {
	for _, n := range c.nodes {
		if !n.IsLeader() {
			return n
		}
	}
	return nil
}

// openSession opens a session on the peer pick returns, or returns nil
// after a short pause when there is no peer or it will not serve yet:
// the callers are retry loops of writers riding out faults.
func openSession(ctx context.Context, pick func() *Node) *Client {
	n := pick()
	if n == nil {
		time.Sleep(testTick)
		return nil
	}
	cctx, cancel := context.WithTimeout(ctx, 20*testTick)
	defer cancel()
	c, err := n.NewClient(cctx, ClientOptions{})
	if err != nil {
		time.Sleep(testTick / 2)
		return nil
	}
	return c
}

// requireAllHave checks that every running peer holds every path, which
// are children of /.
func requireAllHave(t *testing.T, ctx context.Context, cl *testCluster, paths []string) {
	t.Helper()
	require.NotEmpty(t, paths)
	for _, n := range cl.nodes {
		c, err := n.NewClient(ctx, ClientOptions{})
		require.NoError(t, err)
		require.NoError(t, c.Sync(ctx, "/"))
		kids, _, err := c.Children(ctx, "/")
		require.NoError(t, err)
		have := map[string]bool{}
		for _, k := range kids {
			have["/"+k] = true
		}
		for _, p := range paths {
			if !have[p] {
				t.Errorf("peer %d lost acknowledged write %s", n.ID(), p)
			}
		}
		c.Close()
	}
}
