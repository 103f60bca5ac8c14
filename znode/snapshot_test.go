package znode

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// richTree has a znode of every kind, several ACLs, sessions and nil data.
func richTree(t testing.TB) *harness {
	h := fixture(t, Options{TTLEnabled: true})
	h.mustOK(testSession, CreateRequest{Path: "/ttl", ACL: OpenACL, Mode: PersistentSequentialWithTTL, TTL: 60000})
	h.mustOK(testSession, CreateRequest{Path: "/p/nil", ACL: []ACL{{PermRead, Identity{"ip", "10.0.0.0/8"}}}})
	h.mustOK(0x77, CreateSessionRequest{Timeout: 9000})
	h.mustOK(0x77, CreateRequest{Path: "/p/eph-", ACL: OpenACL, Mode: EphemeralSequential, Data: []byte("e")})
	return h
}

func writeSnapshot(t testing.TB, s *Snapshot) []byte {
	var buf bytes.Buffer
	n, err := s.WriteTo(&buf)
	require.NoError(t, err)
	require.Equal(t, int64(buf.Len()), n)
	return buf.Bytes()
}

func TestSnapshotRoundTrip(t *testing.T) {
	h := richTree(t)
	b := writeSnapshot(t, h.tree.Snapshot())
	loaded, err := ReadSnapshot(bytes.NewReader(b), Options{TTLEnabled: true})
	require.NoError(t, err)
	assert.Equal(t, dump(h.tree), dump(loaded))
	assert.Equal(t, h.tree.Sessions(), loaded.Sessions())
	assert.Equal(t, h.tree.Ephemerals(0x77, ""), loaded.Ephemerals(0x77, ""))
	assert.Equal(t, h.tree.CleanupCandidates(h.time+1e9, 0), loaded.CleanupCandidates(h.time+1e9, 0))

	// The loaded tree goes on like the original.
	h2 := &harness{t: t, tree: loaded, prep: NewPreparer(loaded), zxid: h.zxid, time: h.time}
	for _, hh := range []*harness{h, h2} {
		hh.mustOK(testSession, CreateRequest{Path: "/p/s-", ACL: OpenACL, Mode: PersistentSequential})
		hh.mustOK(0x77, CloseSessionRequest{})
	}
	assert.Equal(t, dump(h.tree), dump(loaded))
}

// A snapshot is the tree at its zxid, however long after it is written.
func TestSnapshotIsConsistentWhileWritesGoOn(t *testing.T) {
	h := richTree(t)
	want := dump(h.tree)
	snap := h.tree.Snapshot()
	h.mustOK(testSession, SetDataRequest{Path: "/p", Data: []byte("changed"), Version: -1})
	h.mustOK(testSession, DeleteRequest{Path: "/p/child", Version: -1})
	h.mustOK(testSession, CreateRequest{Path: "/later", ACL: []ACL{{PermAll, alice}}}, alice)
	h.mustOK(0x77, CloseSessionRequest{})
	loaded, err := ReadSnapshot(bytes.NewReader(writeSnapshot(t, snap)), Options{})
	require.NoError(t, err)
	assert.Equal(t, want, dump(loaded))
	assert.Equal(t, snap.Zxid(), loaded.LastZxid())
	assert.Equal(t, snap.Digest(), loaded.Digest())
}

// Writing a snapshot in its own goroutine races with nothing (run with
// -race), and the result is the tree at the snapshot's zxid.
func TestSnapshotWrittenConcurrently(t *testing.T) {
	h := richTree(t)
	for i := 0; i < 200; i++ {
		h.create("/bulk"+sequenceSuffix(int32(i)), "x")
	}
	want := dump(h.tree)
	snap := h.tree.Snapshot()
	done := make(chan []byte)
	go func() {
		var buf bytes.Buffer
		_, err := snap.WriteTo(&buf)
		assert.NoError(t, err)
		done <- buf.Bytes()
	}()
	for i := 0; i < 200; i++ {
		h.mustOK(testSession, SetDataRequest{Path: "/bulk" + sequenceSuffix(int32(i)), Data: []byte("y"), Version: -1})
		if i%2 == 0 {
			h.mustOK(testSession, DeleteRequest{Path: "/bulk" + sequenceSuffix(int32(i)), Version: -1})
		}
	}
	b := <-done
	loaded, err := ReadSnapshot(bytes.NewReader(b), Options{})
	require.NoError(t, err)
	assert.Equal(t, want, dump(loaded))
}

