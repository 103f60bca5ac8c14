package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The candidates follow ZooKeeper's ContainerManager.getCandidates.
func TestCleanupCandidates(t *testing.T) {
	h := newHarness(t, Options{TTLEnabled: true})
	h.mustOK(testSession, CreateRequest{Path: "/c-used", ACL: OpenACL, Mode: Container})
	h.create("/c-used/x", "")
	h.mustOK(testSession, DeleteRequest{Path: "/c-used/x", Version: -1})
	h.mustOK(testSession, CreateRequest{Path: "/c-never", ACL: OpenACL, Mode: Container})
	h.mustOK(testSession, CreateRequest{Path: "/c-busy", ACL: OpenACL, Mode: Container})
	h.create("/c-busy/x", "")
	h.mustOK(testSession, CreateRequest{Path: "/t-short", ACL: OpenACL, Mode: PersistentWithTTL, TTL: 100})
	h.mustOK(testSession, CreateRequest{Path: "/t-long", ACL: OpenACL, Mode: PersistentSequentialWithTTL, TTL: 1_000_000})
	h.mustOK(testSession, CreateRequest{Path: "/t-parent", ACL: OpenACL, Mode: PersistentWithTTL, TTL: 100})
	h.create("/t-parent/x", "")
	h.create("/plain", "")
	now := h.stat("/t-short").Mtime

	assert.Equal(t, []string{"/c-used"}, h.tree.CleanupCandidates(now, 0))
	assert.Equal(t, []string{"/c-used"}, h.tree.CleanupCandidates(now+100, 0), "a TTL must be exceeded, not reached")
	assert.Equal(t, []string{"/c-used", "/t-short"}, h.tree.CleanupCandidates(now+101, 0))
	assert.Equal(t, []string{"/c-used"}, h.tree.CleanupCandidates(now+101, 1), "at most max")
	h.mustOK(testSession, SetDataRequest{Path: "/t-short", Version: -1})
	assert.Equal(t, []string{"/c-used"}, h.tree.CleanupCandidates(h.time+100, 0), "a write renews a TTL")

	h2 := newHarness(t, Options{ContainerMaxNeverUsed: 50})
	h2.mustOK(testSession, CreateRequest{Path: "/c-never", ACL: OpenACL, Mode: Container})
	assert.Empty(t, h2.tree.CleanupCandidates(h2.time+50, 0))
	assert.Equal(t, []string{"/c-never"}, h2.tree.CleanupCandidates(h2.time+51, 0))
}
