package wire_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// The ops no client library in the test set sends, through the raw
// client, with the bytes ZooKeeper 3.8 answers with.
func TestRawOps(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c := ts.dial(t, wiretest.DialOptions{})
	other := ts.dial(t, wiretest.DialOptions{})
	xid := int32(0)
	next := func() int32 { xid++; return xid }
	create := func(path string, mode znode.CreateMode) {
		t.Helper()
		r, _ := call(t, c, next(), znode.OpCreate, &jute.CreateRequest{Path: path, ACL: znode.OpenACL, Flags: mode})
		require.Equal(t, znode.OK, r.Header.Err, "create %s", path)
	}

	t.Run("whoAmI", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpWhoAmI, nil)
		var who jute.WhoAmIResponse
		require.NoError(t, r.Decode(&who))
		assert.Equal(t, []jute.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}, who.ClientInfo)

		r, _ = call(t, c, jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("user:pw")})
		assert.Equal(t, jute.ReplyHeader{Xid: jute.XidAuth}, r.Header)
		r, _ = call(t, c, next(), znode.OpWhoAmI, nil)
		require.NoError(t, r.Decode(&who))
		// In the order of ZooKeeper's identity set, not the order added.
		assert.Equal(t, []jute.ClientInfo{{AuthScheme: "digest", User: "user"}, {AuthScheme: "ip", User: "127.0.0.1"}}, who.ClientInfo)
	})

	t.Run("getEphemerals and getAllChildrenNumber", func(t *testing.T) {
		create("/eph", znode.Persistent)
		create("/eph/a", znode.Ephemeral)
		create("/eph/b", znode.Ephemeral)
		create("/other", znode.Ephemeral)
		r, _ := call(t, c, next(), znode.OpGetEphemerals, &jute.GetEphemeralsRequest{PrefixPath: "/eph"})
		var eph jute.GetEphemeralsResponse
		require.NoError(t, r.Decode(&eph))
		assert.Equal(t, []string{"/eph/a", "/eph/b"}, eph.Ephemerals)
		r, _ = call(t, other, 1, znode.OpGetEphemerals, &jute.GetEphemeralsRequest{PrefixPath: "/"})
		require.NoError(t, r.Decode(&eph))
		assert.Equal(t, []string{}, eph.Ephemerals, "another session owns none")

		r, _ = call(t, c, next(), znode.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: "/eph"})
		var n jute.GetAllChildrenNumberResponse
		require.NoError(t, r.Decode(&n))
		assert.EqualValues(t, 2, n.TotalNumber)
		r, _ = call(t, c, next(), znode.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: "/none"})
		assert.Equal(t, znode.ErrNoNode, r.Header.Err)
		assert.Empty(t, r.Body)
	})

	t.Run("persistent watch", func(t *testing.T) {
		create("/pw", znode.Persistent)
		r, _ := call(t, c, next(), znode.OpAddWatch, &jute.AddWatchRequest{Path: "/pw", Mode: jute.AddWatchPersistent})
		assert.Equal(t, znode.OK, r.Header.Err)
		assert.Equal(t, []byte{0, 0, 0, 0}, r.Body, "ErrorResponse{0}, as ZooKeeper answers addWatch")
		for i := range 2 {
			call(t, other, int32(10+i), znode.OpSetData, &jute.SetDataRequest{Path: "/pw", Data: []byte{byte(i)}, Version: -1})
			assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeDataChanged, State: 3, Path: "/pw"}, readEvent(t, c))
		}
		call(t, other, 12, znode.OpCreate, &jute.CreateRequest{Path: "/pw/kid", ACL: znode.OpenACL})
		assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeChildrenChanged, State: 3, Path: "/pw"}, readEvent(t, c))
	})

	t.Run("persistent recursive watch", func(t *testing.T) {
		create("/rw", znode.Persistent)
		call(t, c, next(), znode.OpAddWatch, &jute.AddWatchRequest{Path: "/rw", Mode: jute.AddWatchPersistentRecursive})
		call(t, other, 20, znode.OpCreate, &jute.CreateRequest{Path: "/rw/a", ACL: znode.OpenACL})
		call(t, other, 21, znode.OpCreate, &jute.CreateRequest{Path: "/rw/a/b", ACL: znode.OpenACL})
		call(t, other, 22, znode.OpDelete, &jute.DeleteRequest{Path: "/rw/a/b", Version: -1})
		assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeCreated, State: 3, Path: "/rw/a"}, readEvent(t, c))
		assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeCreated, State: 3, Path: "/rw/a/b"}, readEvent(t, c))
		assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeDeleted, State: 3, Path: "/rw/a/b"}, readEvent(t, c))
	})

	t.Run("checkWatches and removeWatches", func(t *testing.T) {
		call(t, c, next(), znode.OpGetData, &jute.GetDataRequest{Path: "/eph", Watch: true})
		r, _ := call(t, c, next(), znode.OpCheckWatches, &jute.CheckWatchesRequest{Path: "/eph", Type: jute.WatcherData})
		assert.Equal(t, znode.OK, r.Header.Err)
		r, _ = call(t, c, next(), znode.OpCheckWatches, &jute.CheckWatchesRequest{Path: "/eph", Type: jute.WatcherChildren})
		assert.Equal(t, znode.ErrNoWatcher, r.Header.Err)
		r, _ = call(t, c, next(), znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: "/eph", Type: jute.WatcherAny})
		assert.Equal(t, znode.OK, r.Header.Err)
		assert.Empty(t, r.Body)
		r, _ = call(t, c, next(), znode.OpCheckWatches, &jute.CheckWatchesRequest{Path: "/eph", Type: jute.WatcherData})
		assert.Equal(t, znode.ErrNoWatcher, r.Header.Err)
		r, _ = call(t, c, next(), znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: "/eph", Type: 9})
		assert.Equal(t, znode.ErrMarshallingError, r.Header.Err)
		// The removed watch does not fire.
		call(t, other, 30, znode.OpSetData, &jute.SetDataRequest{Path: "/eph", Version: -1})
		r, evs := call(t, c, next(), znode.OpPing, nil)
		assert.Empty(t, evs)
		assert.Equal(t, znode.OK, r.Header.Err)
	})

	t.Run("multiRead", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: znode.OpGetChildren, Request: &jute.GetChildrenRequest{Path: "/eph"}},
			{Type: znode.OpGetData, Request: &jute.GetDataRequest{Path: "/none"}},
			{Type: znode.OpGetData, Request: &jute.GetDataRequest{Path: "/eph"}},
		}})
		assert.Equal(t, znode.OK, r.Header.Err)
		var m jute.MultiResponse
		require.NoError(t, r.Decode(&m))
		require.Len(t, m.Results, 3)
		assert.Equal(t, jute.MultiResult{Type: znode.OpGetChildren, Children: []string{"a", "b"}}, m.Results[0])
		assert.Equal(t, jute.MultiResult{Type: znode.OpError, Err: znode.ErrNoNode}, m.Results[1])
		assert.Equal(t, znode.OpGetData, m.Results[2].Type)

		// A write inside a multiRead: MarshallingError and an empty list.
		r, _ = call(t, c, next(), znode.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: znode.OpDelete, Request: &jute.DeleteRequest{Path: "/eph", Version: -1}},
		}})
		assert.Equal(t, znode.ErrMarshallingError, r.Header.Err)
		require.NoError(t, r.Decode(&m))
		assert.Empty(t, m.Results)
	})

	t.Run("multi result types", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: znode.OpCreate, Request: &jute.CreateRequest{Path: "/m1", ACL: znode.OpenACL}},
			{Type: znode.OpCreate2, Request: &jute.CreateRequest{Path: "/m2", ACL: znode.OpenACL}},
			{Type: znode.OpCreateContainer, Request: &jute.CreateRequest{Path: "/m3", ACL: znode.OpenACL}},
			{Type: znode.OpCheck, Request: &jute.CheckVersionRequest{Path: "/m1", Version: 0}},
		}})
		assert.Equal(t, znode.OK, r.Header.Err)
		var m jute.MultiResponse
		require.NoError(t, r.Decode(&m))
		require.Len(t, m.Results, 4)
		assert.Equal(t, jute.MultiResult{Type: znode.OpCreate, Path: "/m1"}, m.Results[0])
		assert.Equal(t, jute.MultiResult{Type: znode.OpCreate, Path: "/m2"}, m.Results[1], "create2 answers as create, as in ZooKeeper 3.8")
		assert.Equal(t, znode.OpCreate2, m.Results[2].Type, "createContainer answers as create2")
		assert.Equal(t, "/m3", m.Results[2].Path)
		assert.Positive(t, m.Results[2].Stat.Czxid)
		assert.Equal(t, jute.MultiResult{Type: znode.OpCheck}, m.Results[3])

		// A failed multi: OK in the header, the codes in the results.
		r, _ = call(t, c, next(), znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: znode.OpCreate, Request: &jute.CreateRequest{Path: "/m4", ACL: znode.OpenACL}},
			{Type: znode.OpDelete, Request: &jute.DeleteRequest{Path: "/none", Version: -1}},
			{Type: znode.OpSetData, Request: &jute.SetDataRequest{Path: "/m1", Version: -1}},
		}})
		assert.Equal(t, znode.OK, r.Header.Err)
		require.NoError(t, r.Decode(&m))
		assert.Equal(t, []jute.MultiResult{
			{Type: znode.OpError, Err: znode.OK},
			{Type: znode.OpError, Err: znode.ErrNoNode},
			{Type: znode.OpError, Err: znode.ErrRuntimeInconsistency},
		}, m.Results)

		// A read inside a multi refuses the whole multi.
		r, _ = call(t, c, next(), znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: znode.OpGetData, Request: &jute.GetDataRequest{Path: "/m1"}},
		}})
		assert.Equal(t, znode.ErrMarshallingError, r.Header.Err)
		assert.Empty(t, r.Body)
	})

	t.Run("setWatches2 replays what was missed", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpExists, &jute.ExistsRequest{Path: "/m1"})
		var ex jute.ExistsResponse
		require.NoError(t, r.Decode(&ex))
		r, evs := call(t, other, jute.XidSetWatches, znode.OpSetWatches2, &jute.SetWatches2{
			RelativeZxid:      ex.Stat.Mzxid - 1, // as if it last saw the zxid before /m1's
			DataWatches:       []string{"/m1"},
			ExistWatches:      []string{"/m9"},
			ChildWatches:      []string{},
			PersistentWatches: []string{"/m2"},
		})
		assert.Equal(t, int32(jute.XidSetWatches), r.Header.Xid)
		assert.Equal(t, znode.OK, r.Header.Err)
		assert.Equal(t, []jute.WatcherEvent{{Type: znode.EventNodeDataChanged, State: 3, Path: "/m1"}}, evs)
		// The registered ones fire later.
		call(t, c, next(), znode.OpCreate, &jute.CreateRequest{Path: "/m9", ACL: znode.OpenACL})
		assert.Equal(t, jute.WatcherEvent{Type: znode.EventNodeCreated, State: 3, Path: "/m9"}, readEvent(t, other))
	})

	t.Run("sasl and reconfig answer as ZooKeeper without them", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpSASL, &jute.GetSASLRequest{Token: []byte("x")})
		assert.Equal(t, jute.ReplyHeader{Xid: xid}, r.Header)
		assert.Equal(t, []byte{0xff, 0xff, 0xff, 0xff}, r.Body, "a null token")
		r, _ = call(t, c, next(), znode.OpReconfig, &jute.ReconfigRequest{CurConfigID: -1})
		assert.Equal(t, znode.ErrReconfigDisabled, r.Header.Err)
	})

	t.Run("createTTL with a mode that is not TTL", func(t *testing.T) {
		r, _ := call(t, c, next(), znode.OpCreateTTL, &jute.CreateTTLRequest{Path: "/ttl", ACL: znode.OpenACL, Flags: znode.Persistent, TTL: 100})
		assert.Equal(t, znode.ErrBadArguments, r.Header.Err)
	})

	t.Run("ping", func(t *testing.T) {
		r, _ := call(t, c, jute.XidPing, znode.OpPing, nil)
		assert.Equal(t, jute.XidPing, r.Header.Xid)
		assert.Equal(t, ts.backend.Tree().LastZxid(), r.Header.Zxid)
	})
}

