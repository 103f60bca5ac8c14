package wal

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// snapInfo is a snapshot file the log knows of.
type snapInfo struct {
	zxid int64
	bad  bool // failed its checks at Open; never chosen, kept for inspection
}

// SaveSnapshot writes a snapshot of the state at zxid. write streams the
// payload (the tree's own encoding) into the writer it is given; the log
// adds a header with the zxid, the payload's length and its CRC-32C. The
// file appears atomically: it is written under a temp name, fsynced, renamed
// into place and the directory fsynced, so a crash leaves either no
// snapshot at zxid or a complete one. A snapshot at the same zxid is
// replaced. If ctx ends, writing stops and SaveSnapshot returns ctx.Err().
//
// A failed SaveSnapshot does not break the log: the log's records are in
// other files. It must not run concurrently with Truncate or ResetTo.
func (l *Log) SaveSnapshot(ctx context.Context, zxid int64, write func(io.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.closed.Load() {
		return ErrClosed
	}
	if zxid < 0 {
		return invalidf("SaveSnapshot(%d): negative zxid", zxid)
	}
	name := snapshotName(zxid)
	tmp := filepath.Join(l.snapDir, name+tmpSuffix)
	f, err := l.fs.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("wal: creating %s: %w", name, err)
	}
	fail := func(err error) error {
		_ = f.Close()
		_ = l.fs.Remove(tmp)
		return fmt.Errorf("wal: saving snapshot %#x: %w", zxid, err)
	}
	w := &snapshotWriter{ctx: ctx, f: f, off: snapHeaderSize, buf: make([]byte, 0, readChunk)}
	if err := write(w); err != nil {
		return fail(err)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := w.flush(); err != nil {
		return fail(err)
	}
	h := snapHeader{zxid: zxid, length: w.off - snapHeaderSize, crc: w.crc}
	if _, err := f.WriteAt(encodeSnapshotHeader(h), 0); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = l.fs.Remove(tmp)
		return fmt.Errorf("wal: saving snapshot %#x: %w", zxid, err)
	}
	if err := l.fs.Rename(tmp, filepath.Join(l.snapDir, name)); err != nil {
		_ = l.fs.Remove(tmp)
		return fmt.Errorf("wal: saving snapshot %#x: %w", zxid, err)
	}
	if err := l.fs.SyncDir(l.snapDir); err != nil {
		// Whether the name survives a crash is unknown: do not count on it.
		_ = l.fs.Remove(filepath.Join(l.snapDir, name))
		l.forgetSnapshot(zxid)
		return fmt.Errorf("wal: saving snapshot %#x: %w", zxid, err)
	}
	l.snapMu.Lock()
	i, found := slices.BinarySearchFunc(l.snaps, zxid, func(s snapInfo, z int64) int { return cmpInt(s.zxid, z) })
	if found {
		l.snaps[i].bad = false
	} else {
		l.snaps = slices.Insert(l.snaps, i, snapInfo{zxid: zxid})
	}
	l.snapMu.Unlock()
	return nil
}

// LatestSnapshot opens the newest valid snapshot: its zxid and a reader of
// its payload. Open has verified its checksum; the reader checks it again
// as it streams, and the read that reaches the end returns ErrCorrupt
// instead of io.EOF if the file changed since. The caller closes the
// reader. With no valid snapshot it fails with ErrNoSnapshot.
func (l *Log) LatestSnapshot() (zxid int64, payload io.ReadCloser, err error) {
	if l.closed.Load() {
		return 0, nil, ErrClosed
	}
	l.snapMu.Lock()
	found := false
	for i := len(l.snaps) - 1; i >= 0; i-- {
		if !l.snaps[i].bad {
			zxid, found = l.snaps[i].zxid, true
			break
		}
	}
	l.snapMu.Unlock()
	if !found {
		return 0, nil, ErrNoSnapshot
	}
	r, err := openSnapshot(l.fs, filepath.Join(l.snapDir, snapshotName(zxid)), zxid)
	if err != nil {
		return 0, nil, fmt.Errorf("wal: opening snapshot %#x: %w", zxid, err)
	}
	return zxid, r, nil
}

// snapshotAtOrBelow returns the newest valid snapshot at or below z.
func (l *Log) snapshotAtOrBelow(z int64) (int64, bool) {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	for i := len(l.snaps) - 1; i >= 0; i-- {
		if s := l.snaps[i]; s.zxid <= z && !s.bad {
			return s.zxid, true
		}
	}
	return 0, false
}

func (l *Log) forgetSnapshot(z int64) {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	l.snaps = slices.DeleteFunc(l.snaps, func(s snapInfo) bool { return s.zxid == z })
}
