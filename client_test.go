package ensemble

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/znode"
)

// TestClientEveryOperation drives each operation of the in-process client
// once against a 3-peer ensemble, through a follower.
func TestClientEveryOperation(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, func(c *Config) { c.ExtendedTypes = true })
	cl.waitReady(ctx)
	c, err := cl.follower().NewClient(ctx, ClientOptions{})
	require.NoError(t, err)

	// Every kind of create.
	for _, tc := range []struct {
		path string
		mode znode.CreateMode
		ttl  time.Duration
		want string
	}{
		{"/p", znode.Persistent, 0, "/p"},
		{"/p/seq-", znode.PersistentSequential, 0, "/p/seq-0000000000"},
		{"/p/eph", znode.Ephemeral, 0, "/p/eph"},
		{"/p/eseq-", znode.EphemeralSequential, 0, "/p/eseq-0000000002"},
		{"/box", znode.Container, 0, "/box"},
		{"/ttl", znode.PersistentWithTTL, time.Hour, "/ttl"},
		{"/p/tseq-", znode.PersistentSequentialWithTTL, time.Hour, "/p/tseq-0000000003"},
	} {
		p, st, err := c.CreateStat(ctx, tc.path, []byte("d"), tc.mode, nil, tc.ttl)
		require.NoError(t, err, tc.path)
		assert.Equal(t, tc.want, p)
		assert.Equal(t, int32(1), st.DataLength)
	}
	_, err = c.Create(ctx, "/p/eph/child", nil, znode.Persistent, nil)
	assert.True(t, errors.Is(err, znode.ErrNoChildrenForEphemerals), "%v", err)
	_, err = c.Create(ctx, "/missing/child", nil, znode.Persistent, nil)
	assert.True(t, errors.Is(err, znode.ErrNoNode), "%v", err)
	_, err = c.Create(ctx, "bad", nil, znode.Persistent, nil)
	assert.True(t, errors.Is(err, znode.ErrBadArguments), "%v", err)

	// Reads.
	kids, st, err := c.Children(ctx, "/p")
	require.NoError(t, err)
	assert.Equal(t, []string{"eph", "eseq-0000000002", "seq-0000000000", "tseq-0000000003"}, kids)
	assert.Equal(t, int32(4), st.NumChildren)
	n, err := c.AllChildrenNumber(ctx, "/p")
	require.NoError(t, err)
	assert.Equal(t, 4, n)
	eph, err := c.Ephemerals(ctx, "/p")
	require.NoError(t, err)
	assert.Equal(t, []string{"/p/eph", "/p/eseq-0000000002"}, eph)
	res, err := c.MultiRead(ctx, ReadOp{Path: "/p"}, ReadOp{Path: "/p", Children: true}, ReadOp{Path: "/nope"})
	require.NoError(t, err)
	assert.Equal(t, []byte("d"), res[0].Data)
	assert.Len(t, res[1].Children, 4)
	assert.True(t, errors.Is(res[2].Err, znode.ErrNoNode))

	// Writes with versions, check, multi.
	st, err = c.Set(ctx, "/p", []byte("v1"), 0)
	require.NoError(t, err)
	assert.Equal(t, int32(1), st.Version)
	require.NoError(t, c.Check(ctx, "/p", 1))
	assert.True(t, errors.Is(c.Check(ctx, "/p", 0), znode.ErrBadVersion))
	ops, err := c.Multi(ctx,
		znode.CheckRequest{Path: "/p", Version: 1},
		znode.CreateRequest{Path: "/p/m", ACL: znode.OpenACL},
		znode.SetDataRequest{Path: "/p", Data: []byte("v2"), Version: 1},
	)
	require.NoError(t, err)
	assert.Len(t, ops, 3)
	_, err = c.Multi(ctx,
		znode.CreateRequest{Path: "/p/m2", ACL: znode.OpenACL},
		znode.DeleteRequest{Path: "/p/none", Version: -1},
	)
	var me *MultiError
	require.ErrorAs(t, err, &me)
	assert.Equal(t, 1, me.Index)
	assert.True(t, errors.Is(err, znode.ErrNoNode))
	ok, _, err := c.Exists(ctx, "/p/m2")
	require.NoError(t, err)
	assert.False(t, ok, "a failed multi changes nothing")

	// ACLs and auth.
	require.NoError(t, c.AddAuth(ctx, "digest", []byte("alice:secret")))
	_, err = c.Create(ctx, "/private", []byte("x"), znode.Persistent, znode.CreatorAllACL)
	require.NoError(t, err)
	acl, _, err := c.GetACL(ctx, "/private")
	require.NoError(t, err)
	require.Len(t, acl, 1)
	assert.Equal(t, "digest", acl[0].Scheme)
	other, err := cl.leader(ctx).NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	require.NoError(t, other.Sync(ctx, "/"))
	_, _, err = other.Get(ctx, "/private")
	assert.True(t, errors.Is(err, znode.ErrNoAuth), "%v", err)
	_, err = c.SetACL(ctx, "/private", znode.ReadACL, -1)
	require.NoError(t, err)
	require.NoError(t, other.Sync(ctx, "/"))
	_, _, err = other.Get(ctx, "/private")
	require.NoError(t, err)

	// One-shot watches: data, exists, children.
	_, _, dataW, err := c.GetW(ctx, "/p")
	require.NoError(t, err)
	_, _, childW, err := c.ChildrenW(ctx, "/p")
	require.NoError(t, err)
	_, _, existW, err := c.ExistsW(ctx, "/later")
	require.NoError(t, err)
	_, err = other.Set(ctx, "/p", []byte("v3"), -1)
	require.NoError(t, err)
	_, err = other.Create(ctx, "/p/kid", nil, znode.Persistent, nil)
	require.NoError(t, err)
	_, err = other.Create(ctx, "/later", nil, znode.Persistent, nil)
	require.NoError(t, err)
	for _, w := range []struct {
		ch   <-chan znode.Event
		want znode.EventType
	}{{dataW, znode.EventNodeDataChanged}, {childW, znode.EventNodeChildrenChanged}, {existW, znode.EventNodeCreated}} {
		select {
		case ev := <-w.ch:
			assert.Equal(t, w.want, ev.Type)
		case <-ctx.Done():
			t.Fatalf("no %v event", w.want)
		}
	}

	// Persistent and recursive watches, then removeWatches.
	pers, err := c.AddWatch(ctx, "/p", false)
	require.NoError(t, err)
	rec, err := c.AddWatch(ctx, "/p", true)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err = other.Set(ctx, "/p", []byte{byte(i)}, -1)
		require.NoError(t, err)
	}
	_, err = other.Create(ctx, "/p/kid/deep", nil, znode.Persistent, nil)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		ev := <-pers
		assert.Equal(t, znode.EventNodeDataChanged, ev.Type)
	}
	for i := 0; i < 3; i++ {
		assert.Equal(t, "/p", (<-rec).Path)
	}
	ev := <-rec
	assert.Equal(t, znode.Event{Type: znode.EventNodeCreated, Path: "/p/kid/deep", Zxid: ev.Zxid}, ev)
	require.NoError(t, c.RemoveWatches(ctx, "/p", session.WatcherPersistent))
	_, open := <-pers
	assert.False(t, open, "removeWatches closes the channel")
	err = c.RemoveWatches(ctx, "/p", session.WatcherPersistent)
	assert.True(t, errors.Is(err, znode.ErrNoWatcher), "%v", err)

	// Delete with versions, and sync.
	assert.True(t, errors.Is(c.Delete(ctx, "/p", -1), znode.ErrNotEmpty))
	assert.True(t, errors.Is(c.Delete(ctx, "/later", 5), znode.ErrBadVersion))
	require.NoError(t, c.Delete(ctx, "/later", -1))
	require.NoError(t, c.Sync(ctx, "/"))
}

