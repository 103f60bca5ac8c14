package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleTxns has one txn of every record type.
func sampleTxns() []Txn {
	h := func(typ OpCode) TxnHeader {
		return TxnHeader{ClientID: -0x0123456789abcdef, Cxid: -7, Zxid: 5<<32 | 9, Time: 1_700_000_000_123, Type: typ}
	}
	acl := []ACL{{PermAll, Identity{"world", "anyone"}}, {PermRead, DigestIdentity("u:p")}}
	d := TxnDigest{Version: DigestVersion, TreeDigest: 0xfedcba9876543210}
	return []Txn{
		{Header: h(OpCreate), Body: &CreateTxn{Path: "/a", Data: []byte("x"), ACL: acl, Ephemeral: true, ParentCVersion: 3}, Digest: d},
		{Header: h(OpCreate2), Body: &CreateTxn{Path: "/a", ACL: acl, ParentCVersion: -1}},
		{Header: h(OpCreateTTL), Body: &CreateTTLTxn{Path: "/t", Data: []byte{}, ACL: acl, ParentCVersion: 1, TTL: MaxTTL}},
		{Header: h(OpCreateContainer), Body: &CreateContainerTxn{Path: "/c", ACL: acl, ParentCVersion: 2}},
		{Header: h(OpDelete), Body: &DeleteTxn{Path: "/a"}},
		{Header: h(OpDeleteContainer), Body: &DeleteTxn{Path: "/c"}},
		{Header: h(OpSetData), Body: &SetDataTxn{Path: "/a", Data: make([]byte, 300), Version: 2}},
		{Header: h(OpSetACL), Body: &SetACLTxn{Path: "/a", ACL: acl, Version: 1}},
		{Header: h(OpCheck), Body: &CheckVersionTxn{Path: "/a", Version: 4}},
		{Header: h(OpCreateSession), Body: &CreateSessionTxn{TimeOut: 30000}},
		{Header: h(OpCloseSession), Body: &CloseSessionTxn{Paths2Delete: []string{"/e1", "/e2"}}},
		{Header: h(OpCloseSession), Body: &CloseSessionTxn{Paths2Delete: []string{}}},
		{Header: h(OpError), Body: &ErrorTxn{Err: ErrNodeExists}},
		{Header: h(OpMulti), Body: &MultiTxn{Txns: []SubTxn{
			{Type: OpCreate, Body: &CreateTxn{Path: "/m", ACL: acl}},
			{Type: OpSetData, Body: &SetDataTxn{Path: "/m", Data: []byte("d")}},
			{Type: OpError, Body: &ErrorTxn{Err: ErrRuntimeInconsistency}},
		}}, Digest: d},
		{Header: h(OpMulti), Body: &MultiTxn{Txns: []SubTxn{}}},
	}
}

func TestTxnRoundTrip(t *testing.T) {
	for _, txn := range sampleTxns() {
		t.Run(txn.Header.Type.String(), func(t *testing.T) {
			b, err := txn.MarshalBinary()
			require.NoError(t, err)
			got, err := UnmarshalTxn(b)
			require.NoError(t, err)
			assert.Equal(t, txn, got)
			appended, err := txn.AppendBinary([]byte("prefix"))
			require.NoError(t, err)
			assert.Equal(t, append([]byte("prefix"), b...), appended)
		})
	}
}

func TestTxnDecodeNeverAliases(t *testing.T) {
	txn := sampleTxns()[0]
	b, err := txn.MarshalBinary()
	require.NoError(t, err)
	got, err := UnmarshalTxn(b)
	require.NoError(t, err)
	for i := range b {
		b[i] = 0
	}
	assert.Equal(t, txn, got)
}

