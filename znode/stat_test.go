package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewTreeMatchesZooKeeper(t *testing.T) {
	tree := New(Options{})
	tests := []struct {
		path string
		stat Stat
		acl  []ACL
	}{
		// A new ZooKeeper shows cversion -1 on "/" and -2 on /zookeeper:
		// the children were added without a create txn, and the client's
		// cversion is 2*creates - children.
		{"/", Stat{Cversion: -1, NumChildren: 1}, OpenACL},
		{"/zookeeper", Stat{Cversion: -2, NumChildren: 2}, OpenACL},
		{"/zookeeper/quota", Stat{}, OpenACL},
		{"/zookeeper/config", Stat{Aversion: -1}, ReadACL},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			acl, st, err := tree.GetACL(tt.path, Auth{})
			require.NoError(t, err)
			assert.Equal(t, tt.stat, st)
			assert.Equal(t, tt.acl, acl)
		})
	}
	assert.Equal(t, 4, tree.NodeCount())
	assert.Equal(t, int64(0), tree.LastZxid())
	children, _, err := tree.Children("/zookeeper", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"config", "quota"}, children)
}

// Each field of Stat changes exactly when ZooKeeper changes it.
func TestStatFields(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/p", "data")
	t0 := h.time
	z0 := h.zxid
	st := h.stat("/p")
	assert.Equal(t, Stat{Czxid: z0, Mzxid: z0, Pzxid: z0, Ctime: t0, Mtime: t0, DataLength: 4}, st, "a new znode")

	// setData: mzxid, mtime, version, dataLength.
	h.mustOK(testSession, SetDataRequest{Path: "/p", Data: []byte("longer"), Version: -1})
	z1, t1 := h.zxid, h.time
	st = h.stat("/p")
	assert.Equal(t, Stat{Czxid: z0, Mzxid: z1, Pzxid: z0, Ctime: t0, Mtime: t1, Version: 1, DataLength: 6}, st)

	// setACL: aversion only.
	h.mustOK(testSession, SetACLRequest{Path: "/p", ACL: ReadACL, Version: -1})
	st = h.stat("/p")
	assert.Equal(t, Stat{Czxid: z0, Mzxid: z1, Pzxid: z0, Ctime: t0, Mtime: t1, Version: 1, Aversion: 1, DataLength: 6}, st)
	h.mustOK(testSession, SetACLRequest{Path: "/p", ACL: OpenACL, Version: 1}, super())

	// A child create: the parent's cversion, numChildren and pzxid.
	h.create("/p/c", "")
	z2 := h.zxid
	st = h.stat("/p")
	assert.Equal(t, Stat{Czxid: z0, Mzxid: z1, Pzxid: z2, Ctime: t0, Mtime: t1, Version: 1, Cversion: 1, Aversion: 2, DataLength: 6, NumChildren: 1}, st)

	// A child delete: pzxid again, numChildren down, cversion up (a
	// change to the children), mzxid and mtime untouched.
	h.mustOK(testSession, DeleteRequest{Path: "/p/c", Version: -1})
	z3 := h.zxid
	st = h.stat("/p")
	assert.Equal(t, Stat{Czxid: z0, Mzxid: z1, Pzxid: z3, Ctime: t0, Mtime: t1, Version: 1, Cversion: 2, Aversion: 2, DataLength: 6}, st)

	// An ephemeral shows its owner; a grandchild does not touch "/p".
	res := h.mustOK(testSession, CreateRequest{Path: "/p/e", ACL: OpenACL, Mode: Ephemeral})
	assert.Equal(t, testSession, res.Stat.EphemeralOwner)
	assert.Equal(t, testSession, h.stat("/p/e").EphemeralOwner)
	h.create("/p/d", "")
	h.create("/p/d/x", "")
	assert.Equal(t, int32(4), h.stat("/p").Cversion)
	assert.Equal(t, int32(2), h.stat("/p").NumChildren)
}

func TestNullAndEmptyData(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustOK(testSession, CreateRequest{Path: "/null", ACL: OpenACL})
	h.mustOK(testSession, CreateRequest{Path: "/empty", Data: []byte{}, ACL: OpenACL})
	data, st, err := h.tree.Get("/null", Auth{})
	require.NoError(t, err)
	assert.Nil(t, data)
	assert.Equal(t, int32(0), st.DataLength)
	data, _, err = h.tree.Get("/empty", Auth{})
	require.NoError(t, err)
	assert.NotNil(t, data)
	assert.Empty(t, data)
}

func TestGetReturnsACopy(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/a", "abc")
	data, _, err := h.tree.Get("/a", Auth{})
	require.NoError(t, err)
	data[0] = 'X'
	again, _, err := h.tree.Get("/a", Auth{})
	require.NoError(t, err)
	assert.Equal(t, "abc", string(again))
}

func TestMaxDataSize(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		size int
		ok   bool
	}{
		{"default limit", Options{}, DefaultMaxDataSize, true},
		{"over the default", Options{}, DefaultMaxDataSize + 1, false},
		{"configured", Options{MaxDataSize: 10}, 10, true},
		{"over configured", Options{MaxDataSize: 10}, 11, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			data := make([]byte, tt.size)
			res, _ := h.do(testSession, CreateRequest{Path: "/big", Data: data, ACL: OpenACL})
			set, _ := h.do(testSession, SetDataRequest{Path: "/zookeeper", Data: data, Version: -1})
			if tt.ok {
				assert.Equal(t, OK, res.Code)
				assert.Equal(t, OK, set.Code)
			} else {
				assert.Equal(t, ErrBadArguments, res.Code)
				assert.Equal(t, ErrBadArguments, set.Code)
			}
		})
	}
}

// Reads run in parallel with Apply (run with -race).
func TestConcurrentReadsAndApply(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/r", "0")
	stop := make(chan struct{})
	done := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _, err := h.tree.Get("/r", Auth{})
				assert.NoError(t, err)
				_, _, err = h.tree.Children("/r", Auth{})
				assert.NoError(t, err)
				h.tree.Digest()
			}
		}()
	}
	for i := 0; i < 200; i++ {
		h.mustOK(testSession, SetDataRequest{Path: "/r", Data: []byte{byte(i)}, Version: -1})
		h.mustOK(testSession, CreateRequest{Path: "/r/c", ACL: OpenACL, Mode: EphemeralSequential})
	}
	close(stop)
	for i := 0; i < 4; i++ {
		<-done
	}
}
