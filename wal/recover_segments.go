package wal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// errLimit stops a scan at a truncation point.
var errLimit = errors.New("wal: truncation point reached")

// scanResult is what reading one segment found.
type scanResult struct {
	seg     *segment
	size    int64 // file size
	records int64
	cut     int64 // offset to cut the file at, or -1
	torn    *TornTail
	sawZxid bool // a record has the chosen snapshot's zxid
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
