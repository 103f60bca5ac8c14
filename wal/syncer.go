package wal

import (
	"path/filepath"
)

// syncLoop is the syncer: it takes everything queued while the previous
// batch was being written and synced, writes it with one write per segment
// touched, and fsyncs once. This is group commit: the more appenders wait,
// the more records each fsync makes durable.
func (l *Log) syncLoop() {
	defer close(l.syncerDone)
	for {
		l.mu.Lock()
		for len(l.next.ws) == 0 && !l.closing {
			l.work.Wait()
		}
		if len(l.next.ws) == 0 {
			l.mu.Unlock()
			return // closing, and nothing left to write
		}
		b := l.next
		l.next, l.spare = l.spare, nil
		l.room.Broadcast()
		l.mu.Unlock()

		l.process(b)

		b.reset()
		l.mu.Lock()
		l.spare = b
		l.mu.Unlock()
	}
}

// process handles a batch in queue order: runs of appends are written
// together, operations run alone between them.
func (l *Log) process(b *batch) {
	for i := 0; i < len(b.ws); {
		if o := b.ws[i].op; o != nil {
			b.ws[i].finish(l.runOp(o))
			i++
			continue
		}
		j := i + 1
		for j < len(b.ws) && b.ws[j].op == nil {
			j++
		}
		l.writeRun(b.buf, b.ws[i:j])
		i = j
	}
}

// writeRun makes a run of appends durable and then tells each caller, in
// order. Success is reported only for records whose fsync succeeded.
func (l *Log) writeRun(buf []byte, ws []waiter) {
	err := l.brokenErr()
	if err == nil {
		if err = l.writeWaiters(buf, ws); err != nil {
			err = l.setBroken(err)
		}
	}
	for i := range ws {
		e := ws[i].err
		if e == nil {
			e = err
		}
		ws[i].finish(e)
	}
}

// writeWaiters checks each call's first zxid against the log's tail (the
// authoritative check: the queue's order is the log's order), then writes
// the records in units: as many as fit in the active segment, rolling to a
// new segment between units. Each unit is one or more contiguous writes and
// one fdatasync; its first record carries the batch-start flag.
func (l *Log) writeWaiters(buf []byte, ws []waiter) error {
	l.valid = l.valid[:0]
	tail := l.wtail
	for i := range ws {
		w := &ws[i]
		if w.err != nil || w.end == w.start {
			continue
		}
		if !Follows(tail, w.first) {
			w.err = orderErr(tail, w.first)
			continue
		}
		tail = w.last
		l.valid = append(l.valid, i)
	}
	vs := l.valid
	for k := 0; k < len(vs); {
		w := &ws[vs[k]]
		if l.wfile == nil || (l.woff > segHeaderSize && l.woff+int64(w.end-w.start) > l.segSize) {
			if err := l.roll(w.first); err != nil {
				return err
			}
		}
		j, off := k, l.woff
		for j < len(vs) {
			n := int64(ws[vs[j]].end - ws[vs[j]].start)
			if j > k && off+n > l.segSize {
				break
			}
			off += n
			j++
		}
		last := &ws[vs[j-1]]
		first := ws[vs[k]].start
		n, _ := recordLen(buf[first:])
		markBatchStart(buf[first : first+n])

		l.newMarks = l.newMarks[:0]
		lastMark := int64(-markEvery)
		if ms := l.wseg.marks; len(ms) > 0 {
			lastMark = ms[len(ms)-1].off
		}
		off = l.woff
		for r := k; r < j; {
			start, end := ws[vs[r]].start, ws[vs[r]].end
			s := r
			for r++; r < j && ws[vs[r]].start == end; r++ {
				end = ws[vs[r]].end
			}
			if _, err := l.wfile.WriteAt(buf[start:end], off); err != nil {
				return err
			}
			for q := s; q < r; q++ {
				at := off + int64(ws[vs[q]].start-start)
				if at-lastMark >= markEvery {
					l.newMarks = append(l.newMarks, mark{zxid: ws[vs[q]].first, off: at})
					lastMark = at
				}
			}
			off += int64(end - start)
		}
		if err := l.wfile.Datasync(); err != nil {
			return notDurable(err)
		}
		l.woff = off
		l.wtail = last.last
		l.publish(l.wseg, off, last.last, l.newMarks)
		l.askPrealloc()
		k = j
	}
	return nil
}

// publish makes durable records visible to readers.
func (l *Log) publish(seg *segment, end, last int64, marks []mark) {
	l.idxMu.Lock()
	seg.end, seg.last = end, last
	seg.marks = append(seg.marks, marks...)
	if l.firstZxid.Load() == 0 {
		l.firstZxid.Store(l.segs[0].first)
	}
	l.lastZxid.Store(last)
	l.idxMu.Unlock()
}

// roll finishes the active segment and starts a new one whose first record
// will be first. Order: cut the old segment to its records and fsync it;
// write the new one's header into a preallocated file and fdatasync it;
// rename it into place; fsync the directory. A crash at any point leaves
// either no new segment or an empty one, which recovery removes.
func (l *Log) roll(first int64) error {
	if l.wfile != nil {
		if err := l.finishSegment(); err != nil {
			return err
		}
	}
	p := l.takePrealloc()
	if p.err != nil {
		return p.err
	}
	if _, err := p.f.WriteAt(encodeSegmentHeader(first), 0); err != nil {
		p.discard(l.fs)
		return err
	}
	if err := p.f.Datasync(); err != nil {
		p.discard(l.fs)
		return notDurable(err)
	}
	name := segmentName(first)
	if err := l.fs.Rename(p.path, filepath.Join(l.logDir, name)); err != nil {
		_ = p.f.Close()
		return notDurable(err)
	}
	if err := l.fs.SyncDir(l.logDir); err != nil {
		_ = p.f.Close()
		return notDurable(err)
	}
	seg := &segment{name: name, first: first, end: segHeaderSize}
	l.idxMu.Lock()
	l.segs = append(l.segs, seg)
	l.idxMu.Unlock()
	l.wseg, l.wfile, l.woff = seg, p.f, segHeaderSize
	return nil
}

// finishSegment cuts the active segment's unused preallocated space, so
// that only the last segment ever has a zeroed tail, and closes it.
func (l *Log) finishSegment() error {
	f := l.wfile
	l.wseg, l.wfile = nil, nil
	if err := f.Truncate(l.woff); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return notDurable(err)
	}
	return f.Close()
}

// askPrealloc asks for the next segment once the active one is half full
// (or missing), so that it is ready by the time it is needed.
func (l *Log) askPrealloc() {
	if !l.prepAsked && (l.wfile == nil || l.woff > l.segSize/2) {
		l.prep.request()
		l.prepAsked = true
	}
}

func (l *Log) takePrealloc() prepared {
	l.askPrealloc()
	l.prepAsked = false
	return l.prep.take()
}

// closeActive closes the active segment without changing it; the next
// append rolls a new one.
func (l *Log) closeActive() {
	if l.wfile != nil {
		_ = l.wfile.Close()
	}
	l.wseg, l.wfile = nil, nil
}
