package znode

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With many writes prepared before any is applied, each is validated
// against the ones before it, and applying them all in order gives the
// tree (and the digests the leader predicted) that one-at-a-time would.
func TestPipelinedWrites(t *testing.T) {
	h := newHarness(t, Options{})
	var txns []Txn
	prep := func(req Request) Txn {
		txn := h.prepare(testSession, req)
		txns = append(txns, txn)
		return txn
	}
	prep(CreateRequest{Path: "/a", ACL: OpenACL})
	for i := 0; i < 3; i++ {
		txn := prep(CreateRequest{Path: "/a/s-", ACL: OpenACL, Mode: PersistentSequential})
		assert.Equal(t, fmt.Sprintf("/a/s-%010d", i), txn.Body.(*CreateTxn).Path)
	}
	assert.Equal(t, OpError, prep(CreateRequest{Path: "/a", ACL: OpenACL}).Header.Type, "exists in flight")
	assert.Equal(t, OpSetData, prep(SetDataRequest{Path: "/a", Data: []byte("1"), Version: 0}).Header.Type)
	assert.Equal(t, OpError, prep(SetDataRequest{Path: "/a", Data: []byte("x"), Version: 0}).Header.Type, "version 0 is gone in flight")
	assert.Equal(t, OpSetData, prep(SetDataRequest{Path: "/a", Data: []byte("2"), Version: 1}).Header.Type)
	assert.Equal(t, OpDelete, prep(DeleteRequest{Path: "/a/s-0000000001", Version: 0}).Header.Type)
	assert.Equal(t, OpError, prep(DeleteRequest{Path: "/a/s-0000000001", Version: -1}).Header.Type, "deleted in flight")
	assert.Equal(t, OpError, prep(DeleteRequest{Path: "/a", Version: -1}).Header.Type, "has children in flight")
	assert.Equal(t, OpCreate, prep(CreateRequest{Path: "/a/s-0000000001", ACL: OpenACL}).Header.Type, "free again in flight")
	assert.NotZero(t, h.prep.Outstanding())

	for i, txn := range txns {
		res, _ := h.apply(txn) // apply fails the test on a digest mismatch
		if txn.Header.Type == OpError {
			assert.NotEqual(t, OK, res.Code, i)
		} else {
			assert.Equal(t, OK, res.Code, i)
		}
	}
	assert.Zero(t, h.prep.Outstanding())
	children, st, err := h.tree.Children("/a", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"s-0000000000", "s-0000000001", "s-0000000002"}, children)
	assert.Equal(t, int32(2), st.Version)
}

// Applied forgets only what the tree has caught up with.
func TestAppliedPartially(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.prepare(testSession, CreateRequest{Path: "/a", ACL: OpenACL})
	b := h.prepare(testSession, SetDataRequest{Path: "/a", Data: []byte("b"), Version: -1})
	h.apply(a)
	// /a's newest value is still b's: its version is 1 for the next check.
	c := h.prepare(testSession, CheckRequest{Path: "/a", Version: 1})
	assert.Equal(t, OpCheck, c.Header.Type)
	h.apply(b)
	h.apply(c)
	assert.Zero(t, h.prep.Outstanding())
}

func TestResetForgetsInFlight(t *testing.T) {
	h := newHarness(t, Options{})
	h.prepare(testSession, CreateRequest{Path: "/lost", ACL: OpenACL}) // never committed
	h.prep.Reset()
	txn := h.prepare(testSession, CreateRequest{Path: "/lost", ACL: OpenACL})
	assert.Equal(t, OpCreate, txn.Header.Type, "a new leader does not see the old one's uncommitted change")
	h.apply(txn)
}

func TestPrepareRejectsZxidOrder(t *testing.T) {
	h := newHarness(t, Options{})
	_, err := h.prep.Prepare(Header{Session: testSession, Zxid: h.zxid}, CheckRequest{Path: "/", Version: -1}, Auth{})
	assert.ErrorIs(t, err, ErrZxidOrder)
	_, err = h.prep.Prepare(Header{Session: testSession, Zxid: h.zxid + 1}, nil, Auth{})
	assert.ErrorIs(t, err, ErrUnknownRequest)
	type alien struct{ Request }
	_, err = h.prep.Prepare(Header{Session: testSession, Zxid: h.zxid + 1}, alien{}, Auth{})
	assert.ErrorIs(t, err, ErrUnknownRequest)
}

// closeSession lists the session's ephemerals as they will be once the
// txns in flight are applied.
func TestCloseSessionInFlight(t *testing.T) {
	h := newHarness(t, Options{})
	const s2 int64 = 0x200
	h.mustOK(s2, CreateSessionRequest{Timeout: 5000})
	h.create("/d", "")
	h.mustOK(s2, CreateRequest{Path: "/d/old", ACL: OpenACL, Mode: Ephemeral})
	h.mustOK(s2, CreateRequest{Path: "/d/gone", ACL: OpenACL, Mode: Ephemeral})
	h.mustOK(testSession, CreateRequest{Path: "/d/other", ACL: OpenACL, Mode: Ephemeral})

	txns := []Txn{
		h.prepare(s2, CreateRequest{Path: "/d/new", ACL: OpenACL, Mode: EphemeralSequential}),
		h.prepare(s2, DeleteRequest{Path: "/d/gone", Version: -1}),
		h.prepare(s2, CloseSessionRequest{}),
	}
	assert.Equal(t, &CloseSessionTxn{Paths2Delete: []string{"/d/new0000000003", "/d/old"}}, txns[2].Body)
	// Writes by a closing session fail at once.
	late := h.prepare(s2, CreateRequest{Path: "/d/late", ACL: OpenACL, Mode: Ephemeral})
	assert.Equal(t, &ErrorTxn{Err: ErrSessionExpired}, late.Body)
	txns = append(txns, late)
	var events []Event
	for _, txn := range txns {
		_, ev := h.apply(txn)
		events = append(events, ev...)
	}
	children, _, err := h.tree.Children("/d", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"other"}, children)
	assert.Empty(t, h.tree.Ephemerals(s2, ""))
	assert.NotContains(t, h.tree.Sessions(), s2)
	z := txns[2].Header.Zxid
	assert.Equal(t, []Event{
		{EventNodeDeleted, "/d/new0000000003", z}, {EventNodeChildrenChanged, "/d", z},
		{EventNodeDeleted, "/d/old", z}, {EventNodeChildrenChanged, "/d", z},
	}, events[len(events)-4:])
}
