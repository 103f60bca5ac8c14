package wal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

type opKind int

const (
	opTruncate opKind = iota + 1
	opReset
	opPurge
)

// op is an operation the syncer runs in queue order, between appends.
type op struct {
	kind   opKind
	zxid   int64
	retain int
	result chan error
}

// do queues o and waits for its result.
func (l *Log) do(ctx context.Context, o *op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.result = make(chan error, 1)
	if err := l.enqueue(nil, waiter{op: o}); err != nil {
		return err
	}
	select {
	case err := <-o.result:
		return err
	case <-ctx.Done():
		return ctx.Err() // the operation still runs
	}
}

func (l *Log) runOp(o *op) error {
	if err := l.brokenErr(); err != nil {
		return err
	}
	switch o.kind {
	case opTruncate:
		return l.doTruncate(o.zxid)
	case opReset:
		return l.doReset(o.zxid)
	default:
		return l.doPurge(o.retain)
	}
}

// Truncate drops every record with a zxid above zxid (Zab's TRUNC), and
// every snapshot above it, since a snapshot above the cut would hold the
// dropped txns. It runs after the appends queued before it.
//
// It is atomic across a crash: an intent file is made durable first and
// removed last, and recovery finishes an interrupted truncation, so a
// restarted peer sees either the old log or the truncated one. It fails
// with ErrCompacted, changing nothing, if what would remain (the newest
// snapshot at or below zxid and the log after it) cannot rebuild the state
// at zxid. If ctx ends first, Truncate returns ctx.Err() and the truncation
// still happens.
func (l *Log) Truncate(ctx context.Context, zxid int64) error {
	if zxid < 0 {
		return invalidf("Truncate(%d): negative zxid", zxid)
	}
	return l.do(ctx, &op{kind: opTruncate, zxid: zxid})
}

// ResetTo drops every record and makes the log continue after zxid: the
// end of a snapshot sync (Zab's SNAP), where the leader's snapshot replaces
// the peer's history. Save the snapshot first with SaveSnapshot(ctx, zxid,
// ...); ResetTo fails with ErrNoSnapshot without it. Snapshots above zxid
// are removed too.
//
// The order keeps every crash safe: until the snapshot is durable the old
// log and snapshots stand; once it is, recovery prefers it, and an
// interrupted reset (recorded by an intent file) is finished by recovery.
// The log never claims records the peer does not have.
func (l *Log) ResetTo(ctx context.Context, zxid int64) error {
	if zxid < 0 {
		return invalidf("ResetTo(%d): negative zxid", zxid)
	}
	return l.do(ctx, &op{kind: opReset, zxid: zxid})
}

func (l *Log) doTruncate(z int64) error {
	if z >= l.wtail {
		return nil
	}
	s, _ := l.snapshotAtOrBelow(z)
	first := l.firstZxid.Load()
	if z != s && (first == 0 || (first > s && !Follows(s, first))) {
		return fmt.Errorf("%w: cannot truncate to %#x: the newest snapshot at or below it is %#x and the log starts at %#x",
			ErrCompacted, z, s, first)
	}
	if err := l.writeIntent(intent{op: intentTruncate, zxid: z}); err != nil {
		return err
	}
	if err := l.applyTruncate(z, s); err != nil {
		return l.setBroken(err)
	}
	if err := l.removeIntent(); err != nil {
		return l.setBroken(err)
	}
	return nil
}

func (l *Log) doReset(z int64) error {
	l.snapMu.Lock()
	i, ok := slices.BinarySearchFunc(l.snaps, z, func(s snapInfo, z int64) int { return cmpInt(s.zxid, z) })
	ok = ok && !l.snaps[i].bad
	l.snapMu.Unlock()
	if !ok {
		return fmt.Errorf("%w: ResetTo(%#x) needs a valid snapshot at %#x; save it first", ErrNoSnapshot, z, z)
	}
	if err := l.writeIntent(intent{op: intentReset, zxid: z}); err != nil {
		return err
	}
	if err := l.applyReset(z); err != nil {
		return l.setBroken(err)
	}
	if err := l.removeIntent(); err != nil {
		return l.setBroken(err)
	}
	return nil
}

// writeIntent makes in durable. A failure before the rename leaves nothing
// changed; a failed sync leaves the disk unknown and breaks the log.
func (l *Log) writeIntent(in intent) error {
	err := writeFileAtomic(l.fs, l.logDir, intentFile, encodeIntent(in))
	if errors.Is(err, errNotDurable) {
		return l.setBroken(err)
	}
	return err
}

func (l *Log) applyTruncate(z, s int64) error {
	l.filesMu.Lock()
	defer l.filesMu.Unlock()
	if err := l.dropSnapshotsAbove(z); err != nil {
		return err
	}
	l.closeActive()
	k := len(l.segs)
	for k > 0 && l.segs[k-1].first > z {
		k--
	}
	firsts := make([]int64, 0, len(l.segs)-k)
	for _, seg := range l.segs[k:] {
		firsts = append(firsts, seg.first)
	}
	if err := l.removeSegmentFiles(firsts); err != nil {
		return err
	}
	var cut *segment
	var cutOff, cutLast int64
	if k > 0 && l.segs[k-1].last > z {
		cut = l.segs[k-1]
		var err error
		if cutOff, cutLast, err = l.findCut(cut, z); err != nil {
			return err
		}
		if err := l.cutSegment(cut.name, cutOff); err != nil {
			return err
		}
	}

	l.idxMu.Lock()
	clear(l.segs[k:])
	l.segs = l.segs[:k]
	if cut != nil {
		n := 0
		for n < len(cut.marks) && cut.marks[n].off < cutOff {
			n++
		}
		cut.end, cut.last, cut.marks = cutOff, cutLast, slices.Clone(cut.marks[:n])
	}
	if k == 0 {
		l.firstZxid.Store(0)
	}
	if l.base > z {
		l.base = s
	}
	l.wtail = max(l.base, l.lastRecord())
	l.lastZxid.Store(l.wtail)
	l.idxMu.Unlock()
	return nil
}

// findCut returns the offset of the first record above z in seg, and the
// zxid of the record before it.
func (l *Log) findCut(seg *segment, z int64) (off, last int64, err error) {
	f, err := l.fs.OpenFile(filepath.Join(l.logDir, seg.name), os.O_RDONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	w := newWindow(f, seg.end, nil)
	last = seg.first
	for off = seekMark(seg.marks, z); ; {
		rec, err := w.readRecord(off, seg.end)
		if err != nil {
			return 0, 0, fmt.Errorf("wal: segment %s offset %d: %w", seg.name, off, err)
		}
		if rec.zxid > z {
			return off, last, nil
		}
		last = rec.zxid
		off += int64(rec.size)
	}
}

func (l *Log) applyReset(z int64) error {
	l.filesMu.Lock()
	defer l.filesMu.Unlock()
	if err := l.dropSnapshotsAbove(z); err != nil {
		return err
	}
	l.closeActive()
	firsts := make([]int64, len(l.segs))
	for i, seg := range l.segs {
		firsts[i] = seg.first
	}
	if err := l.removeSegmentFiles(firsts); err != nil {
		return err
	}
	l.idxMu.Lock()
	l.segs = nil
	l.base, l.wtail = z, z
	l.firstZxid.Store(0)
	l.lastZxid.Store(z)
	l.idxMu.Unlock()
	return nil
}

func (l *Log) dropSnapshotsAbove(z int64) error {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	keep, err := l.removeSnapshotsAbove(l.snaps, z)
	if err != nil {
		return err
	}
	l.snaps = keep
	return nil
}
