package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMultiSuccess(t *testing.T) {
	h := fixture(t, Options{})
	res, ev := h.do(testSession, MultiRequest{Ops: []Request{
		CreateRequest{Path: "/m", Data: []byte("1"), ACL: OpenACL},
		CreateRequest{Path: "/m/s-", ACL: OpenACL, Mode: PersistentSequential},
		CreateRequest{Path: "/m/s-", ACL: OpenACL, Mode: PersistentSequential},
		SetDataRequest{Path: "/m", Data: []byte("2"), Version: 0},
		CheckRequest{Path: "/m", Version: 1},
		DeleteRequest{Path: "/m/s-0000000000", Version: 0},
		&CheckRequest{Path: "/p", Version: -1},
	}})
	require.Equal(t, OK, res.Code)
	require.Equal(t, OpMulti, res.Type)
	require.Len(t, res.Ops, 7)
	z := h.zxid
	assert.Equal(t, OpResult{Type: OpCreate, Path: "/m", Stat: Stat{Czxid: z, Mzxid: z, Pzxid: z, Ctime: h.time, Mtime: h.time, DataLength: 1}}, res.Ops[0])
	assert.Equal(t, "/m/s-0000000000", res.Ops[1].Path)
	assert.Equal(t, "/m/s-0000000001", res.Ops[2].Path, "ops see the changes of the ops before them")
	assert.Equal(t, OpSetData, res.Ops[3].Type)
	assert.Equal(t, int32(1), res.Ops[3].Stat.Version)
	assert.Equal(t, OpResult{Type: OpCheck, Path: "/m"}, res.Ops[4])
	assert.Equal(t, OpResult{Type: OpDelete, Path: "/m/s-0000000000"}, res.Ops[5])
	data, st, err := h.tree.Get("/m", Auth{})
	require.NoError(t, err)
	assert.Equal(t, "2", string(data))
	assert.Equal(t, int32(1), st.NumChildren)
	assert.Equal(t, []Event{
		{EventNodeCreated, "/m", z}, {EventNodeChildrenChanged, "/", z},
		{EventNodeCreated, "/m/s-0000000000", z}, {EventNodeChildrenChanged, "/m", z},
		{EventNodeCreated, "/m/s-0000000001", z}, {EventNodeChildrenChanged, "/m", z},
		{EventNodeDataChanged, "/m", z},
		{EventNodeDeleted, "/m/s-0000000000", z}, {EventNodeChildrenChanged, "/m", z},
	}, ev)
}

// A failed multi reports, like ZooKeeper's MultiResponse, error results:
// OK for the ops before the failing one, its error, and
// RuntimeInconsistency after it; and it changes nothing.
func TestMultiFailure(t *testing.T) {
	tests := []struct {
		name string
		ops  []Request
		want []Code
	}{
		{"first op fails", []Request{
			CreateRequest{Path: "/p", ACL: OpenACL},
			CreateRequest{Path: "/x", ACL: OpenACL},
		}, []Code{ErrNodeExists, ErrRuntimeInconsistency}},
		{"middle op fails", []Request{
			CreateRequest{Path: "/x", ACL: OpenACL},
			SetDataRequest{Path: "/p", Version: 7},
			DeleteRequest{Path: "/p/child", Version: -1},
		}, []Code{OK, ErrBadVersion, ErrRuntimeInconsistency}},
		{"last op fails", []Request{
			CreateRequest{Path: "/x", ACL: OpenACL},
			DeleteRequest{Path: "/p/child", Version: -1},
			CheckRequest{Path: "/p", Version: 3},
		}, []Code{OK, OK, ErrBadVersion}},
		{"fails on an earlier op's change", []Request{
			DeleteRequest{Path: "/p/child", Version: -1},
			CheckRequest{Path: "/p/child", Version: -1},
		}, []Code{OK, ErrNoNode}},
		{"no auth", []Request{
			CreateRequest{Path: "/x", ACL: OpenACL},
			SetDataRequest{Path: "/ro", Version: -1},
		}, []Code{OK, ErrNoAuth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fixture(t, Options{})
			before := h.tree.Digest()
			nodes := h.tree.NodeCount()
			txn := h.prepare(testSession, MultiRequest{Ops: tt.ops})
			assert.Equal(t, OpMulti, txn.Header.Type, "a failed multi is still a multi txn")
			res, ev := h.apply(txn)
			want := make([]OpResult, len(tt.want))
			first := OK
			for i, c := range tt.want {
				want[i] = OpResult{Type: OpError, Code: c}
				if first == OK {
					first = c
				}
			}
			assert.Equal(t, want, res.Ops)
			assert.Equal(t, first, res.Code)
			assert.Empty(t, ev)
			assert.Equal(t, before, h.tree.Digest())
			assert.Equal(t, nodes, h.tree.NodeCount())
		})
	}
}

