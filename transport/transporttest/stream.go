package transporttest

import (
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport"
)

// Wait bounds how long a test waits for an event that must come. It is a
// safety net against hangs, not a timing assertion: a correct transport
// delivers in milliseconds.
const Wait = 30 * time.Second

// Stream reads a transport's events and fails the test as soon as they
// break the grammar of package transport: a Message outside a connection, or
// Connected twice without Disconnected. Use it from the test's goroutine.
type Stream struct {
	t   testing.TB
	ch  <-chan transport.Event
	up  map[uint64]bool
	Log []transport.Event // every event read, in order
}

// NewStream checks the events of tr.
func NewStream(t testing.TB, tr transport.Transport) *Stream {
	return &Stream{t: t, ch: tr.Events(), up: make(map[uint64]bool)}
}

// Next returns the next event, failing the test if none comes within Wait
// or if the channel is closed.
func (s *Stream) Next() transport.Event {
	s.t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	select {
	case ev, ok := <-s.ch:
		if !ok {
			s.t.Fatalf("events channel closed")
		}
		s.check(ev)
		return ev
	case <-timer.C:
		s.t.Fatalf("no event within %v; last events %v", Wait, s.tail())
	}
	return transport.Event{}
}

// TryNext returns the next event if one is ready now.
func (s *Stream) TryNext() (transport.Event, bool) {
	s.t.Helper()
	select {
	case ev, ok := <-s.ch:
		if !ok {
			return transport.Event{}, false
		}
		s.check(ev)
		return ev, true
	default:
		return transport.Event{}, false
	}
}

func (s *Stream) check(ev transport.Event) {
	s.t.Helper()
	s.Log = append(s.Log, ev)
	switch ev.Kind {
	case transport.Message:
		if !s.up[ev.Peer] {
			s.t.Fatalf("message from %d outside a connection; events %v", ev.Peer, s.tail())
		}
		if len(ev.Payload) == 0 {
			s.t.Fatalf("empty message from %d", ev.Peer)
		}
	case transport.Connected:
		if s.up[ev.Peer] {
			s.t.Fatalf("connected to %d twice without disconnected; events %v", ev.Peer, s.tail())
		}
		s.up[ev.Peer] = true
	case transport.Disconnected:
		if ev.Err == nil {
			s.t.Fatalf("disconnected from %d without an error", ev.Peer)
		}
		s.up[ev.Peer] = false
	default:
		s.t.Fatalf("unknown event kind %v", ev.Kind)
	}
}

// Up reports whether the last event for peer left a connection open.
func (s *Stream) Up(peer uint64) bool { return s.up[peer] }

// Expect returns the next event, which must be of kind k for peer.
func (s *Stream) Expect(k transport.Kind, peer uint64) transport.Event {
	s.t.Helper()
	ev := s.Next()
	if ev.Kind != k || ev.Peer != peer {
		s.t.Fatalf("got %v, want %v for %d; last events %v", ev, k, peer, s.tail())
	}
	return ev
}

// Until reads events until one satisfies f, and returns it.
func (s *Stream) Until(f func(transport.Event) bool) transport.Event {
	s.t.Helper()
	for {
		if ev := s.Next(); f(ev) {
			return ev
		}
	}
}

// Closed reads until the events channel is closed, failing the test if that
// takes longer than Wait.
func (s *Stream) Closed() {
	s.t.Helper()
	timer := time.NewTimer(Wait)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-s.ch:
			if !ok {
				return
			}
			s.check(ev)
		case <-timer.C:
			s.t.Fatalf("events channel not closed within %v", Wait)
		}
	}
}

// tail is the last few events, for failure messages.
func (s *Stream) tail() []transport.Event {
	return s.Log[max(0, len(s.Log)-20):]
}
