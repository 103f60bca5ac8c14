package wire_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

var openACL = zk.WorldACL(zk.PermAll)

// Every op go-zookeeper/zk can send, with its success and its usual
// failure, against the server over the in-process backend.
func TestGoZKOps(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{Tree: znode.Options{TTLEnabled: true}})
	c, _ := ts.connect(t)

	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"create and get", func(t *testing.T) {
			p, err := c.Create("/ops", []byte("v0"), 0, openACL)
			require.NoError(t, err)
			assert.Equal(t, "/ops", p)
			data, st, err := c.Get("/ops")
			require.NoError(t, err)
			assert.Equal(t, "v0", string(data))
			assert.EqualValues(t, 2, st.DataLength)
			assert.Equal(t, st.Czxid, st.Mzxid)
		}},
		{"create existing", func(t *testing.T) {
			_, err := c.Create("/ops", nil, 0, openACL)
			assert.ErrorIs(t, err, zk.ErrNodeExists)
		}},
		{"create without parent", func(t *testing.T) {
			_, err := c.Create("/missing/child", nil, 0, openACL)
			assert.ErrorIs(t, err, zk.ErrNoNode)
		}},
		{"create with empty ACL", func(t *testing.T) {
			_, err := c.Create("/noacl", nil, 0, []zk.ACL{})
			assert.ErrorIs(t, err, zk.ErrInvalidACL)
		}},
		{"sequential", func(t *testing.T) {
			p1, err := c.Create("/ops/seq-", nil, zk.FlagSequence, openACL)
			require.NoError(t, err)
			p2, err := c.Create("/ops/seq-", nil, zk.FlagSequence, openACL)
			require.NoError(t, err)
			assert.Equal(t, "/ops/seq-0000000000", p1)
			assert.Equal(t, "/ops/seq-0000000001", p2)
		}},
		{"ephemeral", func(t *testing.T) {
			_, err := c.Create("/ops/eph", nil, zk.FlagEphemeral, openACL)
			require.NoError(t, err)
			_, st, err := c.Exists("/ops/eph")
			require.NoError(t, err)
			assert.Equal(t, c.SessionID(), st.EphemeralOwner)
			_, err = c.Create("/ops/eph/kid", nil, 0, openACL)
			assert.ErrorIs(t, err, zk.ErrNoChildrenForEphemerals)
		}},
		{"protected ephemeral sequential", func(t *testing.T) {
			p, err := c.CreateProtectedEphemeralSequential("/ops/lock-", nil, openACL)
			require.NoError(t, err)
			assert.Contains(t, p, "_c_")
		}},
		{"container", func(t *testing.T) {
			p, err := c.CreateContainer("/container", nil, zk.FlagContainer, openACL)
			require.NoError(t, err)
			assert.Equal(t, "/container", p)
			_, st, err := c.Exists("/container")
			require.NoError(t, err)
			assert.Zero(t, st.EphemeralOwner) // the container marker is not shown to clients
		}},
		{"ttl", func(t *testing.T) {
			p, err := c.CreateTTL("/ttl", nil, zk.FlagTTL, openACL, time.Hour)
			require.NoError(t, err)
			assert.Equal(t, "/ttl", p)
		}},
		{"exists", func(t *testing.T) {
			ok, st, err := c.Exists("/ops")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Positive(t, st.Czxid)
			ok, _, err = c.Exists("/nope")
			require.NoError(t, err)
			assert.False(t, ok)
		}},
		{"set with version", func(t *testing.T) {
			st, err := c.Set("/ops", []byte("v1"), 0)
			require.NoError(t, err)
			assert.EqualValues(t, 1, st.Version)
			_, err = c.Set("/ops", []byte("v2"), 0)
			assert.ErrorIs(t, err, zk.ErrBadVersion)
			_, err = c.Set("/nope", nil, -1)
			assert.ErrorIs(t, err, zk.ErrNoNode)
		}},
		{"children", func(t *testing.T) {
			kids, st, err := c.Children("/ops")
			require.NoError(t, err)
			slices.Sort(kids)
			require.Len(t, kids, 4)
			assert.Equal(t, []string{"eph", "seq-0000000000", "seq-0000000001"}, kids[1:])
			assert.EqualValues(t, len(kids), st.NumChildren)
			_, _, err = c.Children("/nope")
			assert.ErrorIs(t, err, zk.ErrNoNode)
		}},
		{"acl", func(t *testing.T) {
			acl, st, err := c.GetACL("/ops")
			require.NoError(t, err)
			assert.Equal(t, openACL, acl)
			_, err = c.SetACL("/ops", zk.WorldACL(zk.PermRead|zk.PermAdmin), st.Aversion)
			require.NoError(t, err)
			_, err = c.Set("/ops", nil, -1)
			assert.ErrorIs(t, err, zk.ErrNoAuth)
			_, err = c.SetACL("/ops", openACL, 0)
			assert.ErrorIs(t, err, zk.ErrBadVersion)
			_, err = c.SetACL("/ops", openACL, -1)
			require.NoError(t, err)
		}},
		{"sync", func(t *testing.T) {
			p, err := c.Sync("/ops")
			require.NoError(t, err)
			assert.Equal(t, "/ops", p)
		}},
		{"multi", func(t *testing.T) {
			res, err := c.Multi(
				&zk.CreateRequest{Path: "/multi", Data: []byte("m"), Acl: openACL},
				&zk.SetDataRequest{Path: "/multi", Data: []byte("n"), Version: 0},
				&zk.CheckVersionRequest{Path: "/multi", Version: 1},
				&zk.CreateRequest{Path: "/multi/kid", Acl: openACL},
				&zk.DeleteRequest{Path: "/multi/kid", Version: 0},
			)
			require.NoError(t, err)
			require.Len(t, res, 5)
			assert.Equal(t, "/multi", res[0].String)
			assert.EqualValues(t, 1, res[1].Stat.Version)
			data, _, err := c.Get("/multi")
			require.NoError(t, err)
			assert.Equal(t, "n", string(data))
		}},
		{"multi failure is all or nothing", func(t *testing.T) {
			res, err := c.Multi(
				&zk.CreateRequest{Path: "/multi2", Acl: openACL},
				&zk.CheckVersionRequest{Path: "/multi", Version: 7},
				&zk.DeleteRequest{Path: "/multi", Version: -1},
			)
			assert.ErrorIs(t, err, zk.ErrBadVersion)
			require.Len(t, res, 3)
			assert.NoError(t, res[0].Error)
			assert.ErrorIs(t, res[1].Error, zk.ErrBadVersion)
			assert.ErrorContains(t, res[2].Error, "-2") // RuntimeInconsistency
			ok, _, err := c.Exists("/multi2")
			require.NoError(t, err)
			assert.False(t, ok)
		}},
		{"delete", func(t *testing.T) {
			err := c.Delete("/multi", 0)
			assert.ErrorIs(t, err, zk.ErrBadVersion)
			_, err = c.Create("/multi/kid", nil, 0, openACL)
			require.NoError(t, err)
			err = c.Delete("/multi", -1)
			assert.ErrorIs(t, err, zk.ErrNotEmpty)
			require.NoError(t, c.Delete("/multi/kid", -1))
			require.NoError(t, c.Delete("/multi", -1))
			assert.ErrorIs(t, c.Delete("/multi", -1), zk.ErrNoNode)
		}},
		{"bad path", func(t *testing.T) {
			_, err := c.Create("/a//b", nil, 0, openACL)
			assert.Error(t, err)
		}},
		{"reconfig is disabled", func(t *testing.T) {
			_, err := c.IncrementalReconfig(nil, []string{"2"}, -1)
			assert.ErrorIs(t, err, zk.ErrReconfigDisabled)
		}},
	}
	for _, tt := range tests {
		if !t.Run(tt.name, tt.run) {
			return // later steps build on earlier ones
		}
	}
}

