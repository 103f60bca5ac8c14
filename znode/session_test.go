package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionsAreReplicatedState(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustOK(0x2, CreateSessionRequest{Timeout: 4000})
	h.mustOK(0x3, CreateSessionRequest{Timeout: 6000})
	assert.Equal(t, map[int64]int32{testSession: 30000, 0x2: 4000, 0x3: 6000}, h.tree.Sessions())

	h.mustOK(0x2, CreateRequest{Path: "/e1", ACL: OpenACL, Mode: Ephemeral})
	h.mustOK(0x2, CreateRequest{Path: "/e2", ACL: OpenACL, Mode: EphemeralSequential})
	h.mustOK(0x3, CreateRequest{Path: "/e3", ACL: OpenACL, Mode: Ephemeral})
	assert.Equal(t, []string{"/e1", "/e20000000001"}, h.tree.Ephemerals(0x2, ""))
	assert.Equal(t, []string{"/e1"}, h.tree.Ephemerals(0x2, "/e1"))
	assert.Equal(t, []string{"/e1", "/e20000000001"}, h.tree.Ephemerals(0x2, " / "), "a blank or / prefix means all")

	res, ev := h.do(0x2, CloseSessionRequest{})
	require.Equal(t, OK, res.Code)
	assert.Len(t, ev, 4)
	assert.Equal(t, map[int64]int32{testSession: 30000, 0x3: 6000}, h.tree.Sessions())
	timeout, live := h.tree.Session(0x3)
	assert.True(t, live)
	assert.Equal(t, int32(6000), timeout)
	_, live = h.tree.Session(0x2)
	assert.False(t, live, "a closed session is gone")
	_, err := h.tree.Exists("/e1", Auth{})
	assert.ErrorIs(t, err, ErrNoNode)
	_, err = h.tree.Exists("/e3", Auth{})
	assert.NoError(t, err)

	res, _ = h.do(0x2, CreateRequest{Path: "/late", ACL: OpenACL})
	assert.Equal(t, ErrSessionExpired, res.Code, "a closed session cannot write")
}

// Apply deletes a closing session's ephemerals even if the txn did not
// list them all, as ZooKeeper's killSession does, and only the session's.
func TestCloseSessionApplyIsThorough(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustOK(0x2, CreateSessionRequest{Timeout: 4000})
	h.mustOK(0x2, CreateRequest{Path: "/mine", ACL: OpenACL, Mode: Ephemeral})
	h.mustOK(testSession, CreateRequest{Path: "/theirs", ACL: OpenACL, Mode: Ephemeral})
	h.create("/persistent", "")
	h.zxid++
	res, ev := h.tree.Apply(Txn{
		Header: TxnHeader{ClientID: 0x2, Zxid: h.zxid, Type: OpCloseSession},
		Body:   &CloseSessionTxn{Paths2Delete: []string{"/theirs", "/persistent", "/missing"}},
	})
	assert.Equal(t, OK, res.Code)
	assert.Equal(t, []Event{{EventNodeDeleted, "/mine", h.zxid}, {EventNodeChildrenChanged, "/", h.zxid}}, ev)
	for _, p := range []string{"/theirs", "/persistent"} {
		_, err := h.tree.Exists(p, Auth{})
		assert.NoError(t, err, p)
	}
}

func TestCreateSessionIsIdempotent(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustOK(testSession, CreateSessionRequest{Timeout: 1234})
	assert.Equal(t, map[int64]int32{testSession: 1234}, h.tree.Sessions())
}
