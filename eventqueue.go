package ensemble

import (
	"sync"

	"github.com/ensemble-go/ensemble/znode"
)

// eventQueue hands a persistent watch's events to its channel without
// ever blocking the Node's loop and without dropping any: push appends to
// an unbounded queue, and one goroutine per queue feeds the channel. The
// goroutine stops, and the channel closes, once close is called and the
// queued events have been delivered or nobody is left to read them.
type eventQueue struct {
	out    chan znode.Event
	mu     sync.Mutex
	queue  []znode.Event
	wake   chan struct{}
	closed bool
}

func newEventQueue() *eventQueue {
	q := &eventQueue{out: make(chan znode.Event), wake: make(chan struct{}, 1)}
	go q.pump()
	return q
}

// push queues an event; it never blocks.
func (q *eventQueue) push(ev znode.Event) {
	q.mu.Lock()
	if !q.closed {
		q.queue = append(q.queue, ev)
	}
	q.mu.Unlock()
	q.signal()
}

// close stops the queue: events not yet taken are dropped and the channel
// is closed.
func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.queue = nil
	q.mu.Unlock()
	q.signal()
}

func (q *eventQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pump() {
	defer close(q.out)
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		if len(q.queue) == 0 {
			q.mu.Unlock()
			<-q.wake
			continue
		}
		ev := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()
		select {
		case q.out <- ev:
		case <-q.wake:
			// Closed (or more events) while waiting for the reader: put the
			// event back and look again.
			q.mu.Lock()
			if !q.closed {
				q.queue = append([]znode.Event{ev}, q.queue...)
			}
			q.mu.Unlock()
		}
	}
}
