package wal

import (
	"context"
	"fmt"
	"sync"
)

// maxQueued bounds the encoded bytes waiting for the syncer; beyond it
// Append waits before queueing. AppendAsync never waits, so that a done
// callback, which runs on the syncer, may append again; its callers bound
// their own outstanding appends (Zab bounds its outstanding proposals).
const maxQueued = 64 << 20

// waiter is one Append or AppendAsync call, or one operation, in the queue.
type waiter struct {
	first, last int64 // zxids of its records
	start, end  int   // its encoded records in batch.buf
	done        func(error)
	ch          chan error
	err         error // failed before reaching the disk
	op          *op
}

func (w *waiter) finish(err error) {
	switch {
	case w.op != nil:
		w.op.result <- err
	case w.ch != nil:
		w.ch <- err
	case w.done != nil:
		w.done(err)
	}
}

// batch is what the syncer takes in one go: encoded records and the calls
// they belong to, in order.
type batch struct {
	buf []byte
	ws  []waiter
}

func (b *batch) reset() {
	if cap(b.buf) > 4*readChunk {
		b.buf = nil // let a burst's buffer go
	}
	b.buf = b.buf[:0]
	clear(b.ws)
	b.ws = b.ws[:0]
}

var chanPool = sync.Pool{New: func() any { return make(chan error, 1) }}

// Append adds records to the log and returns once they are durable (written
// and fsynced), or with the error that kept them from being. Appends from
// many goroutines are committed together, one write and one fsync per
// batch.
//
// Each record's zxid must follow the one before it (see Follows), the first
// following LastZxid or the previous append; a zxid that does not fails
// with ErrOutOfOrder or ErrGap and changes nothing. After a failed write or
// fsync the log is broken: this and every later append fails with ErrBroken.
//
// If ctx ends first, Append returns ctx.Err() but the records stay queued
// and may still become durable. The records' Data may be reused as soon as
// Append returns.
func (l *Log) Append(ctx context.Context, recs ...Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if err := checkRecords(recs); err != nil {
		return err
	}
	ch := chanPool.Get().(chan error)
	if err := l.enqueue(recs, waiter{ch: ch}); err != nil {
		chanPool.Put(ch)
		return err
	}
	select {
	case err := <-ch:
		chanPool.Put(ch)
		return err
	case <-ctx.Done():
		return ctx.Err() // ch is dropped: the syncer's send cannot block
	}
}

// AppendAsync queues records like Append and returns without waiting.
// done, if not nil, is called once with nil when the records are durable or
// with the error that kept them from being; calls come in append order from
// the syncer goroutine, so done must not block for long nor call the log's
// blocking methods (Append, Truncate, ResetTo, Purge); it may call
// AppendAsync. On a closed log done is called at once, from
// the caller's goroutine, with ErrClosed. The records' Data may be reused as
// soon as AppendAsync returns. AppendAsync never blocks, so done may call
// it; the caller bounds how much it leaves outstanding.
func (l *Log) AppendAsync(recs []Record, done func(error)) {
	w := waiter{done: done}
	if err := checkRecords(recs); err != nil {
		w.err, recs = err, nil
	}
	if err := l.enqueue(recs, w); err != nil && done != nil {
		done(err)
	}
}

func checkRecords(recs []Record) error {
	for i, r := range recs {
		if len(r.Data) > MaxRecordSize {
			return fmt.Errorf("%w: %d bytes at zxid %#x, the limit is %d", ErrTooLarge, len(r.Data), r.Zxid, MaxRecordSize)
		}
		prev := int64(0)
		if i > 0 {
			prev = recs[i-1].Zxid
		}
		if r.Zxid <= prev || (i > 0 && !Follows(prev, r.Zxid)) {
			return orderErr(prev, r.Zxid)
		}
	}
	return nil
}

// enqueue encodes recs into the queue with w. It fails only if the log is
// closed, or for Append if it is broken; otherwise the syncer finishes w.
func (l *Log) enqueue(recs []Record, w waiter) error {
	l.mu.Lock()
	for w.ch != nil && !l.closing && l.broken == nil && len(l.next.buf) >= maxQueued {
		l.room.Wait()
	}
	if l.closing {
		l.mu.Unlock()
		return ErrClosed
	}
	if l.broken != nil && w.ch != nil {
		err := l.broken
		l.mu.Unlock()
		return err
	}
	b := l.next
	if len(recs) > 0 {
		w.start = len(b.buf)
		for _, r := range recs {
			b.buf = appendRecord(b.buf, r.Zxid, r.Data)
		}
		w.end = len(b.buf)
		w.first, w.last = recs[0].Zxid, recs[len(recs)-1].Zxid
	}
	b.ws = append(b.ws, w)
	if len(b.ws) == 1 {
		l.work.Signal()
	}
	l.mu.Unlock()
	return nil
}
