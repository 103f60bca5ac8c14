package znode

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// harness drives a tree the way the Node will: prepare on the leader, then
// apply, with zxids and times it counts itself.
type harness struct {
	t    testing.TB
	tree *Tree
	prep *Preparer
	zxid int64
	time int64
}

const testSession int64 = 0x100

func newHarness(t testing.TB, opts Options) *harness {
	h := &harness{t: t, tree: New(opts), time: 1_700_000_000_000}
	h.prep = NewPreparer(h.tree)
	h.mustOK(testSession, CreateSessionRequest{Timeout: 30000})
	return h
}

// prepare prepares one request at the next zxid without applying it.
func (h *harness) prepare(session int64, req Request, auth ...Identity) Txn {
	h.t.Helper()
	h.zxid++
	h.time += 10
	txn, err := h.prep.Prepare(Header{Session: session, Cxid: int32(h.zxid), Zxid: h.zxid, Time: h.time}, req, Auth{Identities: auth})
	require.NoError(h.t, err)
	return txn
}

// apply applies a prepared txn, after a round trip through its encoding,
// and tells the preparer.
func (h *harness) apply(txn Txn) (Result, []Event) {
	h.t.Helper()
	b, err := txn.MarshalBinary()
	require.NoError(h.t, err)
	decoded, err := UnmarshalTxn(b)
	require.NoError(h.t, err)
	res, ev := h.tree.Apply(decoded)
	require.False(h.t, res.DigestMismatch, "digest mismatch at zxid %d", txn.Header.Zxid)
	h.prep.Applied(txn.Header.Zxid)
	return res, ev
}

// do prepares and applies one request.
func (h *harness) do(session int64, req Request, auth ...Identity) (Result, []Event) {
	h.t.Helper()
	return h.apply(h.prepare(session, req, auth...))
}

func (h *harness) mustOK(session int64, req Request, auth ...Identity) Result {
	h.t.Helper()
	res, _ := h.do(session, req, auth...)
	require.Equal(h.t, OK, res.Code, "%T %+v", req, req)
	return res
}

func (h *harness) create(path string, data string) Result {
	h.t.Helper()
	return h.mustOK(testSession, CreateRequest{Path: path, Data: []byte(data), ACL: OpenACL})
}

func (h *harness) stat(path string) Stat {
	h.t.Helper()
	st, err := h.tree.Exists(path, Auth{})
	require.NoError(h.t, err, path)
	return st
}

func super() Identity { return Identity{Scheme: "super"} }
