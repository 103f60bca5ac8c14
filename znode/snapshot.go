package znode

import (
	"io"

	"github.com/google/btree"
)

// Snapshot is a consistent view of a tree at one exact zxid, taken in O(1)
// by cloning the copy-on-write indexes. Writing it does not block Apply.
type Snapshot struct {
	opts     Options
	nodes    *btree.BTreeG[item]
	root     *node
	sessions *btree.BTreeG[sessionEntry]
	zxid     int64
	digest   uint64
	count    int
}

// Snapshot returns a consistent view of the tree at LastZxid, to be
// written while the tree goes on applying txns.
func (t *Tree) Snapshot() *Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	return &Snapshot{
		opts:     t.opts,
		nodes:    t.nodes.Clone(),
		root:     t.root,
		sessions: t.sessions.Clone(),
		zxid:     t.lastZxid,
		digest:   t.digest,
		count:    t.nodes.Len() + 1,
	}
}

// Zxid returns the zxid of the last txn the snapshot holds.
func (s *Snapshot) Zxid() int64 { return s.zxid }

// Digest returns the tree digest at the snapshot's zxid.
func (s *Snapshot) Digest() uint64 { return s.digest }

// WriteTo writes the snapshot to w (see the package doc for the format)
// and returns the bytes written.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	return 0, ErrUnimplemented
}

// ReadSnapshot reads a snapshot written by Snapshot.WriteTo into a new
// tree with opts. A stream that is truncated, fails its checksum, or does
// not describe a well-formed tree with the stored digest is an error
// wrapping ErrCorrupt; no tree is returned.
func ReadSnapshot(r io.Reader, opts Options) (*Tree, error) {
	return nil, ErrUnimplemented
}
