package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var alice = DigestIdentity("alice:secret")

// fixture builds a tree with a znode of each sort the write tests need.
func fixture(t testing.TB, opts Options) *harness {
	h := newHarness(t, opts)
	h.create("/p", "data")
	h.create("/p/child", "")
	h.mustOK(testSession, CreateRequest{Path: "/e", ACL: OpenACL, Mode: Ephemeral})
	h.mustOK(testSession, CreateRequest{Path: "/ro", ACL: ReadACL})
	h.mustOK(testSession, CreateRequest{Path: "/alice", ACL: []ACL{{PermAll, alice}}}, alice)
	h.mustOK(testSession, CreateRequest{Path: "/noread", ACL: []ACL{{PermAll &^ PermRead, Identity{"world", "anyone"}}}})
	h.mustOK(testSession, CreateRequest{Path: "/c", ACL: OpenACL, Mode: Container})
	return h
}

// The codes and their precedence follow PrepRequestProcessor.
func TestWriteErrors(t *testing.T) {
	const other int64 = 0x999
	tests := []struct {
		name    string
		session int64
		req     Request
		auth    []Identity
		want    Code
	}{
		// create
		{"create ok", testSession, CreateRequest{Path: "/new", ACL: OpenACL}, nil, OK},
		{"create invalid mode", testSession, CreateRequest{Path: "/new", ACL: OpenACL, Mode: 7}, nil, ErrBadArguments},
		{"create TTL disabled", testSession, CreateRequest{Path: "/new", ACL: OpenACL, Mode: PersistentWithTTL, TTL: 10}, nil, ErrUnimplemented},
		{"create unknown session", other, CreateRequest{Path: "/new", ACL: OpenACL}, nil, ErrSessionExpired},
		{"create no slash", testSession, CreateRequest{Path: "new", ACL: OpenACL}, nil, ErrBadArguments},
		{"create NUL", testSession, CreateRequest{Path: "/n\x00", ACL: OpenACL}, nil, ErrBadArguments},
		{"create empty ACL", testSession, CreateRequest{Path: "/new"}, nil, ErrInvalidACL},
		{"create invalid ACL before missing parent", testSession, CreateRequest{Path: "/missing/x"}, nil, ErrInvalidACL},
		{"create missing parent", testSession, CreateRequest{Path: "/missing/x", ACL: OpenACL}, nil, ErrNoNode},
		{"create double slash finds no parent", testSession, CreateRequest{Path: "/p//x", ACL: OpenACL}, nil, ErrNoNode},
		{"create trailing slash", testSession, CreateRequest{Path: "/p/", ACL: OpenACL}, nil, ErrBadArguments},
		{"create dot", testSession, CreateRequest{Path: "/p/.", ACL: OpenACL}, nil, ErrBadArguments},
		{"create exists", testSession, CreateRequest{Path: "/p", ACL: OpenACL}, nil, ErrNodeExists},
		{"create root", testSession, CreateRequest{Path: "/", ACL: OpenACL}, nil, ErrNodeExists},
		{"create under ephemeral", testSession, CreateRequest{Path: "/e/x", ACL: OpenACL}, nil, ErrNoChildrenForEphemerals},
		{"create existing under ephemeral is NodeExists first", testSession, CreateRequest{Path: "/e", ACL: OpenACL}, nil, ErrNodeExists},
		{"create no CREATE perm", testSession, CreateRequest{Path: "/ro/x", ACL: OpenACL}, nil, ErrNoAuth},
		{"create NoAuth before NodeExists", testSession, CreateRequest{Path: "/alice/x", ACL: OpenACL}, nil, ErrNoAuth},
		{"create with digest", testSession, CreateRequest{Path: "/alice/x", ACL: OpenACL}, []Identity{alice}, OK},
		{"create as super", testSession, CreateRequest{Path: "/ro/x", ACL: OpenACL}, []Identity{super()}, OK},
		{"create auth ACL", testSession, CreateRequest{Path: "/mine", ACL: CreatorAllACL}, []Identity{alice}, OK},
		{"create auth ACL unauthenticated", testSession, CreateRequest{Path: "/mine", ACL: CreatorAllACL}, nil, ErrInvalidACL},
		{"create sequential with trailing slash", testSession, CreateRequest{Path: "/p/", ACL: OpenACL, Mode: PersistentSequential}, nil, OK},
		{"create sequential under root via /", testSession, CreateRequest{Path: "/", ACL: OpenACL, Mode: PersistentSequential}, nil, OK},
		// delete
		{"delete ok", testSession, DeleteRequest{Path: "/p/child", Version: -1}, nil, OK},
		{"delete unknown session", other, DeleteRequest{Path: "/p/child", Version: -1}, nil, ErrSessionExpired},
		{"delete root", testSession, DeleteRequest{Path: "/", Version: -1}, nil, ErrBadArguments},
		{"delete /zookeeper", testSession, DeleteRequest{Path: "/zookeeper", Version: -1}, nil, ErrBadArguments},
		{"delete /zookeeper/quota", testSession, DeleteRequest{Path: "/zookeeper/quota", Version: -1}, nil, ErrBadArguments},
		{"delete /zookeeper/config", testSession, DeleteRequest{Path: "/zookeeper/config", Version: -1}, nil, ErrBadArguments},
		{"delete no slash", testSession, DeleteRequest{Path: "p", Version: -1}, nil, ErrBadArguments},
		{"delete missing", testSession, DeleteRequest{Path: "/missing", Version: -1}, nil, ErrNoNode},
		{"delete missing parent", testSession, DeleteRequest{Path: "/missing/x", Version: -1}, nil, ErrNoNode},
		{"delete bad version", testSession, DeleteRequest{Path: "/p/child", Version: 3}, nil, ErrBadVersion},
		{"delete right version", testSession, DeleteRequest{Path: "/p/child", Version: 0}, nil, OK},
		{"delete not empty", testSession, DeleteRequest{Path: "/p", Version: -1}, nil, ErrNotEmpty},
		{"delete BadVersion before NotEmpty", testSession, DeleteRequest{Path: "/p", Version: 5}, nil, ErrBadVersion},
		{"delete needs DELETE on parent", testSession, DeleteRequest{Path: "/alice", Version: -1}, nil, OK},
		// setData
		{"setData ok", testSession, SetDataRequest{Path: "/p", Data: []byte("x"), Version: -1}, nil, OK},
		{"setData unknown session", other, SetDataRequest{Path: "/p", Version: -1}, nil, ErrSessionExpired},
		{"setData invalid path", testSession, SetDataRequest{Path: "/p/", Version: -1}, nil, ErrBadArguments},
		{"setData missing", testSession, SetDataRequest{Path: "/missing", Version: -1}, nil, ErrNoNode},
		{"setData no WRITE", testSession, SetDataRequest{Path: "/ro", Version: -1}, nil, ErrNoAuth},
		{"setData NoAuth before BadVersion", testSession, SetDataRequest{Path: "/ro", Version: 9}, nil, ErrNoAuth},
		{"setData bad version", testSession, SetDataRequest{Path: "/p", Version: 9}, nil, ErrBadVersion},
		{"setData right version", testSession, SetDataRequest{Path: "/p", Version: 0}, nil, OK},
		{"setData config as super", testSession, SetDataRequest{Path: "/zookeeper/config", Version: -1}, []Identity{super()}, OK},
		{"setData config", testSession, SetDataRequest{Path: "/zookeeper/config", Version: -1}, nil, ErrNoAuth},
		// setACL
		{"setACL ok", testSession, SetACLRequest{Path: "/p", ACL: ReadACL, Version: -1}, nil, OK},
		{"setACL unknown session", other, SetACLRequest{Path: "/p", ACL: ReadACL, Version: -1}, nil, ErrSessionExpired},
		{"setACL invalid path", testSession, SetACLRequest{Path: "p", ACL: ReadACL, Version: -1}, nil, ErrBadArguments},
		{"setACL invalid ACL before NoNode", testSession, SetACLRequest{Path: "/missing", Version: -1}, nil, ErrInvalidACL},
		{"setACL missing", testSession, SetACLRequest{Path: "/missing", ACL: ReadACL, Version: -1}, nil, ErrNoNode},
		{"setACL no ADMIN", testSession, SetACLRequest{Path: "/ro", ACL: OpenACL, Version: -1}, nil, ErrNoAuth},
		{"setACL bad aversion", testSession, SetACLRequest{Path: "/p", ACL: OpenACL, Version: 1}, nil, ErrBadVersion},
		{"setACL right aversion", testSession, SetACLRequest{Path: "/p", ACL: OpenACL, Version: 0}, nil, OK},
		{"setACL digest owner", testSession, SetACLRequest{Path: "/alice", ACL: OpenACL, Version: -1}, []Identity{alice}, OK},
		// check
		{"check ok", testSession, CheckRequest{Path: "/p", Version: 0}, nil, OK},
		{"check any version", testSession, CheckRequest{Path: "/p", Version: -1}, nil, OK},
		{"check bad version", testSession, CheckRequest{Path: "/p", Version: 1}, nil, ErrBadVersion},
		{"check missing", testSession, CheckRequest{Path: "/missing", Version: -1}, nil, ErrNoNode},
		{"check needs READ", testSession, CheckRequest{Path: "/noread", Version: -1}, nil, ErrNoAuth},
		{"check invalid path", testSession, CheckRequest{Path: "/p/", Version: -1}, nil, ErrBadArguments},
		{"check unknown session", other, CheckRequest{Path: "/p", Version: -1}, nil, ErrSessionExpired},
		// deleteContainer (the leader's own request, session 0)
		{"deleteContainer never used", 0, DeleteContainerRequest{Path: "/c"}, nil, ErrBadVersion},
		{"deleteContainer persistent", 0, DeleteContainerRequest{Path: "/p/child"}, nil, ErrBadVersion},
		{"deleteContainer not empty", 0, DeleteContainerRequest{Path: "/p"}, nil, ErrNotEmpty},
		{"deleteContainer missing", 0, DeleteContainerRequest{Path: "/missing"}, nil, ErrNoNode},
		{"deleteContainer special", 0, DeleteContainerRequest{Path: "/zookeeper"}, nil, ErrBadArguments},
		// sessions
		{"createSession without id", 0, CreateSessionRequest{Timeout: 1}, nil, ErrBadArguments},
		{"closeSession unknown is fine", other, CloseSessionRequest{}, nil, OK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fixture(t, Options{})
			before := h.tree.Digest()
			txn := h.prepare(tt.session, tt.req, tt.auth...)
			res, ev := h.apply(txn)
			assert.Equal(t, tt.want, res.Code)
			if tt.want != OK {
				assert.Equal(t, OpError, txn.Header.Type, "a failed write is an ErrorTxn")
				assert.Equal(t, &ErrorTxn{Err: tt.want}, txn.Body)
				assert.Equal(t, before, h.tree.Digest(), "a failed write changes nothing")
				assert.Empty(t, ev)
				assert.ErrorIs(t, res.Err(), tt.want)
			} else {
				assert.NoError(t, res.Err())
			}
			assert.Equal(t, txn.Header.Zxid, h.tree.LastZxid(), "every write takes a zxid")
		})
	}
}

