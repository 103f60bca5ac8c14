package znode

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	h := newHarness(t, Options{})
	h.create("/a", "x")
	h.create("/a/b", "y")
	res := h.mustOK(testSession, CreateRequest{Path: "/a/s-", ACL: OpenACL, Mode: PersistentSequential})
	require.Equal(t, "/a/s-0000000001", res.Path)
	data, st, err := h.tree.Get("/a", Auth{})
	require.NoError(t, err)
	require.Equal(t, "x", string(data))
	require.Equal(t, int32(2), st.NumChildren)
	var buf bytes.Buffer
	_, err = h.tree.Snapshot().WriteTo(&buf)
	require.NoError(t, err)
	t2, err := ReadSnapshot(&buf, Options{})
	require.NoError(t, err)
	require.Equal(t, h.tree.Digest(), t2.Digest())
	require.Equal(t, h.tree.NodeCount(), t2.NodeCount())
}
