package wal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
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

// maxEpochJump bounds how far a record's epoch may be above the last good
// one for recovery to take it as evidence when looking past a damaged
// record; it only filters noise, it is not a protocol limit.
const maxEpochJump = 1 << 16

// errLimit stops a scan at a truncation point.
var errLimit = errors.New("wal: truncation point reached")

// scanResult is what reading one segment found.
type scanResult struct {
	seg      *segment
	size     int64 // file size
	records  int64
	cut      int64 // offset to cut the file at, or -1
	torn     *TornTail
	sawZxid  bool // the record with zxid == want was seen
	firstRec int64
}

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

// loadSegments reads every segment in order, checks each record and the
// zxid sequence, cuts a torn tail, and builds the index.
func (l *Log) loadSegments(ctx context.Context, in *intent) error {
	names, err := l.fs.ReadDir(l.logDir)
	if err != nil {
		return fmt.Errorf("wal: listing %s: %w", l.logDir, err)
	}
	var firsts []int64
	for _, name := range names {
		if z, ok := parseSegmentName(name); ok {
			firsts = append(firsts, z)
		}
	}
	slices.Sort(firsts)
	limit := int64(math.MaxInt64)
	if in != nil {
		keep := firsts
		if in.op == intentReset {
			keep = nil
		} else {
			limit = in.zxid
			for len(keep) > 0 && keep[len(keep)-1] > in.zxid {
				keep = keep[:len(keep)-1]
			}
		}
		if err := l.removeSegmentFiles(firsts[len(keep):]); err != nil {
			return err
		}
		firsts = keep
	}

	var buf []byte
	prev := int64(-1) // unknown before the first record
	for i, first := range firsts {
		if err := ctx.Err(); err != nil {
			return err
		}
		isLast := i == len(firsts)-1
		res, err := l.scanSegment(first, prev, isLast, limit, buf)
		if err != nil {
			return err
		}
		if res.sawZxid {
			l.snapInLog = true
		}
		if res.cut >= 0 {
			if err := l.cutSegment(res.seg.name, res.cut); err != nil {
				return err
			}
			res.size = res.cut
		}
		if res.torn != nil {
			l.info.TornTail = res.torn
			l.logger.Warn("cut a torn tail off the log", "segment", res.torn.Segment, "offset", res.torn.Offset, "bytes", res.torn.Length)
		}
		if res.seg.last == 0 {
			if !isLast {
				return corruptf("segment %s holds no records but is not the last segment", res.seg.name)
			}
			// A crash right after a roll leaves the new segment empty.
			if err := l.removeSegmentFiles([]int64{first}); err != nil {
				return err
			}
			l.info.RemovedEmptySegment = res.seg.name
			continue
		}
		if len(l.segs) == 0 {
			l.firstZxid.Store(res.seg.first)
		}
		l.segs = append(l.segs, res.seg)
		l.info.Records += res.records
		prev = res.seg.last
		if isLast && res.cut < 0 && res.size > res.seg.end && res.seg.end < l.segSize {
			l.activeSize = res.size
		}
	}
	return nil
}

// scanSegment reads the segment whose first zxid is first. prev is the zxid
// of the record before it (-1 if none); records above limit are not read.
func (l *Log) scanSegment(first, prev int64, isLast bool, limit int64, buf []byte) (scanResult, error) {
	name := segmentName(first)
	res := scanResult{cut: -1}
	f, err := l.fs.OpenFile(filepath.Join(l.logDir, name), os.O_RDONLY, 0)
	if err != nil {
		return res, fmt.Errorf("wal: opening %s: %w", name, err)
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return res, err
	}
	res.size = size
	w := newWindow(f, size, buf)
	if size < segHeaderSize {
		return res, corruptf("segment %s is %d bytes, shorter than its header", name, size)
	}
	h, err := w.at(0, segHeaderSize)
	if err != nil {
		return res, fmt.Errorf("wal: reading %s: %w", name, err)
	}
	if err := checkSegmentHeader(h, first); err != nil {
		return res, fmt.Errorf("segment %s: %w", name, err)
	}
	seg := &segment{name: name, first: first, end: segHeaderSize}
	res.seg = seg
	off := int64(segHeaderSize)
	lastGood := prev
	var stop error
	for {
		rec, err := w.readRecord(off, size)
		if err != nil {
			stop = err
			break
		}
		if rec.zxid > limit {
			stop = errLimit
			break
		}
		if seg.last == 0 && rec.zxid != first {
			return res, corruptf("segment %s: first record has zxid %#x, the name says %#x", name, rec.zxid, first)
		}
		if lastGood >= 0 && !Follows(lastGood, rec.zxid) {
			return res, fmt.Errorf("%w: segment %s offset %d: zxid %#x cannot follow %#x", ErrGap, name, off, rec.zxid, lastGood)
		}
		if rec.zxid == l.info.SnapshotZxid {
			res.sawZxid = true
		}
		seg.marks = addMark(seg.marks, rec.zxid, off)
		seg.last, lastGood = rec.zxid, rec.zxid
		off += int64(rec.size)
		seg.end = off
		res.records++
		if rec.zxid == limit {
			stop = errLimit
			break
		}
	}

	switch {
	case stop == io.EOF:
		return res, nil
	case stop == errLimit:
		if seg.end < size {
			res.cut = seg.end
		}
		return res, nil
	case errors.Is(stop, errZeroHeader):
		p, err := w.firstNonZero(off, size)
		if err != nil {
			return res, fmt.Errorf("wal: reading %s: %w", name, err)
		}
		if p < 0 {
			return res, nil // the zeroed, preallocated rest
		}
		stop = corruptf("non-zero bytes at offset %d after the last record", p)
	case !errors.Is(stop, ErrCorrupt):
		return res, fmt.Errorf("wal: reading %s: %w", name, stop)
	}

	// A damaged record at off. It is a torn write only if it can be part of
	// the last write batch: in the last segment, with no batch starting
	// after it.
	if !isLast {
		return res, fmt.Errorf("segment %s offset %d (not the last segment): %w", name, off, stop)
	}
	evidence, end, err := laterBatches(w, off, size, max(lastGood, 0))
	if err != nil {
		return res, fmt.Errorf("wal: reading %s: %w", name, err)
	}
	if evidence >= 0 {
		return res, fmt.Errorf("segment %s offset %d: %w; valid records of a later write batch follow at offset %d, so this is damage to acknowledged data, not a torn write",
			name, off, stop, evidence)
	}
	res.cut = off
	res.torn = &TornTail{Segment: name, Offset: off, Length: max(end-off, 0)}
	return res, nil
}