func TestCreateModes(t *testing.T) {
	tests := []struct {
		mode      CreateMode
		ttl       int64
		owner     func(session int64) int64
		txnType   OpCode
		bodyOwner bool
	}{
		{Persistent, 0, func(int64) int64 { return 0 }, OpCreate, false},
		{PersistentSequential, 0, func(int64) int64 { return 0 }, OpCreate, false},
		{Ephemeral, 0, func(s int64) int64 { return s }, OpCreate, true},
		{EphemeralSequential, 0, func(s int64) int64 { return s }, OpCreate, true},
		{Container, 0, func(int64) int64 { return 0 }, OpCreateContainer, false},
		{PersistentWithTTL, 5000, func(int64) int64 { return 0 }, OpCreateTTL, false},
		{PersistentSequentialWithTTL, 5000, func(int64) int64 { return 0 }, OpCreateTTL, false},
	}
	for _, tt := range tests {
		t.Run(tt.txnType.String()+"/"+string(rune('0'+tt.mode)), func(t *testing.T) {
			h := newHarness(t, Options{TTLEnabled: true})
			txn := h.prepare(testSession, CreateRequest{Path: "/n", ACL: OpenACL, Mode: tt.mode, TTL: tt.ttl})
			assert.Equal(t, tt.txnType, txn.Header.Type)
			res, _ := h.apply(txn)
			require.Equal(t, OK, res.Code)
			want := "/n"
			if tt.mode.IsSequential() {
				want = "/n0000000000" // the root's first creation by a txn
			}
			assert.Equal(t, want, res.Path)
			assert.Equal(t, tt.owner(testSession), res.Stat.EphemeralOwner, "containers and TTL nodes show owner 0")
			n := h.tree.lookup(want)
			require.NotNil(t, n)
			switch {
			case tt.mode.IsContainer():
				assert.Equal(t, containerOwner, n.owner)
			case tt.mode.IsTTL():
				assert.Equal(t, int64(-0x0100000000000000)|tt.ttl, n.owner)
			}
		})
	}
}