// Any flipped bit or lost tail is an error, never a different tree.
func TestSnapshotCorruption(t *testing.T) {
	h := richTree(t)
	good := writeSnapshot(t, h.tree.Snapshot())
	for i := range good {
		for _, mask := range []byte{0x01, 0x80} {
			b := bytes.Clone(good)
			b[i] ^= mask
			_, err := ReadSnapshot(bytes.NewReader(b), Options{})
			require.ErrorIs(t, err, ErrCorrupt, "byte %d ^ %#x", i, mask)
		}
	}
	for n := 0; n < len(good); n++ {
		_, err := ReadSnapshot(bytes.NewReader(good[:n]), Options{})
		require.ErrorIs(t, err, ErrCorrupt, "truncated to %d", n)
	}
}

func TestSnapshotReadsNothingPastItsEnd(t *testing.T) {
	h := richTree(t)
	b := append(writeSnapshot(t, h.tree.Snapshot()), "trailing"...)
	r := bytes.NewReader(b)
	_, err := ReadSnapshot(r, Options{})
	require.NoError(t, err)
	rest, _ := io.ReadAll(r)
	assert.Equal(t, "trailing", string(rest))
}

// A checksummed stream that describes a broken tree is still refused.
func TestSnapshotStructureChecks(t *testing.T) {
	add := func(s *Snapshot, path string, n *node) {
		parent, name, _ := splitPath(path)
		n.seal(path)
		s.nodes.ReplaceOrInsert(item{parent: parent, name: name, n: n})
		s.count++
		s.digest += uint64(n.digest)
	}
	open := &aclEntry{list: OpenACL}
	tests := []struct {
		name      string
		build     func(s *Snapshot)
		structure bool
	}{
		{"orphan", func(s *Snapshot) { add(s, "/nowhere/x", &node{acl: open}) }, true},
		{"child of an ephemeral", func(s *Snapshot) { add(s, "/e/x", &node{acl: open}) }, true},
		{"ephemeral without owner", func(s *Snapshot) { add(s, "/x", &node{acl: open, kind: kindEphemeral}) }, true},
		{"persistent with owner", func(s *Snapshot) { add(s, "/x", &node{acl: open, owner: 5}) }, true},
		{"container with wrong owner", func(s *Snapshot) { add(s, "/x", &node{acl: open, kind: kindContainer, owner: 5}) }, true},
		{"TTL of zero", func(s *Snapshot) { add(s, "/x", &node{acl: open, kind: kindTTL, owner: ttlOwner(0)}) }, true},
		{"empty ACL", func(s *Snapshot) { add(s, "/x", &node{acl: &aclEntry{}}) }, true},
		{"invalid path", func(s *Snapshot) { add(s, "/.", &node{acl: open}) }, true},
		{"wrong digest", func(s *Snapshot) { s.digest++ }, false},
		{"count too small", func(s *Snapshot) { s.count-- }, false},
		{"count too large", func(s *Snapshot) { s.count++ }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fixture(t, Options{})
			snap := h.tree.Snapshot()
			tt.build(snap)
			var buf bytes.Buffer
			_, err := snap.WriteTo(&buf)
			require.NoError(t, err)
			_, err = ReadSnapshot(&buf, Options{})
			require.ErrorIs(t, err, ErrCorrupt)
			if tt.structure {
				require.ErrorIs(t, err, errStructure)
			}
		})
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after < len(p) {
		n := w.after
		w.after = 0
		return n, errors.New("disk full")
	}
	w.after -= len(p)
	return len(p), nil
}

func TestSnapshotWriteError(t *testing.T) {
	h := richTree(t)
	_, err := h.tree.Snapshot().WriteTo(&failingWriter{after: 10})
	assert.ErrorContains(t, err, "disk full")
}