// A failed multi leaves no trace in the changes in flight either: the next
// sequential name is the one it would have been.
func TestMultiFailureRollsBackInFlight(t *testing.T) {
	h := fixture(t, Options{})
	h.create("/q", "")
	first := h.prepare(testSession, CreateRequest{Path: "/q/s-", ACL: OpenACL, Mode: PersistentSequential})
	failed := h.prepare(testSession, MultiRequest{Ops: []Request{
		CreateRequest{Path: "/q/s-", ACL: OpenACL, Mode: PersistentSequential},
		SetDataRequest{Path: "/q", Version: 9},
	}})
	next := h.prepare(testSession, CreateRequest{Path: "/q/s-", ACL: OpenACL, Mode: PersistentSequential})
	assert.Equal(t, "/q/s-0000000000", first.Body.(*CreateTxn).Path)
	assert.Equal(t, "/q/s-0000000001", next.Body.(*CreateTxn).Path)
	for _, txn := range []Txn{first, failed, next} {
		h.apply(txn)
	}
	children, _, err := h.tree.Children("/q", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s-0000000000", "s-0000000001"}, children)
}

func TestMultiDisallowedOp(t *testing.T) {
	h := fixture(t, Options{})
	for _, op := range []Request{MultiRequest{}, CreateSessionRequest{}, CloseSessionRequest{}, SetACLRequest{Path: "/p", ACL: OpenACL, Version: -1}, DeleteContainerRequest{Path: "/c"}} {
		txn := h.prepare(testSession, MultiRequest{Ops: []Request{CreateRequest{Path: "/x", ACL: OpenACL}, op}})
		assert.Equal(t, &ErrorTxn{Err: ErrMarshallingError}, txn.Body, "%T", op)
		res, _ := h.apply(txn)
		assert.Equal(t, ErrMarshallingError, res.Code)
	}
}

func TestEmptyMulti(t *testing.T) {
	h := fixture(t, Options{})
	res, ev := h.do(testSession, MultiRequest{})
	assert.Equal(t, OK, res.Code)
	assert.Empty(t, res.Ops)
	assert.Empty(t, ev)
}

// A multi txn that fails at apply (a diverged replica, a hand-made txn) is
// rolled back whole, not left half done as ZooKeeper's processTxn would.
func TestMultiApplyFailureRollsBack(t *testing.T) {
	h := fixture(t, Options{})
	before := h.tree.Digest()
	nodes := h.tree.NodeCount()
	h.zxid++
	res, ev := h.tree.Apply(Txn{
		Header: TxnHeader{ClientID: testSession, Zxid: h.zxid, Type: OpMulti},
		Body: &MultiTxn{Txns: []SubTxn{
			{Type: OpCreate, Body: &CreateTxn{Path: "/x", ACL: OpenACL, ParentCVersion: -1}},
			{Type: OpSetData, Body: &SetDataTxn{Path: "/p", Data: []byte("changed"), Version: 1}},
			{Type: OpCreate, Body: &CreateTxn{Path: "/p", ACL: OpenACL, ParentCVersion: -1}},
			{Type: OpDelete, Body: &DeleteTxn{Path: "/p/child"}},
		}},
	})
	assert.Equal(t, ErrNodeExists, res.Code)
	assert.Equal(t, []OpResult{{Type: OpError}, {Type: OpError}, {Type: OpError, Code: ErrNodeExists}, {Type: OpError, Code: ErrRuntimeInconsistency}}, res.Ops)
	assert.Empty(t, ev)
	assert.Equal(t, before, h.tree.Digest())
	assert.Equal(t, nodes, h.tree.NodeCount())
	data, _, err := h.tree.Get("/p", Auth{})
	require.NoError(t, err)
	assert.Equal(t, "data", string(data))
}