func TestTTLBounds(t *testing.T) {
	for _, tt := range []struct {
		ttl  int64
		want Code
	}{{1, OK}, {MaxTTL, OK}, {0, ErrBadArguments}, {-1, ErrBadArguments}, {MaxTTL + 1, ErrBadArguments}} {
		h := newHarness(t, Options{TTLEnabled: true})
		res, _ := h.do(testSession, CreateRequest{Path: "/t", ACL: OpenACL, Mode: PersistentWithTTL, TTL: tt.ttl})
		assert.Equal(t, tt.want, res.Code, tt.ttl)
	}
}

// The sequential suffix is the parent's count of child creations at
// prepare time: it follows creations, not deletions, although a deletion
// raises the cversion a client sees (ZooKeeper 3.8 PrepRequestProcessor
// uses StatPersisted.cversion, which deleteNode leaves alone, and
// DataNode.copyStat reports 2*cversion - numChildren).
func TestSequentialNames(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/q", "")
	seq := func() string {
		return h.mustOK(testSession, CreateRequest{Path: "/q/n-", ACL: OpenACL, Mode: PersistentSequential}).Path
	}
	assert.Equal(t, "/q/n-0000000000", seq())
	assert.Equal(t, "/q/n-0000000001", seq())
	h.create("/q/plain", "") // any creation counts
	h.mustOK(testSession, CreateRequest{Path: "/q/eph", ACL: OpenACL, Mode: Ephemeral})
	assert.Equal(t, "/q/n-0000000004", seq())
	h.mustOK(testSession, DeleteRequest{Path: "/q/n-0000000000", Version: -1})
	h.mustOK(testSession, DeleteRequest{Path: "/q/plain", Version: -1})
	assert.Equal(t, int32(5*2-3), h.stat("/q").Cversion, "deletions count in the visible cversion")
	assert.Equal(t, "/q/n-0000000005", seq(), "but not in the suffix")
}

