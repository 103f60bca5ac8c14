package ensemble

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// eventually polls cond until it holds or ctx ends.
func eventually(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(testTick / 5):
		}
	}
}

// existsOn reports whether path exists on peer n after a sync.
func existsOn(t *testing.T, ctx context.Context, n *Node, path string) bool {
	t.Helper()
	c, err := n.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Sync(ctx, "/"))
	ok, _, err := c.Exists(ctx, path)
	require.NoError(t, err)
	return ok
}

func TestSessionSurvivesLeaderChange(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	leader := cl.waitReady(ctx)
	f := cl.follower()
	c, err := f.NewClient(ctx, ClientOptions{Timeout: 40 * testTick})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/eph", []byte("mine"), znode.Ephemeral, nil)
	require.NoError(t, err)

	cl.stop(leader.ID())
	cl.waitReady(ctx)

	// The same session goes on: its ephemeral is still there and it can
	// write, on every peer.
	var writeErr error
	eventually(t, ctx, "a write on the old session", func() bool {
		_, writeErr = c.Create(ctx, "/after", nil, znode.Persistent, nil)
		return writeErr == nil || errors.Is(writeErr, znode.ErrNodeExists)
	})
	for _, n := range cl.nodes {
		assert.True(t, existsOn(t, ctx, n, "/eph"), "peer %d lost the ephemeral", n.ID())
	}
	eph, err := c.Ephemerals(ctx, "/")
	require.NoError(t, err)
	assert.Equal(t, []string{"/eph"}, eph)
	select {
	case <-c.Expired():
		t.Fatalf("session ended: %v", c.Err())
	default:
	}
}

func TestEphemeralsGoWhenTheirSessionExpires(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	leader := cl.waitReady(ctx)
	f := cl.follower()
	c, err := f.NewClient(ctx, ClientOptions{Timeout: 2 * testTick})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/lease", nil, znode.Ephemeral, nil)
	require.NoError(t, err)
	watcher, err := leader.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	ok, _, gone, err := watcher.ExistsW(ctx, "/lease")
	require.NoError(t, err)
	require.True(t, ok)

	// The session's peer dies; nobody touches the session any more, so
	// the leader expires it and the ephemeral goes on every survivor.
	cl.stop(f.ID())
	select {
	case ev := <-gone:
		assert.Equal(t, znode.EventNodeDeleted, ev.Type)
	case <-ctx.Done():
		t.Fatal("the ephemeral of an expired session was not deleted")
	}
	for _, n := range cl.nodes {
		assert.False(t, existsOn(t, ctx, n, "/lease"), "peer %d", n.ID())
	}
}

func TestClosedSessionEndsAndItsEphemeralsGo(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	cl.waitReady(ctx)
	c, err := cl.follower().NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/e", nil, znode.EphemeralSequential, nil)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	<-c.Expired()
	assert.True(t, errors.Is(c.Err(), ErrSessionClosed), "%v", c.Err())
	_, _, err = c.Get(ctx, "/")
	assert.True(t, errors.Is(err, ErrSessionClosed), "%v", err)
	for _, n := range cl.nodes {
		c2, err := n.NewClient(ctx, ClientOptions{})
		require.NoError(t, err)
		require.NoError(t, c2.Sync(ctx, "/"))
		kids, _, err := c2.Children(ctx, "/")
		require.NoError(t, err)
		assert.Equal(t, []string{"zookeeper"}, kids, "peer %d", n.ID())
	}
}

func TestObserverNeverCountsTowardQuorum(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 2, nil)
	leader := cl.waitReady(ctx)
	obs := cl.nodes[5]
	require.Equal(t, Observing, obs.Role())

	c, err := obs.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/via-observer", nil, znode.Persistent, nil)
	require.NoError(t, err, "an observer forwards writes")

	// Stop two of three voters: one voter and two observers are three
	// peers, but not a quorum of voters, so nothing may commit.
	var stopped int
	for _, id := range []uint64{1, 2, 3} {
		if id != leader.ID() && stopped < 1 {
			cl.stop(id)
			stopped++
		}
	}
	cl.stop(leader.ID())
	short, cancel := context.WithTimeout(ctx, 40*testTick)
	defer cancel()
	_, err = c.Create(short, "/no-quorum", nil, znode.Persistent, nil)
	require.Error(t, err)
	for _, n := range cl.nodes {
		assert.NotEqual(t, Leading, n.Role(), "peer %d leads without a quorum of voters", n.ID())
	}
}

// syncedBy returns how peer n last caught up with its leader.
func syncedBy(n *Node) syncKind { return syncKind(n.lastSync.Load()) }

func TestRestartedFollowerCatchesUpByDiff(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	cl.waitReady(ctx)
	f := cl.follower()
	id := f.ID()
	// The follower has some history of its own before it stops, so the
	// leader can DIFF from a point of it.
	require.True(t, existsOn(t, ctx, f, "/zookeeper"))
	cl.stop(id)
	c, err := cl.leader(ctx).NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		_, err := c.Create(ctx, fmt.Sprintf("/d%d", i), nil, znode.Persistent, nil)
		require.NoError(t, err)
	}
	back := cl.start(id)
	cl.waitReady(ctx)
	assert.Equal(t, syncDiff, syncedBy(back))
	assert.True(t, existsOn(t, ctx, back, "/d9"))
}

func TestRestartedFollowerCatchesUpBySnap(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, func(c *Config) { c.maxDiff = 5 })
	cl.waitReady(ctx)
	f := cl.follower()
	id := f.ID()
	cl.stop(id)
	c, err := cl.leader(ctx).NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		_, err := c.Create(ctx, fmt.Sprintf("/s%d", i), []byte("x"), znode.Persistent, nil)
		require.NoError(t, err)
	}
	back := cl.start(id)
	cl.waitReady(ctx)
	assert.Equal(t, syncSnap, syncedBy(back))
	assert.True(t, existsOn(t, ctx, back, "/s19"))

	// The snapshot it received is durable: after another restart, with the
	// others stopped, its own disk still holds everything.
	cl.stop(id)
	back = cl.start(id)
	cl.waitReady(ctx)
	assert.True(t, existsOn(t, ctx, back, "/s19"))
}

func TestRestartedOldLeaderTruncatesWhatNeverCommitted(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	leader := cl.waitReady(ctx)
	old := leader.ID()
	c, err := leader.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/committed", nil, znode.Persistent, nil)
	require.NoError(t, err)

	// Cut the leader off, then give it a write: it logs the proposal but
	// can never commit it.
	cl.quorum.Isolate(old)
	cl.election.Isolate(old)
	pending, cancel := context.WithTimeout(ctx, 10*testTick)
	_, err = c.Create(pending, "/never", nil, znode.Persistent, nil)
	cancel()
	require.Error(t, err)
	eventually(t, ctx, "the proposal in the old leader's log", func() bool { return leader.wal.LastZxid() > leader.LastZxid() })
	cl.stop(old)
	cl.quorum.Heal(old)
	cl.election.Heal(old)

	// The others move on without it.
	nl := cl.leader(ctx)
	c2, err := nl.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	_, err = c2.Create(ctx, "/new-epoch", nil, znode.Persistent, nil)
	require.NoError(t, err)

	back := cl.start(old)
	cl.waitReady(ctx)
	assert.Equal(t, syncTrunc, syncedBy(back))
	assert.False(t, existsOn(t, ctx, back, "/never"))
	assert.True(t, existsOn(t, ctx, back, "/new-epoch"))
	assert.True(t, existsOn(t, ctx, back, "/committed"))
}
