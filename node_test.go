package ensemble

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestStandaloneNodeServesAndRecovers(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	cfg := Config{DataDir: dir, TickTime: testTick, LogSegmentSize: 1 << 20}
	n, err := Start(cfg)
	require.NoError(t, err)
	<-n.Ready()
	assert.True(t, n.IsLeader())

	c, err := n.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	p, err := c.Create(ctx, "/a", []byte("one"), znode.Persistent, nil)
	require.NoError(t, err)
	assert.Equal(t, "/a", p)
	seq, err := c.Create(ctx, "/a/s-", nil, znode.PersistentSequential, nil)
	require.NoError(t, err)
	assert.Equal(t, "/a/s-0000000000", seq)
	_, err = c.Create(ctx, "/a", nil, znode.Persistent, nil)
	assert.True(t, errors.Is(err, znode.ErrNodeExists), "%v", err)

	data, st, ch, err := c.GetW(ctx, "/a")
	require.NoError(t, err)
	assert.Equal(t, []byte("one"), data)
	_, err = c.Set(ctx, "/a", []byte("two"), st.Version)
	require.NoError(t, err)
	ev := <-ch
	assert.Equal(t, znode.EventNodeDataChanged, ev.Type)
	assert.Equal(t, "/a", ev.Path)

	_, err = c.Set(ctx, "/a", []byte("three"), st.Version) // stale version
	assert.True(t, errors.Is(err, znode.ErrBadVersion), "%v", err)
	require.NoError(t, c.Sync(ctx, "/"))
	kids, _, err := c.Children(ctx, "/a")
	require.NoError(t, err)
	assert.Equal(t, []string{"s-0000000000"}, kids)
	require.NoError(t, c.Close())
	require.NoError(t, n.Close())

	// Restart from the same directory: everything committed is back.
	n, err = Start(cfg)
	require.NoError(t, err)
	defer n.Close()
	<-n.Ready()
	c, err = n.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	data, _, err = c.Get(ctx, "/a")
	require.NoError(t, err)
	assert.Equal(t, []byte("two"), data)
}

func TestThreePeersReplicateAndSurviveLeaderLoss(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	leader := cl.waitReady(ctx)

	f := cl.follower()
	c, err := f.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	for i := 0; i < 20; i++ {
		_, err := c.Create(ctx, "/k-", []byte{byte(i)}, znode.PersistentSequential, nil)
		require.NoError(t, err)
	}
	// Every peer has them after a sync.
	for _, n := range cl.nodes {
		c2, err := n.NewClient(ctx, ClientOptions{})
		require.NoError(t, err)
		require.NoError(t, c2.Sync(ctx, "/"))
		kids, _, err := c2.Children(ctx, "/")
		require.NoError(t, err)
		assert.Len(t, kids, 21, "peer %d", n.ID()) // 20 and /zookeeper
	}

	old := leader.ID()
	cl.stop(old)
	newLeader := cl.leader(ctx)
	assert.NotEqual(t, old, newLeader.ID())
	cl.waitReady(ctx)
	c3, err := newLeader.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	kids, _, err := c3.Children(ctx, "/")
	require.NoError(t, err)
	assert.Len(t, kids, 21)
	_, err = c3.Create(ctx, "/after", nil, znode.Persistent, nil)
	require.NoError(t, err)

	cl.start(old)
	cl.waitReady(ctx)
	back := cl.nodes[old]
	c4, err := back.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	require.NoError(t, c4.Sync(ctx, "/"))
	ok, _, err := c4.Exists(ctx, "/after")
	require.NoError(t, err)
	assert.True(t, ok)
}