func TestSequentialCollision(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/q", "")
	h.create("/q/n-0000000001", "")
	res, _ := h.do(testSession, CreateRequest{Path: "/q/n-", ACL: OpenACL, Mode: PersistentSequential})
	assert.Equal(t, ErrNodeExists, res.Code, "ZooKeeper does not skip a taken number")
}

func TestCheckAloneIsATxn(t *testing.T) {
	h := fixture(t, Options{})
	txn := h.prepare(testSession, CheckRequest{Path: "/p", Version: 0})
	assert.Equal(t, OpCheck, txn.Header.Type)
	assert.Equal(t, &CheckVersionTxn{Path: "/p", Version: 1}, txn.Body, "ZooKeeper records version+1")
	before := h.tree.Digest()
	res, ev := h.apply(txn)
	assert.Equal(t, OK, res.Code)
	assert.Empty(t, ev)
	assert.Equal(t, before, h.tree.Digest())
}

func TestDeleteContainerRechecks(t *testing.T) {
	h := newHarness(t, Options{TTLEnabled: true})
	h.mustOK(testSession, CreateRequest{Path: "/c", ACL: OpenACL, Mode: Container})
	h.create("/c/x", "")
	res, _ := h.do(0, DeleteContainerRequest{Path: "/c"})
	assert.Equal(t, ErrNotEmpty, res.Code)
	h.mustOK(testSession, DeleteRequest{Path: "/c/x", Version: -1})
	res, ev := h.do(0, DeleteContainerRequest{Path: "/c"})
	assert.Equal(t, OK, res.Code)
	assert.Equal(t, OpDeleteContainer, res.Type)
	assert.Equal(t, []Event{{EventNodeDeleted, "/c", h.zxid}, {EventNodeChildrenChanged, "/", h.zxid}}, ev)

	h.mustOK(testSession, CreateRequest{Path: "/t", ACL: OpenACL, Mode: PersistentWithTTL, TTL: 1000})
	res, _ = h.do(0, DeleteContainerRequest{Path: "/t"})
	assert.Equal(t, ErrBadVersion, res.Code, "a TTL node not yet expired survives")
	h.time += 1000
	res, _ = h.do(0, DeleteContainerRequest{Path: "/t"})
	assert.Equal(t, OK, res.Code)
}