func TestTxnDecodeErrors(t *testing.T) {
	good, err := sampleTxns()[0].MarshalBinary()
	require.NoError(t, err)
	tests := map[string][]byte{
		"empty":            {},
		"wrong version":    append([]byte{9}, good[1:]...),
		"trailing bytes":   append(append([]byte{}, good...), 0),
		"unknown type":     {1, 0, 0, 0, 0, 99, 0, 0},
		"nested multi":     {1, 0, 0, 0, 0, 28, 0, 0, 1, 28, 0},
		"session in multi": {1, 0, 0, 0, 0, 28, 0, 0, 1, 19, 0},
		"huge count":       {1, 0, 0, 0, 0, 28, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"int32 overflow":   {1, 0, 0xff, 0xff, 0xff, 0xff, 0x1f},
		"bad bool":         {1, 0, 0, 0, 0, 2, 0, 0, 2, '/', 'a', 0, 0, 7, 0},
	}
	for n := 0; n < len(good); n++ {
		tests["truncated "+string(rune('a'+n%26))+string(rune('a'+n/26))] = good[:n]
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := UnmarshalTxn(b)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Equal(t, ErrMarshallingError, CodeOf(err))
		})
	}
}

func TestTxnMarshalRefusesMismatchedBody(t *testing.T) {
	for _, txn := range []Txn{
		{Header: TxnHeader{Type: OpCreate}, Body: &DeleteTxn{}},
		{Header: TxnHeader{Type: OpCreate}},
		{Header: TxnHeader{Type: OpCreate}, Body: (*CreateTxn)(nil)},
		{Header: TxnHeader{Type: OpGetData}, Body: &DeleteTxn{}},
		{Header: TxnHeader{Type: OpMulti}, Body: &MultiTxn{Txns: []SubTxn{{Type: OpCreateSession, Body: &CreateSessionTxn{}}}}},
		{Header: TxnHeader{Type: OpMulti}, Body: &MultiTxn{Txns: []SubTxn{{Type: OpDelete, Body: &ErrorTxn{}}}}},
	} {
		_, err := txn.MarshalBinary()
		assert.ErrorIs(t, err, errBodyType, "%+v", txn)
	}
}

// Apply survives any txn a decoder could produce: bodies that do not fit
// their types, invalid paths, missing znodes.
func TestApplyOddTxns(t *testing.T) {
	h := fixture(t, Options{})
	for i, txn := range []Txn{
		{Header: TxnHeader{Type: OpCreate}, Body: &DeleteTxn{Path: "/x"}},
		{Header: TxnHeader{Type: OpCreate}},
		{Header: TxnHeader{Type: OpCreate}, Body: &CreateTxn{Path: "x", ACL: OpenACL}},
		{Header: TxnHeader{Type: OpCreate}, Body: &CreateTxn{Path: "/a//b", ACL: OpenACL}},
		{Header: TxnHeader{Type: OpCreate}, Body: &CreateTxn{Path: "/x"}},
		{Header: TxnHeader{Type: OpCreateTTL}, Body: &CreateTTLTxn{Path: "/x", ACL: OpenACL, TTL: -4}},
		{Header: TxnHeader{Type: OpDelete}, Body: &DeleteTxn{Path: "/"}},
		{Header: TxnHeader{Type: OpDelete}, Body: &DeleteTxn{Path: "/p"}},
		{Header: TxnHeader{Type: OpDelete}, Body: &DeleteTxn{Path: ""}},
		{Header: TxnHeader{Type: OpSetData}, Body: &SetDataTxn{Path: "/missing"}},
		{Header: TxnHeader{Type: OpSetACL}, Body: &SetACLTxn{Path: "/p"}},
		{Header: TxnHeader{Type: OpGetData}, Body: &DeleteTxn{Path: "/p"}},
		{Header: TxnHeader{Type: OpMulti}, Body: &DeleteTxn{Path: "/p"}},
		{Header: TxnHeader{Type: OpMulti}, Body: &MultiTxn{Txns: []SubTxn{{Type: OpCreateSession, Body: &CreateSessionTxn{}}}}},
	} {
		before := h.tree.Digest()
		h.zxid++
		txn.Header.Zxid = h.zxid
		res, ev := h.tree.Apply(txn)
		assert.NotEqual(t, OK, res.Code, i)
		assert.Empty(t, ev, i)
		assert.Equal(t, before, h.tree.Digest(), i)
	}
	assert.Equal(t, recomputeDigest(h.tree), h.tree.Digest())
}
