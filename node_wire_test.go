package ensemble

import (
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// connectZK connects go-zookeeper/zk to addrs and waits for a session.
func connectZK(t *testing.T, addrs []string) *zk.Conn {
	t.Helper()
	conn, events, err := zk.Connect(addrs, 20*testTick, zk.WithLogInfo(false))
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == zk.StateHasSession {
				return conn
			}
		case <-deadline:
			t.Fatal("go-zookeeper/zk got no session")
		}
	}
}

// TestZooKeeperClientOnEveryPeer connects a real ZooKeeper client to each
// peer of an ensemble, writes through one and watches through another.
func TestZooKeeperClientOnEveryPeer(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, func(c *Config) { c.ClientAddr = "127.0.0.1:0" })
	cl.waitReady(ctx)
	var addrs []string
	for _, id := range cl.ids {
		addrs = append(addrs, cl.nodes[id].ClientAddr())
	}
	a := connectZK(t, addrs[:1])
	b := connectZK(t, addrs[1:2])

	exists, _, ch, err := b.ExistsW("/x")
	require.NoError(t, err)
	assert.False(t, exists)

	p, err := a.Create("/x", []byte("hello"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	assert.Equal(t, "/x", p)
	select {
	case ev := <-ch:
		assert.Equal(t, zk.EventNodeCreated, ev.Type)
		assert.Equal(t, "/x", ev.Path)
	case <-ctx.Done():
		t.Fatal("no watch event on the other peer")
	}
	_, err = b.Sync("/x")
	require.NoError(t, err)
	data, st, err := b.Get("/x")
	require.NoError(t, err)
	assert.Equal(t, []byte("hello"), data)
	assert.Equal(t, int32(0), st.Version)

	_, err = a.Create("/x", nil, 0, zk.WorldACL(zk.PermAll))
	assert.ErrorIs(t, err, zk.ErrNodeExists)
	_, err = a.Create("/x/e", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	kids, _, err := b.Children("/x")
	if err == nil && len(kids) == 0 {
		_, _ = b.Sync("/x")
		kids, _, err = b.Children("/x")
	}
	require.NoError(t, err)
	assert.Equal(t, []string{"e"}, kids)

	resp, err := a.Multi(&zk.CreateRequest{Path: "/m", Data: nil, Acl: zk.WorldACL(zk.PermAll)}, &zk.SetDataRequest{Path: "/x", Data: []byte("y"), Version: 0})
	require.NoError(t, err)
	assert.Len(t, resp, 2)
}

// TestZooKeeperSessionMovesToAnotherPeer kills the peer a go-zookeeper/zk
// client is connected to: the client reconnects to another peer with the
// same session and its ephemeral node intact. (Watches surviving a move
// are shown by cmd/ensemble's kill -9 test, which works around a data race
// of go-zookeeper/zk's own in its setWatches on reconnect.)
func TestZooKeeperSessionMovesToAnotherPeer(t *testing.T) {
	ctx := testContext(t)
	// A session timeout that covers an election and the client's
	// reconnect backoff on a loaded machine: the test is about moving, not
	// about racing expiry (the default maximum, 20 ticks, is 1s here).
	cl := newTestCluster(t, 3, 0, func(c *Config) {
		c.ClientAddr = "127.0.0.1:0"
		c.MaxSessionTimeout = 200 * testTick
	})
	cl.waitReady(ctx)
	byAddr := map[string]uint64{}
	var addrs []string
	for _, id := range cl.ids {
		a := cl.nodes[id].ClientAddr()
		addrs = append(addrs, a)
		byAddr[a] = id
	}
	conn, events, err := zk.Connect(addrs, 200*testTick, zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	// waitServing waits for a session on a peer that serves: a peer that
	// has not noticed yet that its leader is gone can hand the session
	// back and then drop it (it does not revalidate with the leader), and
	// the client then moves on again.
	waitServing := func() {
		t.Helper()
		for {
			select {
			case ev := <-events:
				if ev.State == zk.StateExpired {
					t.Fatal("the session expired")
				}
				if ev.State != zk.StateHasSession {
					continue
				}
				if _, err := conn.Sync("/"); err == nil {
					return
				}
			case <-ctx.Done():
				t.Fatal("no serving session")
			}
		}
	}
	waitServing()
	sid := conn.SessionID()
	_, err = conn.Create("/mover", nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)

	cl.stop(byAddr[conn.Server()])
	waitServing()
	assert.Equal(t, sid, conn.SessionID(), "the session must survive the move")
	ok, stat, err := conn.Exists("/mover")
	require.NoError(t, err)
	assert.True(t, ok, "the ephemeral must survive the move")
	assert.Equal(t, sid, stat.EphemeralOwner)
	_, err = conn.Create("/after-move", nil, 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
}