// A failed auth is answered with AUTHFAILED and closes the connection;
// an unknown op is answered with UNIMPLEMENTED and zxid -1, then closed.
func TestRawOpsThatClose(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	tests := []struct {
		name string
		xid  int32
		op   znode.OpCode
		body jute.Record
		want jute.ReplyHeader
	}{
		{"auth with an unknown scheme", jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "bogus", Auth: []byte("x")}, jute.ReplyHeader{Xid: jute.XidAuth, Err: znode.ErrAuthFailed}},
		{"unknown op", 5, 77, nil, jute.ReplyHeader{Xid: 5, Zxid: -1, Err: znode.ErrUnimplemented}},
		{"closeSession", 6, znode.OpCloseSession, nil, jute.ReplyHeader{Xid: 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t, wiretest.DialOptions{})
			r, _ := call(t, c, tt.xid, tt.op, tt.body)
			if tt.op == znode.OpCloseSession {
				tt.want.Zxid = r.Header.Zxid
				assert.Positive(t, r.Header.Zxid)
			}
			assert.Equal(t, tt.want, r.Header)
			require.NoError(t, c.WaitClosed())
		})
	}
}

// A client sees a watch event before the reply of a read that shows the
// change, and after the reply of the read that set the watch.
func TestEventBeforeReplyShowingChange(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	a := ts.dial(t, wiretest.DialOptions{})
	b := ts.dial(t, wiretest.DialOptions{})
	call(t, a, 1, znode.OpCreate, &jute.CreateRequest{Path: "/o", Data: []byte("old"), ACL: znode.OpenACL})
	r, evs := call(t, a, 2, znode.OpGetData, &jute.GetDataRequest{Path: "/o", Watch: true})
	assert.Empty(t, evs)
	var gd jute.GetDataResponse
	require.NoError(t, r.Decode(&gd))
	assert.Equal(t, "old", string(gd.Data))

	call(t, b, 1, znode.OpSetData, &jute.SetDataRequest{Path: "/o", Data: []byte("new"), Version: -1})
	r, evs = call(t, a, 3, znode.OpGetData, &jute.GetDataRequest{Path: "/o"})
	assert.Equal(t, []jute.WatcherEvent{{Type: znode.EventNodeDataChanged, State: 3, Path: "/o"}}, evs)
	require.NoError(t, r.Decode(&gd))
	assert.Equal(t, "new", string(gd.Data))
}

// Requests are pipelined: a client may send many without waiting; the
// replies come in order and every read sees the writes sent before it.
func TestPipelinedRequests(t *testing.T) {
	ts := start(t, wire.Config{MaxOutstanding: 16}, wiretest.Options{})
	c := ts.dial(t, wiretest.DialOptions{})
	const n = 200
	go func() {
		for i := range n {
			path := fmt.Sprintf("/p%d", i)
			if c.Send(int32(2*i+1), znode.OpCreate, &jute.CreateRequest{Path: path, Data: []byte(path), ACL: znode.OpenACL}) != nil {
				return
			}
			if c.Send(int32(2*i+2), znode.OpGetData, &jute.GetDataRequest{Path: path}) != nil {
				return
			}
		}
	}()
	for i := range 2 * n {
		r, err := c.Read()
		require.NoError(t, err)
		require.Equal(t, int32(i+1), r.Header.Xid, "replies in request order")
		require.Equal(t, znode.OK, r.Header.Err)
		if i%2 == 1 {
			var gd jute.GetDataResponse
			require.NoError(t, r.Decode(&gd))
			require.Equal(t, fmt.Sprintf("/p%d", i/2), string(gd.Data))
		}
	}
}
