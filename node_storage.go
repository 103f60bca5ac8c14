package ensemble

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/zab"
	"github.com/ensemble-go/ensemble/znode"
)

// treeOptions are the znode.Options the Config asks for.
func (n *Node) treeOptions() znode.Options {
	return znode.Options{
		MaxDataSize: n.cfg.MaxBuffer,
		SuperDigest: n.cfg.SuperDigest,
		TTLEnabled:  n.cfg.ExtendedTypes,
	}
}

// recover opens the txn log and loads the newest valid snapshot. The log
// after the snapshot is not applied here: some of its txns may never have
// been committed. Zab hands the committed ones back (Ready.Committed) once
// the peer has synced with a leader, and only then are they applied.
func (n *Node) recover(ctx context.Context) error {
	opts := wal.Options{
		LogDir:      filepath.Join(n.cfg.DataLogDir, "log"),
		SnapDir:     filepath.Join(n.cfg.DataDir, "snap"),
		FS:          n.cfg.FS,
		SegmentSize: n.cfg.LogSegmentSize,
		Logger:      n.log.Named("wal"),
	}
	w, err := wal.Open(ctx, opts)
	if err != nil {
		return fmt.Errorf("ensemble: opening the txn log: %w", err)
	}
	n.wal = w
	zxid, payload, err := w.LatestSnapshot()
	switch {
	case errors.Is(err, wal.ErrNoSnapshot):
		n.tree = znode.New(n.treeOptions())
	case err != nil:
		w.Close()
		return fmt.Errorf("ensemble: reading the newest snapshot: %w", err)
	default:
		tree, err := znode.ReadSnapshot(payload, n.treeOptions())
		payload.Close()
		if err != nil {
			w.Close()
			return fmt.Errorf("ensemble: loading snapshot %#x: %w", zxid, err)
		}
		n.tree = tree
	}
	n.applied.Store(n.tree.LastZxid())
	n.log.Info("recovered", "snapshot_zxid", fmt.Sprintf("%#x", n.tree.LastZxid()),
		"log_last_zxid", fmt.Sprintf("%#x", w.LastZxid()), "znodes", n.tree.NodeCount())
	return nil
}

// snapshotSource gives zab the leader's committed state for SNAP sync: the
// tree as applied, which holds committed txns only.
type snapshotSource struct{ n *Node }

// Snapshot encodes the current tree. It runs on the loop, which is the
// only writer of the tree, so the clone is taken without waiting.
func (s snapshotSource) Snapshot() (int64, []byte, error) {
	snap := s.n.tree.Snapshot()
	var buf bytes.Buffer
	if _, err := snap.WriteTo(&buf); err != nil {
		return 0, nil, err
	}
	return snap.Zxid(), buf.Bytes(), nil
}

// installSnapshot replaces the tree with a snapshot the leader sent (SNAP
// sync) and makes it durable before anything else happens: the snapshot
// file first, then the log restarted after it. A crash in between leaves
// the old log beside a newer snapshot, which recovery handles (the log's
// records up to the snapshot are skipped on apply).
func (n *Node) installSnapshot(ctx context.Context, s *zab.Snapshot) error {
	tree, err := znode.ReadSnapshot(bytes.NewReader(s.Data), n.treeOptions())
	if err != nil {
		return fmt.Errorf("ensemble: snapshot from the leader: %w", err)
	}
	if tree.LastZxid() != s.Zxid {
		return fmt.Errorf("ensemble: snapshot from the leader holds zxid %#x, announced %#x", tree.LastZxid(), s.Zxid)
	}
	n.diskMu.Lock()
	defer n.diskMu.Unlock()
	if err := n.wal.SaveSnapshot(ctx, s.Zxid, func(w io.Writer) error {
		_, err := w.Write(s.Data)
		return err
	}); err != nil {
		return fmt.Errorf("ensemble: saving the leader's snapshot: %w", err)
	}
	if err := n.wal.ResetTo(ctx, s.Zxid); err != nil {
		return fmt.Errorf("ensemble: restarting the log after the leader's snapshot: %w", err)
	}
	n.mu.Lock()
	n.tree = tree
	n.prep = znode.NewPreparer(tree)
	n.mu.Unlock()
	n.applied.Store(tree.LastZxid())
	n.sinceSnap = 0
	return nil
}

// maybeSnapshot starts a background snapshot once snapEvery txns have been
// applied since the last one. The clone is O(1) and consistent at one
// exact zxid; the encoding and fsync happen off the loop while writes go on.
func (n *Node) maybeSnapshot() {
	if n.sinceSnap < n.snapEvery || n.snapping {
		return
	}
	n.snapping = true
	n.sinceSnap = 0
	snap := n.tree.Snapshot()
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		n.diskMu.Lock()
		err := n.wal.SaveSnapshot(context.Background(), snap.Zxid(), func(w io.Writer) error {
			_, err := snap.WriteTo(w)
			return err
		})
		n.diskMu.Unlock()
		if err != nil {
			n.log.Error("snapshot failed", "zxid", fmt.Sprintf("%#x", snap.Zxid()), "err", err)
		} else {
			n.snapshotCount.Add(1)
			n.log.Info("snapshot written", "zxid", fmt.Sprintf("%#x", snap.Zxid()))
		}
		n.post(func() { n.snapping = false })
	}()
}

// purge deletes snapshots and log segments beyond SnapRetainCount.
func (n *Node) purge() {
	n.bg.Add(1)
	go func() {
		defer n.bg.Done()
		n.diskMu.Lock()
		defer n.diskMu.Unlock()
		if err := n.wal.Purge(n.cfg.SnapRetainCount); err != nil {
			n.log.Warn("autopurge failed", "err", err)
		}
	}()
}