// Digest auth, ACLs that name the digest, and the super digest.
func TestGoZKAuth(t *testing.T) {
	super := znode.DigestIdentity("super:secret").ID
	ts := start(t, wire.Config{SuperDigest: super}, wiretest.Options{Tree: znode.Options{SuperDigest: super}})
	owner, _ := ts.connect(t)
	require.NoError(t, owner.AddAuth("digest", []byte("alice:pw")))
	_, err := owner.Create("/private", []byte("s"), 0, zk.DigestACL(zk.PermAll, "alice", "pw"))
	require.NoError(t, err)
	_, err = owner.Create("/mine", nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "auth"}})
	require.NoError(t, err)
	acl, _, err := owner.GetACL("/mine")
	require.NoError(t, err)
	assert.Equal(t, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: znode.DigestIdentity("alice:pw").ID}}, acl)

	other, _ := ts.connect(t)
	_, _, err = other.Get("/private")
	assert.ErrorIs(t, err, zk.ErrNoAuth)
	require.NoError(t, other.AddAuth("digest", []byte("bob:pw")))
	_, _, err = other.Get("/private")
	assert.ErrorIs(t, err, zk.ErrNoAuth)

	root, _ := ts.connect(t)
	require.NoError(t, root.AddAuth("digest", []byte("super:secret")))
	data, _, err := root.Get("/private")
	require.NoError(t, err)
	assert.Equal(t, "s", string(data))
}

// Watches set by every read fire once, and go-zookeeper/zk sees each
// event before the reply of any later read.
func TestGoZKWatches(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c, _ := ts.connect(t)
	writer, _ := ts.connect(t)

	_, err := c.Create("/w", []byte("0"), 0, openACL)
	require.NoError(t, err)

	_, _, dataW, err := c.GetW("/w")
	require.NoError(t, err)
	_, _, childW, err := c.ChildrenW("/w")
	require.NoError(t, err)
	_, _, existW, err := c.ExistsW("/w/new")
	require.NoError(t, err)

	_, err = writer.Set("/w", []byte("1"), -1)
	require.NoError(t, err)
	_, err = writer.Create("/w/new", nil, 0, openACL)
	require.NoError(t, err)

	assert.Equal(t, zk.EventNodeDataChanged, recv(t, dataW).Type)
	assert.Equal(t, zk.EventNodeCreated, recv(t, existW).Type)
	ev := recv(t, childW)
	assert.Equal(t, zk.EventNodeChildrenChanged, ev.Type)
	assert.Equal(t, "/w", ev.Path)
}

