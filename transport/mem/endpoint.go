package mem

import (
	"fmt"
	"time"

	"github.com/ensemble-go/ensemble/transport"
)

// Endpoint is one server's transport on a Network. It implements
// transport.Transport and transport.Disconnecter.
type Endpoint struct {
	n      *Network
	id     uint64
	events chan transport.Event
	wake   chan struct{} // capacity 1
	done   chan struct{} // closed by Close
	exited chan struct{} // closed when the pump has stopped

	// Guarded by n.mu.
	inbox  map[uint64]*inbox // events waiting for delivery, by peer
	closed bool
}

var (
	_ transport.Transport    = (*Endpoint)(nil)
	_ transport.Disconnecter = (*Endpoint)(nil)
)

// item is an event waiting for delivery; at is when a message may arrive.
type item struct {
	ev transport.Event
	at time.Time
}

// inbox is the FIFO of events concerning one peer. All of them (Connected,
// the peer's messages, Disconnected) pass through it, which keeps them in
// order.
type inbox struct {
	items  []item
	msgs   int       // messages among items
	lastAt time.Time // latest arrival time queued, so delays never reorder
}

// ID is the endpoint's server id.
func (e *Endpoint) ID() uint64 { return e.id }

// Events implements transport.Transport.
func (e *Endpoint) Events() <-chan transport.Event { return e.events }

// Send implements transport.Transport. The payload is copied, so the
// receiver owns its bytes as it would with tcp.
func (e *Endpoint) Send(to uint64, payload []byte) error {
	n := e.n
	if len(payload) == 0 {
		return transport.ErrEmptyPayload
	}
	if len(payload) > n.opts.MaxPayload {
		return fmt.Errorf("%w: %d bytes, maximum %d", transport.ErrTooLarge, len(payload), n.opts.MaxPayload)
	}
	if to == e.id || !n.isPeer(to) {
		return fmt.Errorf("%w: %d", transport.ErrUnknownPeer, to)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if e.closed {
		return transport.ErrClosed
	}
	l := n.links[unordered(e.id, to)]
	if l == nil {
		if err := n.unreachableLocked(e.id, to); err != nil {
			e.push(to, item{ev: transport.Event{Kind: transport.Disconnected, Peer: to,
				Err: fmt.Errorf("%w: peer %d: %w", transport.ErrUnreachable, to, err)}})
			return nil
		}
		l = n.connectLocked(e.id, to)
	}
	peer := n.eps[to]
	q := peer.queue(e.id)
	if q.msgs >= n.opts.QueueSize {
		err := fmt.Errorf("%w: peer %d, %d messages", transport.ErrQueueFull, to, q.msgs)
		n.breakLocked(l, map[uint64]error{
			e.id: err,
			to:   fmt.Errorf("%w: peer %d overflowed its queue", transport.ErrConnectionLost, e.id),
		})
		return err
	}
	at := time.Now().Add(n.delay[pair{e.id, to}])
	if at.Before(q.lastAt) {
		at = q.lastAt
	}
	q.lastAt = at
	msg := make([]byte, len(payload))
	copy(msg, payload)
	q.items = append(q.items, item{ev: transport.Event{Kind: transport.Message, Peer: e.id, Payload: msg}, at: at})
	q.msgs++
	peer.signal()
	return nil
}

// Disconnect implements transport.Disconnecter.
func (e *Endpoint) Disconnect(peer uint64) error {
	n := e.n
	if peer == e.id || !n.isPeer(peer) {
		return fmt.Errorf("%w: %d", transport.ErrUnknownPeer, peer)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if e.closed {
		return transport.ErrClosed
	}
	if l := n.links[unordered(e.id, peer)]; l != nil {
		n.breakBothLocked(l, fmt.Errorf("disconnected on request by %d", e.id))
	}
	return nil
}

// Close implements transport.Transport: the endpoint's connections break
// (peers get Disconnected wrapping ErrPeerClosed), its goroutine stops and
// its Events channel is closed.
func (e *Endpoint) Close() error {
	n := e.n
	n.mu.Lock()
	if e.closed {
		n.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, l := range n.links {
		if l.ends.from == e.id || l.ends.to == e.id {
			n.breakBothLocked(l, ErrPeerClosed)
		}
	}
	if n.eps[e.id] == e {
		delete(n.eps, e.id)
	}
	close(e.done)
	n.mu.Unlock()
	<-e.exited
	close(e.events)
	return nil
}

func (e *Endpoint) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// queue returns the inbox for events about peer; n.mu is held.
func (e *Endpoint) queue(peer uint64) *inbox {
	q := e.inbox[peer]
	if q == nil {
		q = &inbox{}
		e.inbox[peer] = q
	}
	return q
}

// push queues a control event about peer; n.mu is held.
func (e *Endpoint) push(peer uint64, it item) {
	q := e.queue(peer)
	q.items = append(q.items, it)
	e.signal()
}

// dropMessagesLocked drops the messages from peer still in flight, keeping
// the control events.
func (e *Endpoint) dropMessagesLocked(peer uint64) {
	q := e.inbox[peer]
	if q == nil || q.msgs == 0 {
		return
	}
	kept := q.items[:0]
	for _, it := range q.items {
		if it.ev.Kind != transport.Message {
			kept = append(kept, it)
		}
	}
	clear(q.items[len(kept):])
	q.items = kept
	q.msgs = 0
}

// pump is the endpoint's goroutine: it moves deliverable events to the
// Events channel, sleeping until the next delay expires or a fault changes.
func (e *Endpoint) pump() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		e.n.mu.Lock()
		ev, ok, wait := e.nextLocked(time.Now())
		e.n.mu.Unlock()
		if ok {
			select {
			case e.events <- ev:
			case <-e.done:
				return
			}
			continue
		}
		var expired <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			expired = timer.C
		}
		select {
		case <-e.wake:
		case <-expired:
		case <-e.done:
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

// nextLocked pops the next deliverable event, or says how long until one
// may be (zero: not until something changes). It also breaks this
// endpoint's links that have stalled for too long.
func (e *Endpoint) nextLocked(now time.Time) (transport.Event, bool, time.Duration) {
	n := e.n
	var wait time.Duration
	soonest := func(d time.Duration) {
		if wait == 0 || d < wait {
			wait = d
		}
	}
	if st := n.opts.StallTimeout; st > 0 {
		for _, l := range n.links {
			if (l.ends.from != e.id && l.ends.to != e.id) || l.impairedSince.IsZero() {
				continue
			}
			if due := l.impairedSince.Add(st); now.Before(due) {
				soonest(due.Sub(now))
			} else {
				n.breakBothLocked(l, fmt.Errorf("%w: impaired for %v", ErrStalled, st))
			}
		}
	}
	if n.paused[e.id] {
		return transport.Event{}, false, wait
	}
	for peer, q := range e.inbox {
		if len(q.items) == 0 {
			continue
		}
		it := q.items[0]
		if it.ev.Kind == transport.Message {
			if n.blockedLocked(peer, e.id) || n.paused[peer] {
				continue
			}
			if now.Before(it.at) {
				soonest(it.at.Sub(now))
				continue
			}
			q.msgs--
		}
		q.items[0] = item{}
		q.items = q.items[1:]
		if len(q.items) == 0 {
			q.items = q.items[:0:0]
		}
		return it.ev, true, 0
	}
	return transport.Event{}, false, wait
}