// TestExpiryIsReportedToALiveHolder partitions a follower away from the
// ensemble for longer than its client's session timeout: the holder is
// told while still cut off, and the majority expires the session.
func TestExpiryIsReportedToALiveHolder(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	cl.waitReady(ctx)
	f := cl.follower()
	c, err := f.NewClient(ctx, ClientOptions{Timeout: 2 * testTick})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/mine", nil, znode.Ephemeral, nil)
	require.NoError(t, err)

	cl.quorum.Isolate(f.ID())
	cl.election.Isolate(f.ID())
	// The holder learns while still cut off: its peer has had no leader
	// for longer than the session timeout.
	select {
	case <-c.Expired():
		assert.True(t, errors.Is(c.Err(), znode.ErrSessionExpired), "%v", c.Err())
	case <-ctx.Done():
		t.Fatal("the holder was never told its session expired")
	}
	// The majority expires it too.
	other, err := cl.leader(ctx).NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	eventually(t, ctx, "the ephemeral gone on the majority", func() bool {
		ok, _, err := other.Exists(ctx, "/mine")
		require.NoError(t, err)
		return !ok
	})
	cl.quorum.Heal(f.ID())
	cl.election.Heal(f.ID())
	_, err = c.Create(ctx, "/again", nil, znode.Persistent, nil)
	assert.True(t, errors.Is(err, znode.ErrSessionExpired), "%v", err)
}

// TestRolesChannelFollowsLeadership watches the leader's role channel
// while it is stopped and a new leader takes over.
func TestRolesChannelFollowsLeadership(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	leader := cl.waitReady(ctx)
	f := cl.follower()
	roles := f.Roles()
	assert.Equal(t, Following, <-roles)
	cl.stop(leader.ID())
	seen := map[Role]bool{}
	for !f.Serving() || !seen[f.Role()] {
		select {
		case r := <-roles:
			seen[r] = true
		case <-time.After(testTick / 5):
		case <-ctx.Done():
			t.Fatalf("no role change after the leader stopped: seen %v, role %v, serving %v", seen, f.Role(), f.Serving())
		}
	}
	assert.True(t, seen[Looking], "a follower that loses its leader looks for a new one")
	cl.stop(f.ID())
	for range roles {
		// drained: the channel closes when the Node stops
	}
}
