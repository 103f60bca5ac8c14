package wire

import (
	"errors"
	"slices"
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// Limits of one turn of the writer.
const (
	maxBatchItems = 256     // replies and events encoded before a write
	maxBatchBytes = 1 << 16 // bytes encoded before a write
	maxLocalOps   = 64      // local ops run in one Backend.Local call
)

// writeLoop is the writer goroutine: it runs local ops when they reach
// the head of the queue and writes replies and events in the order the
// outbox allows, batching whatever is ready into one socket write.
func (c *conn) writeLoop() {
	defer c.srv.wg.Done()
	defer close(c.done)
	for {
		run, closeAfter, ok := c.collect()
		if !ok {
			return
		}
		if run != nil {
			c.runLocal(run)
			continue
		}
		if err := c.flush(); err != nil {
			if !c.isClosed() {
				c.srv.log.Info("closing client connection: write failed", "remote", c.nc.RemoteAddr(), "session", hexID(c.Session()), "error", err)
			}
			c.Close(errors.Join(ErrSlowClient, err))
			return
		}
		if closeAfter != nil {
			c.Close(closeAfter)
			return
		}
	}
}

// collect waits until there is something to do, then either returns a
// run of local ops to execute, or encodes into c.enc the items that may
// be written, up to maxBatchItems or maxBatchBytes. It reports false when
// the connection is closed. Encoding under the lock keeps the slots'
// results stable; it is quick and does no I/O.
func (c *conn) collect() (run []*slot, closeAfter error, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.enc.Reset()
	for {
		if c.closed {
			return nil, nil, false
		}
		n := 0
		now := time.Now()
		for n < maxBatchItems && c.enc.Len() < maxBatchBytes {
			it, more := c.out.pop()
			if !more {
				break
			}
			n++
			if it.slot == nil {
				c.encodeEvent(it.event)
				continue
			}
			c.encodeReply(it.slot)
			c.st.noteReply(now, it.slot, c.lastZxid)
			c.srv.stats.noteLatency(now.Sub(it.slot.start))
			c.srv.stats.outstanding.Add(-1)
			c.cond.Broadcast() // room for the reader
			if it.slot.closeAfter != nil {
				closeAfter = it.slot.closeAfter
				break
			}
		}
		if n > 0 {
			c.st.sent.Add(int64(n))
			c.srv.stats.sent.Add(int64(n))
			return nil, closeAfter, true
		}
		if run = c.out.localRun(maxLocalOps); run != nil {
			return run, nil, true
		}
		c.cond.Wait()
	}
}

// flush writes what collect encoded, within the session timeout.
func (c *conn) flush() error {
	b := c.enc.Bytes()
	if len(b) == 0 {
		return nil
	}
	if c.timeout > 0 {
		_ = c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	}
	_, err := c.nc.Write(b)
	return err
}

// runLocal executes a run of local ops through the Backend, outside the
// lock, and marks them done with the zxid the Backend observed.
//
// The op and result buffers are reused: every slot of the previous run was
// written before this one could start (a done slot at the head is popped
// before a run is looked for), so nothing refers to them any more.
func (c *conn) runLocal(run []*slot) {
	ops := c.runOps[:0]
	for _, s := range run {
		ops = append(ops, s.ops...)
	}
	res := slices.Grow(c.runRes[:0], len(ops))[:len(ops)]
	clear(res)
	c.runOps, c.runRes = ops, res
	zxid := c.srv.backend.Local(c.ctx, run[0].caller, ops, res)

	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	for _, s := range run {
		s.res = res[i : i+len(s.ops) : i+len(s.ops)]
		i += len(s.ops)
		s.zxid = zxid
		s.state = slotDone
	}
}

// encodeEvent appends a watch notification: xid -1 and, as ZooKeeper 3.8
// sends it, zxid -1.
func (c *conn) encodeEvent(ev znode.Event) {
	at := c.enc.Len()
	c.enc.Int(0)
	h := jute.ReplyHeader{Xid: jute.XidNotification, Zxid: -1}
	h.Encode(&c.enc)
	w := jute.WatcherEvent{Type: ev.Type, State: jute.StateSyncConnected, Path: ev.Path}
	w.Encode(&c.enc)
	patchLength(c.enc.Bytes(), at)
}

// encodeReply appends the reply to s: its header and, if it succeeded,
// the body its op calls for.
func (c *conn) encodeReply(s *slot) {
	e := &c.enc
	at := e.Len()
	e.Int(0)
	zxid := s.zxid
	if s.useLast {
		zxid = c.lastZxid
	} else if zxid > c.lastZxid {
		c.lastZxid = zxid
	}
	code := replyCode(s)
	h := jute.ReplyHeader{Xid: s.xid, Zxid: zxid, Err: code}
	h.Encode(e)
	switch {
	case s.immediate:
		if s.body != nil {
			s.body.Encode(e)
		}
	case s.op == znode.OpMulti:
		encodeMulti(e, s)
	case s.op == znode.OpMultiRead:
		encodeMultiRead(e, s)
	case code == znode.OK:
		encodeBody(e, s)
	}
	patchLength(e.Bytes(), at)
}

// replyCode is the header's error code for a finished slot.
func replyCode(s *slot) znode.Code {
	switch {
	case s.immediate:
		return s.err
	case s.op == znode.OpMulti:
		// A multi whose ops were tried answers OK in the header and
		// puts the failure in its results; only a multi refused as a
		// whole carries the code in the header.
		if len(s.wres.Ops) == 0 {
			return s.wres.Code
		}
		return znode.OK
	case s.op == znode.OpMultiRead:
		return znode.OK
	case s.state == slotDone && s.ops != nil && s.op != znode.OpSync:
		return znode.CodeOf(s.res[0].Err)
	}
	return s.wres.Code
}

// encodeBody appends the body of a successful single-op reply.
func encodeBody(e *jute.Encoder, s *slot) {
	switch s.op {
	case znode.OpCreate:
		e.String(s.wres.Path)
	case znode.OpCreate2, znode.OpCreateContainer, znode.OpCreateTTL:
		e.String(s.wres.Path)
		e.Stat(&s.wres.Stat)
	case znode.OpSetData, znode.OpSetACL:
		e.Stat(&s.wres.Stat)
	case znode.OpSync:
		e.String(s.ops[0].Path)
	case znode.OpExists:
		e.Stat(&s.res[0].Stat)
	case znode.OpGetData:
		e.Buffer(s.res[0].Data)
		e.Stat(&s.res[0].Stat)
	case znode.OpGetACL:
		e.ACLs(s.res[0].ACL)
		e.Stat(&s.res[0].Stat)
	case znode.OpGetChildren, znode.OpGetEphemerals:
		e.Strings(nonNilStrings(s.res[0].Children))
	case znode.OpGetChildren2:
		e.Strings(nonNilStrings(s.res[0].Children))
		e.Stat(&s.res[0].Stat)
	case znode.OpGetAllChildrenNumber:
		e.Int(s.res[0].Count)
	case znode.OpAddWatch:
		e.Int(0) // ZooKeeper answers addWatch with ErrorResponse{0}
	}
	// delete, check, ping, setWatches, checkWatches, removeWatches and
	// closeSession have no body.
}

// encodeMulti appends a multi's results, each typed as ZooKeeper 3.8
// types them from the client's op (create and create2 answer with the
// path, createContainer and createTTL as create2, with the path and
// Stat); a multi refused as a whole has no body.
func encodeMulti(e *jute.Encoder, s *slot) {
	if len(s.wres.Ops) == 0 && s.wres.Code != znode.OK {
		return
	}
	for i := range s.wres.Ops {
		op := &s.wres.Ops[i]
		sub := op.Type
		if i < len(s.subOps) {
			sub = s.subOps[i]
		}
		h := jute.MultiHeader{Type: sub}
		if op.Type == znode.OpError {
			h.Type, h.Err = znode.OpError, op.Code
			h.Encode(e)
			e.Int(int32(op.Code))
			continue
		}
		switch sub {
		case znode.OpCreate, znode.OpCreate2:
			// ZooKeeper 3.8 answers a create2 inside a multi like a
			// create: the path, no Stat.
			h.Type = znode.OpCreate
			h.Encode(e)
			e.String(op.Path)
		case znode.OpCreateContainer, znode.OpCreateTTL:
			h.Type = znode.OpCreate2
			h.Encode(e)
			e.String(op.Path)
			e.Stat(&op.Stat)
		case znode.OpSetData:
			h.Encode(e)
			e.Stat(&op.Stat)
		default: // delete, check
			h.Encode(e)
		}
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// encodeMultiRead appends a multiRead's results: each read's result, or
// an error result for a read that failed.
func encodeMultiRead(e *jute.Encoder, s *slot) {
	for i, op := range s.ops {
		r := &s.res[i]
		if r.Err != nil {
			code := znode.CodeOf(r.Err)
			h := jute.MultiHeader{Type: znode.OpError, Err: code}
			h.Encode(e)
			e.Int(int32(code))
			continue
		}
		h := jute.MultiHeader{Type: op.Op}
		h.Encode(e)
		if op.Op == znode.OpGetData {
			e.Buffer(r.Data)
			e.Stat(&r.Stat)
		} else {
			e.Strings(nonNilStrings(r.Children))
		}
	}
	end := jute.MultiHeader{Type: -1, Done: true, Err: -1}
	end.Encode(e)
}

// nonNilStrings keeps an empty list from being encoded as null, which
// ZooKeeper never sends.
func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
