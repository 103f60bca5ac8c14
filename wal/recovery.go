package wal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// RecoveryInfo says what Open found and what it repaired.
type RecoveryInfo struct {
	// SnapshotZxid is the zxid of the newest valid snapshot, where replay
	// starts; 0 if there is none (HasSnapshot says which).
	SnapshotZxid int64
	HasSnapshot  bool
	// SkippedSnapshots are newer snapshots that failed their checks and
	// were passed over, newest first. Their files are left in place.
	SkippedSnapshots []SnapshotError
	// FirstZxid and LastZxid are the oldest and newest records in the log
	// after recovery; 0 if the log is empty.
	FirstZxid, LastZxid int64
	// Records and Segments count what the log holds after recovery.
	Records  int64
	Segments int
	// TornTail describes the damaged tail that was cut, if any: the last
	// write batch was not wholly on disk when the peer stopped.
	TornTail *TornTail
	// RemovedEmptySegment names a last segment with no records (a crash
	// right after it was created) that was removed.
	RemovedEmptySegment string
	// CompletedIntent describes a Truncate or ResetTo that a crash
	// interrupted and recovery finished; empty if none.
	CompletedIntent string
	// DiscardedLog explains why the whole log was dropped, if it was: it
	// ended below the newest snapshot or did not contain the snapshot's
	// zxid, which happens when a crash falls between SaveSnapshot and
	// ResetTo during a snapshot sync. Empty if the log was kept.
	DiscardedLog string
	// RemovedTempFiles counts temp files of interrupted writes removed.
	RemovedTempFiles int
}

// TornTail describes a cut at the end of the log.
type TornTail struct {
	Segment string // file name
	Offset  int64  // where the first damaged record started
	Length  int64  // bytes from Offset to the last non-zero byte, all dropped
}

// SnapshotError names a snapshot that failed its checks.
type SnapshotError struct {
	Name string
	Zxid int64
	Err  error
}

const tmpSuffix = ".tmp"

func (l *Log) recover(ctx context.Context) error {
	for _, d := range []string{l.logDir, l.snapDir} {
		if err := l.fs.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("wal: creating %s: %w", d, err)
		}
	}
	if err := l.removeTemps(); err != nil {
		return err
	}
	if err := l.loadEpochs(); err != nil {
		return err
	}
	in, err := l.loadIntent()
	if err != nil {
		return err
	}
	if err := l.loadSnapshots(in); err != nil {
		return err
	}
	if err := l.loadSegments(ctx, in); err != nil {
		return err
	}
	if in != nil {
		if err := l.removeIntent(); err != nil {
			return err
		}
		l.info.CompletedIntent = in.String()
		l.logger.Warn("finished an interrupted operation", "op", in.String())
	}
	if err := l.checkCoverage(); err != nil {
		return err
	}
	l.info.FirstZxid, l.info.LastZxid = l.firstZxid.Load(), l.lastRecord()
	l.info.Segments = len(l.segs)
	return nil
}

func (l *Log) removeTemps() error {
	for _, dir := range uniqueDirs(l.logDir, l.snapDir) {
		names, err := l.fs.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("wal: listing %s: %w", dir, err)
		}
		removed := false
		for _, name := range names {
			if !isTempName(name) {
				continue
			}
			if err := l.fs.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("wal: removing temp file %s: %w", name, err)
			}
			removed = true
			l.info.RemovedTempFiles++
		}
		if removed {
			if err := l.fs.SyncDir(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

func isTempName(name string) bool {
	if !strings.HasSuffix(name, tmpSuffix) {
		return false
	}
	for _, p := range []string{preallocPrefix, snapPrefix, epochFile, intentFile} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func uniqueDirs(a, b string) []string {
	if filepath.Clean(a) == filepath.Clean(b) {
		return []string{a}
	}
	return []string{a, b}
}

func (l *Log) loadEpochs() error {
	b, err := readSmallFile(l.fs, filepath.Join(l.logDir, epochFile), epochSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("wal: reading %s: %w", epochFile, err)
	}
	l.accepted, l.current, err = decodeEpochs(b)
	return err
}

func (l *Log) loadIntent() (*intent, error) {
	b, err := readSmallFile(l.fs, filepath.Join(l.logDir, intentFile), intentSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("wal: reading %s: %w", intentFile, err)
	}
	in, err := decodeIntent(b)
	if err != nil {
		return nil, err
	}
	return &in, nil
}

func (l *Log) removeIntent() error {
	if err := l.fs.Remove(filepath.Join(l.logDir, intentFile)); err != nil {
		return err
	}
	return l.fs.SyncDir(l.logDir)
}

// loadSnapshots lists the snapshots and picks the newest one whose checksum
// holds. An unfinished Truncate or ResetTo first removes the snapshots above
// its zxid, as it would have.
func (l *Log) loadSnapshots(in *intent) error {
	names, err := l.fs.ReadDir(l.snapDir)
	if err != nil {
		return fmt.Errorf("wal: listing %s: %w", l.snapDir, err)
	}
	var snaps []snapInfo
	for _, name := range names {
		if z, ok := parseSnapshotName(name); ok {
			snaps = append(snaps, snapInfo{zxid: z})
		}
	}
	slices.SortFunc(snaps, func(a, b snapInfo) int { return cmpInt(a.zxid, b.zxid) })
	if in != nil {
		keep, err := l.removeSnapshotsAbove(snaps, in.zxid)
		if err != nil {
			return err
		}
		snaps = keep
	}
	for i := len(snaps) - 1; i >= 0; i-- {
		s := &snaps[i]
		err := l.verifySnapshot(s.zxid)
		if err == nil {
			l.info.SnapshotZxid, l.info.HasSnapshot = s.zxid, true
			break
		}
		if !errors.Is(err, ErrCorrupt) {
			return fmt.Errorf("wal: reading %s: %w", snapshotName(s.zxid), err)
		}
		s.bad = true
		l.info.SkippedSnapshots = append(l.info.SkippedSnapshots, SnapshotError{Name: snapshotName(s.zxid), Zxid: s.zxid, Err: err})
		l.logger.Warn("skipping invalid snapshot", "name", snapshotName(s.zxid), "error", err)
	}
	l.snaps = snaps
	if in != nil && in.op == intentReset && (!l.info.HasSnapshot || l.info.SnapshotZxid != in.zxid) {
		return corruptf("an interrupted reset to snapshot %#x cannot finish: that snapshot is missing or invalid", in.zxid)
	}
	return nil
}

func (l *Log) verifySnapshot(zxid int64) error {
	r, err := openSnapshot(l.fs, filepath.Join(l.snapDir, snapshotName(zxid)), zxid)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.verify()
}

// removeSnapshotsAbove deletes the snapshot files above zxid, newest first,
// and returns the rest.
func (l *Log) removeSnapshotsAbove(snaps []snapInfo, zxid int64) ([]snapInfo, error) {
	i := len(snaps)
	for i > 0 && snaps[i-1].zxid > zxid {
		i--
	}
	if i == len(snaps) {
		return snaps, nil
	}
	for j := len(snaps) - 1; j >= i; j-- {
		name := snapshotName(snaps[j].zxid)
		if err := l.fs.Remove(filepath.Join(l.snapDir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("wal: removing %s: %w", name, err)
		}
	}
	if err := l.fs.SyncDir(l.snapDir); err != nil {
		return nil, notDurable(err)
	}
	return snaps[:i], nil
}

// lastRecord returns the zxid of the newest record in the index, 0 if none.
func (l *Log) lastRecord() int64 {
	if len(l.segs) == 0 {
		return 0
	}
	return l.segs[len(l.segs)-1].last
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