func recv(t *testing.T, ch <-chan zk.Event) zk.Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no watch event within 10s")
		return zk.Event{}
	}
}

// A client whose connection drops reconnects with its session, resends
// its watches (setWatches) and gets the events it missed.
func TestGoZKReconnectReplaysWatches(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c, events := ts.connect(t)
	writer, _ := ts.connect(t)
	_, err := c.Create("/r", []byte("0"), 0, openACL)
	require.NoError(t, err)
	_, _, w, err := c.GetW("/r")
	require.NoError(t, err)
	id := c.SessionID()

	// Drop c's connection from the server side, change the node while
	// it is away, and let it come back.
	ts.dropConnections(t, id)
	_, err = writer.Set("/r", []byte("1"), -1)
	require.NoError(t, err)
	waitState(t, events, zk.StateHasSession)
	assert.Equal(t, id, c.SessionID())
	ev := recv(t, w)
	assert.Equal(t, zk.EventNodeDataChanged, ev.Type)
	assert.Equal(t, "/r", ev.Path)
}

// A session that expires takes its ephemerals with it, and its client is
// told the session expired when it reconnects.
func TestGoZKExpiry(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c, events := ts.connect(t)
	other, _ := ts.connect(t)
	_, err := c.Create("/e", nil, zk.FlagEphemeral, openACL)
	require.NoError(t, err)
	_, _, w, err := other.ExistsW("/e")
	require.NoError(t, err)

	ts.backend.Expire(c.SessionID())
	assert.Equal(t, zk.EventNodeDeleted, recv(t, w).Type)
	waitState(t, events, zk.StateExpired)
}

// Idle sessions stay alive on pings alone, across many timeouts.
func TestGoZKPingsKeepSessionAlive(t *testing.T) {
	ts := start(t, wire.Config{TickTime: 20 * time.Millisecond}, wiretest.Options{TickTime: 20 * time.Millisecond})
	c, events, err := zk.Connect([]string{ts.addr}, 200*time.Millisecond, zk.WithLogger(quietLogger{}))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	waitState(t, events, zk.StateHasSession)
	_, err = c.Create("/alive", nil, zk.FlagEphemeral, openACL)
	require.NoError(t, err)
	id := c.SessionID()
	// Wait through several session timeouts with nothing but pings.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		select {
		case ev := <-events:
			require.NotEqual(t, zk.StateExpired, ev.State)
		case <-time.After(50 * time.Millisecond):
		}
	}
	ok, _, err := c.Exists("/alive")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, id, c.SessionID())
}

// Closing a session deletes its ephemerals at once.
func TestGoZKCloseSession(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c, _, err := zk.Connect([]string{ts.addr}, 2*time.Second, zk.WithLogger(quietLogger{}))
	require.NoError(t, err)
	other, _ := ts.connect(t)
	_, err = c.Create("/bye", nil, zk.FlagEphemeral, openACL)
	require.NoError(t, err)
	_, _, w, err := other.ExistsW("/bye")
	require.NoError(t, err)
	c.Close()
	assert.Equal(t, zk.EventNodeDeleted, recv(t, w).Type)
}

// The four-letter-word helpers of go-zookeeper/zk parse ensemble's
// output, FLWSrvr included (it needs the pre-3.7 version header).
func TestGoZKFourLetterWords(t *testing.T) {
	ts := start(t, wire.Config{FourLetterWords: []string{"*"}}, wiretest.Options{})
	c, _ := ts.connect(t)
	_, err := c.Create("/flw", nil, 0, openACL)
	require.NoError(t, err)

	stats, ok := zk.FLWSrvr([]string{ts.addr}, 5*time.Second)
	require.True(t, ok, "FLWSrvr: %v", stats[0].Error)
	assert.Equal(t, zk.ModeStandalone, stats[0].Mode)
	assert.EqualValues(t, 5, stats[0].NodeCount) // /, /zookeeper, its quota and config nodes, /flw
	assert.True(t, strings.HasPrefix(stats[0].Version, "3.8.0-ensemble"))

	assert.Equal(t, []bool{true}, zk.FLWRuok([]string{ts.addr}, 5*time.Second))

	clients, ok := zk.FLWCons([]string{ts.addr}, 5*time.Second)
	require.True(t, ok, "FLWCons: %v", clients[0].Error)
	var found bool
	for _, cl := range clients[0].Clients {
		found = found || cl.SessionID == c.SessionID()
	}
	assert.True(t, found, "cons lists the session")
}