// laterBatches looks past a damaged record at from for proof that a later
// write batch followed it: a valid record carrying the batch-start flag.
// Batches are written one after another, each synced before the next, so a
// crash can damage only the last one; such proof means the damage is to
// synced data. It returns the offset of the proving record (or -1) and the
// end of the last non-zero byte after from.
func laterBatches(w *window, from, size, lastGood int64) (evidence, end int64, err error) {
	end = from
	o := from
	for o < size {
		p, err := w.firstNonZero(o, size)
		if err != nil {
			return -1, 0, err
		}
		if p < 0 {
			break
		}
		end = max(end, p+1)
		found := false
		for c := max(o, p-recordHeaderSize+1, from+1); c <= p; c++ {
			rec, ok := plausibleRecord(w, c, size, lastGood)
			if !ok {
				continue
			}
			if rec.batchStart {
				return c, 0, nil
			}
			o = c + int64(rec.size)
			end = max(end, o)
			found = true
			break
		}
		if !found {
			o = p + 1
		}
	}
	return -1, end, nil
}

// plausibleRecord decodes a record at o if it looks like one that could
// come after lastGood.
func plausibleRecord(w *window, o, size, lastGood int64) (record, bool) {
	if size-o < recordHeaderSize {
		return record{}, false
	}
	h, err := w.at(o, recordHeaderSize)
	if err != nil {
		return record{}, false
	}
	n, err := recordLen(h)
	if err != nil || int64(n) > size-o {
		return record{}, false
	}
	z := int64(binary.LittleEndian.Uint64(h[8:]))
	if z <= lastGood || epochOf(z) > epochOf(lastGood)+maxEpochJump {
		return record{}, false
	}
	b, err := w.at(o, n)
	if err != nil {
		return record{}, false
	}
	rec, err := decodeRecord(b)
	return rec, err == nil
}

// cutSegment truncates a segment file at off, durably. A file size change
// is atomic, so a crash leaves the file either whole or cut.
func (l *Log) cutSegment(name string, off int64) error {
	f, err := l.fs.OpenFile(filepath.Join(l.logDir, name), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Truncate(off); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return notDurable(err)
	}
	return f.Close()
}

// removeSegmentFiles deletes segments, newest first, then syncs the
// directory.
func (l *Log) removeSegmentFiles(firsts []int64) error {
	if len(firsts) == 0 {
		return nil
	}
	for i := len(firsts) - 1; i >= 0; i-- {
		name := segmentName(firsts[i])
		if err := l.fs.Remove(filepath.Join(l.logDir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("wal: removing %s: %w", name, err)
		}
	}
	if err := l.fs.SyncDir(l.logDir); err != nil {
		return notDurable(err)
	}
	return nil
}

// checkCoverage checks that the log continues the chosen snapshot: replay
// starts at the snapshot and needs every record after it.
func (l *Log) checkCoverage() error {
	s := l.info.SnapshotZxid
	l.base = s
	if len(l.segs) == 0 {
		return nil
	}
	first, last := l.segs[0].first, l.lastRecord()
	var why string
	switch {
	case last < s:
		why = fmt.Sprintf("the log ends at %#x, below the snapshot at %#x", last, s)
	case first > s:
		if !Follows(s, first) {
			msg := fmt.Sprintf("the log starts at %#x but the newest valid snapshot is at %#x; the records between are missing", first, s)
			if len(l.info.SkippedSnapshots) > 0 {
				msg += fmt.Sprintf(" (%d newer snapshots were invalid)", len(l.info.SkippedSnapshots))
			}
			if !l.info.HasSnapshot {
				msg = fmt.Sprintf("the log starts at %#x and there is no valid snapshot to start from", first)
			}
			return fmt.Errorf("%w: %s", ErrGap, msg)
		}
		return nil
	case !l.snapInLog:
		why = fmt.Sprintf("the log has no record %#x, the snapshot's zxid: it is an older history the snapshot replaced", s)
	default:
		return nil
	}
	// The snapshot supersedes the log: finish what ResetTo would have done.
	in := intent{op: intentReset, zxid: s}
	if err := writeFileAtomic(l.fs, l.logDir, intentFile, encodeIntent(in)); err != nil {
		return err
	}
	firsts := make([]int64, len(l.segs))
	for i, seg := range l.segs {
		firsts[i] = seg.first
	}
	if err := l.removeSegmentFiles(firsts); err != nil {
		return err
	}
	if err := l.removeIntent(); err != nil {
		return err
	}
	l.segs, l.activeSize, l.info.Records = nil, 0, 0
	l.firstZxid.Store(0)
	l.info.DiscardedLog = why
	l.logger.Warn("discarded the log", "reason", why)
	return nil
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
