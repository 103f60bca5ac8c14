package znode

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A new tree's digest by ZooKeeper's rules, computed independently: the
// root hashed as "" and /zookeeper, both with empty data and zeroed stats;
// /zookeeper/quota and /zookeeper/config excluded.
func TestDigestOfNewTree(t *testing.T) {
	zero := make([]byte, 60)
	want := uint64(crc32.ChecksumIEEE(zero)) + uint64(crc32.ChecksumIEEE(append([]byte("/zookeeper"), zero...)))
	assert.Equal(t, want, New(Options{}).Digest())
}

func TestNodeDigestLayout(t *testing.T) {
	n := &node{data: "hi", czxid: 1, mzxid: 2, pzxid: 3, ctime: 4, mtime: 5, version: 6, cversion: 7, aversion: 8, owner: 9}
	b := []byte("/x")
	b = append(b, "hi"...)
	for _, v := range []int64{1, 2, 3, 4, 5} {
		b = binary.BigEndian.AppendUint64(b, uint64(v))
	}
	for _, v := range []int32{6, 7, 8} {
		b = binary.BigEndian.AppendUint32(b, uint32(v))
	}
	b = binary.BigEndian.AppendUint64(b, 9)
	assert.Equal(t, crc32.ChecksumIEEE(b), nodeDigest("/x", n))
	assert.Zero(t, nodeDigest("/zookeeper/x", n))
	assert.NotZero(t, nodeDigest("/zookeeperx", n))
}

// The running digest always equals the sum recomputed from scratch.
func TestRunningDigestMatchesRecomputed(t *testing.T) {
	h := fixture(t, Options{})
	h.mustOK(testSession, SetDataRequest{Path: "/p", Data: []byte("new"), Version: -1})
	h.mustOK(testSession, DeleteRequest{Path: "/p/child", Version: -1})
	h.mustOK(testSession, SetACLRequest{Path: "/p", ACL: ReadACL, Version: -1})
	h.mustOK(testSession, CreateRequest{Path: "/zookeeper/mine", ACL: OpenACL})
	assert.Equal(t, recomputeDigest(h.tree), h.tree.Digest())
}

func recomputeDigest(t *Tree) uint64 {
	d := uint64(nodeDigest("/", t.root))
	t.nodes.Ascend(func(it item) bool {
		d += uint64(nodeDigest(joinPath(it.parent, it.name), it.n))
		return true
	})
	return d
}

func TestDigestMismatchIsReported(t *testing.T) {
	h := newHarness(t, Options{})
	txn := h.prepare(testSession, CreateRequest{Path: "/a", ACL: OpenACL})
	txn.Digest.TreeDigest++
	res, _ := h.tree.Apply(txn)
	assert.True(t, res.DigestMismatch)
	assert.Equal(t, OK, res.Code)
}

// Replaying txns a tree already holds (as after loading a snapshot) skips
// them: nothing changes, not even cversion or pzxid (ZOOKEEPER-3249).
func TestReplayIsSkipped(t *testing.T) {
	h := newHarness(t, Options{})
	var txns []Txn
	for _, req := range []Request{
		CreateRequest{Path: "/a", ACL: OpenACL},
		CreateRequest{Path: "/a/b", ACL: OpenACL, Mode: PersistentSequential},
		DeleteRequest{Path: "/a/b0000000000", Version: -1},
	} {
		txn := h.prepare(testSession, req)
		h.apply(txn)
		txns = append(txns, txn)
	}
	digest, st := h.tree.Digest(), h.stat("/a")
	for _, txn := range txns {
		res, ev := h.tree.Apply(txn)
		assert.True(t, res.Skipped)
		assert.Empty(t, ev)
	}
	assert.Equal(t, digest, h.tree.Digest())
	assert.Equal(t, st, h.stat("/a"))
	require.Equal(t, txns[2].Header.Zxid, h.tree.LastZxid())
}
