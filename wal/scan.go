package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

var readBufPool = sync.Pool{New: func() any { b := make([]byte, 0, readChunk); return &b }}

// Scan calls fn, in zxid order, for every durable record with a zxid above
// after, and stops at the first error fn returns, returning it. It reads the
// records that were durable when it started; appends may go on meanwhile.
// data is valid only during the call to fn. A record that fails its
// checksum ends the scan with ErrCorrupt.
//
// Scan starts at the oldest record on disk above after; to know whether
// the log still reaches back to after, compare FirstZxid first. While fn
// runs, Truncate, ResetTo and Purge wait, so fn must not call them, nor wait
// for an Append queued behind one of them.
func (l *Log) Scan(after int64, fn func(zxid int64, data []byte) error) error {
	if l.closed.Load() {
		return ErrClosed
	}
	l.filesMu.RLock()
	defer l.filesMu.RUnlock()
	segs := l.durableSegments()
	i := sort.Search(len(segs), func(i int) bool { return segs[i].last > after })
	bp := readBufPool.Get().(*[]byte)
	defer readBufPool.Put(bp)
	for _, seg := range segs[i:] {
		if err := l.scanDurable(seg, after, *bp, fn); err != nil {
			return err
		}
	}
	return nil
}

// durableSegments copies the index entries of segments holding records.
func (l *Log) durableSegments() []segment {
	l.idxMu.RLock()
	defer l.idxMu.RUnlock()
	segs := make([]segment, 0, len(l.segs))
	for _, s := range l.segs {
		if s.last != 0 {
			segs = append(segs, *s)
		}
	}
	return segs
}

func (l *Log) scanDurable(seg segment, after int64, buf []byte, fn func(int64, []byte) error) error {
	f, err := l.fs.OpenFile(filepath.Join(l.logDir, seg.name), os.O_RDONLY, 0)
	if err != nil {
		return fmt.Errorf("wal: opening %s: %w", seg.name, err)
	}
	defer f.Close()
	w := newWindow(f, seg.end, buf)
	for off := seekMark(seg.marks, after); ; {
		rec, err := w.readRecord(off, seg.end)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if errors.Is(err, errZeroHeader) {
				err = corruptf("zeros where a record should be")
			}
			return fmt.Errorf("wal: segment %s offset %d: %w", seg.name, off, err)
		}
		off += int64(rec.size)
		if rec.zxid <= after {
			continue
		}
		if err := fn(rec.zxid, rec.data); err != nil {
			return err
		}
	}
}
