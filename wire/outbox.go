package wire

import (
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// slotState is where a request is on its way to a reply.
type slotState uint8

const (
	slotPending slotState = iota // a write or sync waiting for the Backend's done
	slotLocal                    // a local op waiting for the writer to run it
	slotRunning                  // a local op the writer is running
	slotDone                     // ready to be written
)

// slot is one request of a connection, from the moment it is read to the
// moment its reply is written. Slots are answered strictly in the order
// they were read.
type slot struct {
	xid       int32
	op        znode.OpCode
	state     slotState
	immediate bool // answered by the Server itself: queued events may go first
	zxid      int64
	useLast   bool // the reply carries the connection's last zxid
	err       znode.Code
	body      jute.Record
	// closeAfter, when set, closes the connection with this reason once
	// the reply is written.
	closeAfter error
	start      time.Time

	// Local ops, run by the writer with the Caller of the slot.
	caller  Caller
	authVer uint64
	ops     []LocalOp
	res     []LocalResult
	one     [1]LocalOp // backs ops for the common single op, saving an allocation

	// Writes: the client's op code of each multi op (create and create2
	// answer differently), and the Backend's result.
	subOps []znode.OpCode
	wres   znode.Result
}

// outItem is one thing to write: a watch event or a reply.
type outItem struct {
	slot  *slot
	event znode.Event
}

// outbox holds a connection's requests in flight and its undelivered
// events, and decides what may be written next. It is the ordering rule
// of the Server in one place; it does no locking (the conn's mutex guards
// it) and no I/O.
type outbox struct {
	slots  []*slot
	events []znode.Event
}

// push appends a request.
func (o *outbox) push(s *slot) { o.slots = append(o.slots, s) }

// deliver appends a watch event.
func (o *outbox) deliver(ev znode.Event) { o.events = append(o.events, ev) }

// outstanding is the number of requests not yet written.
func (o *outbox) outstanding() int { return len(o.slots) }

// queuedEvents is the number of events not yet written.
func (o *outbox) queuedEvents() int { return len(o.events) }

// pop returns the next item that may be written, if any.
//
// Replies go in request order. An event goes before the head reply unless
// that reply is done and was computed before the event's txn (its zxid is
// lower): such a reply shows the state before the change, and for a read
// that set the watch the client must see the reply first. When the head
// is not done yet, its zxid will be at or after every queued event's, by
// the Backend's rules, so queued events may go.
func (o *outbox) pop() (outItem, bool) {
	var head *slot
	if len(o.slots) > 0 {
		head = o.slots[0]
	}
	if len(o.events) > 0 {
		ev := o.events[0]
		if head == nil || head.state != slotDone || head.immediate || ev.Zxid <= head.zxid {
			o.events[0] = znode.Event{}
			o.events = o.events[1:]
			if len(o.events) == 0 {
				o.events = o.events[:0:0] // let the backing array go
			}
			return outItem{event: ev}, true
		}
	}
	if head != nil && head.state == slotDone {
		o.slots[0] = nil
		o.slots = o.slots[1:]
		return outItem{slot: head}, true
	}
	return outItem{}, false
}

// localRun returns the local ops at the head of the queue that may run
// together, marking them running: consecutive slots that are local or
// already done, with the same identities, up to max ops. It returns nil
// unless the head is a local op, so a local op runs only after every
// earlier request has completed.
func (o *outbox) localRun(max int) []*slot {
	if len(o.slots) == 0 || o.slots[0].state != slotLocal {
		return nil
	}
	var run []*slot
	ops := 0
	ver := o.slots[0].authVer
	for _, s := range o.slots {
		if s.state == slotDone {
			continue
		}
		if s.state != slotLocal || s.authVer != ver || (ops > 0 && ops+len(s.ops) > max) {
			break
		}
		s.state = slotRunning
		run = append(run, s)
		ops += len(s.ops)
	}
	return run
}
