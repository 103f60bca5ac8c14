package transporttest

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Harness starts the transports of one network of peers for the suite.
type Harness interface {
	// Start starts the transport of id, one of the harness's ids, whose
	// peers are all the other ids; after that transport was closed, Start
	// starts a new one for id (a restart, reachable at the same address).
	Start(t testing.TB, id uint64) transport.Transport
}

// Run runs the conformance suite; the transports must also implement
// transport.Disconnecter. newHarness returns a fresh network of the
// given ids for each subtest; the suite closes every transport it starts.
func Run(t *testing.T, newHarness func(t *testing.T, ids []uint64) Harness) {
	tests := []struct {
		name string
		ids  []uint64
		run  func(t *testing.T, h Harness)
	}{
		{"SendErrors", []uint64{1, 2}, testSendErrors},
		{"Close", []uint64{1, 2}, testClose},
		{"FIFO", []uint64{1, 2, 3}, testFIFO},
		{"BothSidesObserveClose", []uint64{1, 2}, testBothSidesObserveClose},
		{"UnreachableThenRestart", []uint64{1, 2}, testUnreachableThenRestart},
		{"Disconnect", []uint64{1, 2}, testDisconnect},
		{"OrderAcrossBreaks", []uint64{1, 2}, testOrderAcrossBreaks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newHarness(t, tc.ids)) })
	}
}

func start(t *testing.T, h Harness, id uint64) transport.Transport {
	t.Helper()
	tr := h.Start(t, id)
	t.Cleanup(func() { tr.Close() })
	return tr
}

func seqPayload(from uint64, seq int) []byte {
	b := make([]byte, 16, 100)
	binary.BigEndian.PutUint64(b, from)
	binary.BigEndian.PutUint64(b[8:], uint64(seq))
	return b[:16+seq%80] // vary sizes a little
}

func parseSeq(t *testing.T, b []byte) (from uint64, seq int) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 16)
	return binary.BigEndian.Uint64(b), int(binary.BigEndian.Uint64(b[8:]))
}

// connect makes a connection between a and b by sending one message from a
// and returns it delivered at b's stream.
func connect(t *testing.T, a, b transport.Transport, sa, sb *Stream, ida, idb uint64) {
	t.Helper()
	require.NoError(t, a.Send(idb, []byte("hello")))
	sb.Expect(transport.Connected, ida)
	ev := sb.Expect(transport.Message, ida)
	require.Equal(t, "hello", string(ev.Payload))
	sa.Expect(transport.Connected, idb)
}

func testSendErrors(t *testing.T, h Harness) {
	tr := start(t, h, 1)
	tests := []struct {
		name    string
		to      uint64
		payload []byte
		want    error
	}{
		{"unknown peer", 99, []byte("x"), transport.ErrUnknownPeer},
		{"self", 1, []byte("x"), transport.ErrUnknownPeer},
		{"empty payload", 2, nil, transport.ErrEmptyPayload},
		{"zero-length payload", 2, []byte{}, transport.ErrEmptyPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tr.Send(tc.to, tc.payload), tc.want)
		})
	}
	if d, ok := tr.(transport.Disconnecter); ok {
		assert.ErrorIs(t, d.Disconnect(99), transport.ErrUnknownPeer)
	}
}

func testClose(t *testing.T, h Harness) {
	a, b := start(t, h, 1), start(t, h, 2)
	sa, sb := NewStream(t, a), NewStream(t, b)
	connect(t, a, b, sa, sb, 1, 2)
	require.NoError(t, a.Close())
	sa.Closed()
	assert.NoError(t, a.Close(), "second Close")
	assert.ErrorIs(t, a.Send(2, []byte("x")), transport.ErrClosed)
	if d, ok := a.(transport.Disconnecter); ok {
		assert.ErrorIs(t, d.Disconnect(2), transport.ErrClosed)
	}
	ev := sb.Expect(transport.Disconnected, 1)
	assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
}

// testFIFO sends streams in every direction at once, from a cold start so
// that both ends of each pair want a connection at the same moment: every
// stream must arrive whole and in order over exactly one connection.
func testFIFO(t *testing.T, h Harness) {
	const n = 2000
	ids := []uint64{1, 2, 3}
	trs := map[uint64]transport.Transport{}
	for _, id := range ids {
		trs[id] = start(t, h, id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids)*len(ids))
	for _, from := range ids {
		for _, to := range ids {
			if from == to {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range n {
					if err := trs[from].Send(to, seqPayload(from, i)); err != nil {
						errs <- fmt.Errorf("send %d->%d #%d: %w", from, to, i, err)
						return
					}
				}
			}()
		}
	}
	for _, id := range ids {
		s := NewStream(t, trs[id])
		next := map[uint64]int{}
		for want := (len(ids) - 1) * n; want > 0; {
			ev := s.Next()
			switch ev.Kind {
			case transport.Disconnected:
				t.Fatalf("at %d: unexpected %v", id, ev)
			case transport.Message:
				from, seq := parseSeq(t, ev.Payload)
				require.Equal(t, ev.Peer, from, "payload from the wrong peer")
				require.Equal(t, next[from], seq, "at %d from %d: out of order", id, from)
				next[from]++
				want--
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// testBothSidesObserveClose closes either end of a connection and checks
// the other end reports it.
func testBothSidesObserveClose(t *testing.T, h Harness) {
	for _, closer := range []uint64{2, 1} {
		other := 3 - closer
		a, b := start(t, h, 1), start(t, h, 2)
		sa, sb := NewStream(t, a), NewStream(t, b)
		connect(t, a, b, sa, sb, 1, 2)
		trs := map[uint64]transport.Transport{1: a, 2: b}
		streams := map[uint64]*Stream{1: sa, 2: sb}
		require.NoError(t, trs[closer].Close())
		ev := streams[other].Expect(transport.Disconnected, closer)
		assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
		require.NoError(t, trs[other].Close())
	}
}

// sendUntilDelivered sends from a to b until b gets a message, tolerating
// failed attempts while b is still coming up; each failure must be reported
// to a as Disconnected.
func sendUntilDelivered(t *testing.T, a transport.Transport, sa, sb *Stream, ida, idb uint64, payload string) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		require.Less(t, attempt, 50, "no delivery after 50 attempts")
		require.NoError(t, a.Send(idb, []byte(payload)))
		ev := sa.Until(func(ev transport.Event) bool {
			return ev.Peer == idb && ev.Kind != transport.Message
		})
		if ev.Kind == transport.Disconnected {
			continue
		}
		sb.Expect(transport.Connected, ida)
		got := sb.Expect(transport.Message, ida)
		require.Equal(t, payload, string(got.Payload))
		return
	}
}

// testUnreachableThenRestart sends to a closed peer (the sender must get
// Disconnected wrapping ErrUnreachable), restarts the peer and checks the
// sender reaches it, in both directions of the id order.
func testUnreachableThenRestart(t *testing.T, h Harness) {
	for _, down := range []uint64{2, 1} {
		up := 3 - down
		tu := start(t, h, up)
		su := NewStream(t, tu)
		td := start(t, h, down)
		require.NoError(t, td.Close())

		require.NoError(t, tu.Send(down, []byte("lost")))
		ev := su.Expect(transport.Disconnected, down)
		assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)

		td = start(t, h, down)
		sd := NewStream(t, td)
		sendUntilDelivered(t, tu, su, sd, up, down, "after restart")
		require.NoError(t, td.Send(up, []byte("reply")))
		got := su.Expect(transport.Message, down)
		assert.Equal(t, "reply", string(got.Payload))
		require.NoError(t, td.Close())
		require.NoError(t, tu.Close())
	}
}

func testDisconnect(t *testing.T, h Harness) {
	a, b := start(t, h, 1), start(t, h, 2)
	require.Implements(t, (*transport.Disconnecter)(nil), a)
	sa, sb := NewStream(t, a), NewStream(t, b)
	for _, by := range []uint64{1, 2} {
		connect(t, a, b, sa, sb, 1, 2)
		trs := map[uint64]transport.Transport{1: a, 2: b}
		require.NoError(t, trs[by].(transport.Disconnecter).Disconnect(3-by))
		assert.ErrorIs(t, sa.Expect(transport.Disconnected, 2).Err, transport.ErrConnectionLost)
		assert.ErrorIs(t, sb.Expect(transport.Disconnected, 1).Err, transport.ErrConnectionLost)
	}
	// Without a connection, Disconnect with nothing queued reports nothing;
	// the next Send connects again.
	require.NoError(t, a.(transport.Disconnecter).Disconnect(2))
	connect(t, a, b, sa, sb, 1, 2)
}

// testOrderAcrossBreaks streams numbered messages while the connection is
// broken again and again from either side, each break once the receiver has
// caught up to half a block before it, so that breaks hit live connections;
// the sender goes on once it has seen its Disconnected.
// At the receiver the numbers must rise strictly (no duplicate, no
// reordering) and be consecutive within one connection; every gap must be
// matched by a Disconnected at the sender; and once the breaks stop,
// everything sent after the last one arrives.
func testOrderAcrossBreaks(t *testing.T, h Harness) {
	const (
		n      = 3000
		every  = 150
		stopAt = n - 500
	)
	a, b := start(t, h, 1), start(t, h, 2)
	require.Implements(t, (*transport.Disconnecter)(nil), a)
	require.Implements(t, (*transport.Disconnecter)(nil), b)
	breakers := []struct {
		d    transport.Disconnecter
		peer uint64
	}{{a.(transport.Disconnecter), 2}, {b.(transport.Disconnecter), 1}}

	var senderDisconnects atomic.Int64
	senderDisconnected := make(chan struct{}, 1)
	senderDone := make(chan struct{})
	go func() { // the sender's own events: count the losses it is told of
		defer close(senderDone)
		for ev := range a.Events() {
			if ev.Kind == transport.Disconnected {
				senderDisconnects.Add(1)
				select {
				case senderDisconnected <- struct{}{}:
				default:
				}
			}
		}
	}()

	var received atomic.Int64 // highest number received, -1 before any
	received.Store(-1)
	progress := make(chan struct{}, 1)
	quit := make(chan struct{})
	defer close(quit)
	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			if i > 0 && i%every == 0 && i <= stopAt {
				for received.Load() < int64(i-every/2) {
					select {
					case <-progress:
					case <-quit:
						return
					}
				}
				br := breakers[(i/every)%2]
				seen := senderDisconnects.Load()
				if err := br.d.Disconnect(br.peer); err != nil {
					sendErr <- err
					return
				}
				// Like a core, go on once the sender knows of the break:
				// a break made at the receiver reaches the sender later,
				// and what it sends meanwhile is lost with the connection.
				for senderDisconnects.Load() == seen {
					select {
					case <-senderDisconnected:
					case <-quit:
						return
					}
				}
			}
			if err := a.Send(2, seqPayload(1, i)); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()

	sb := NewStream(t, b)
	last, gaps, connections := -1, 0, 0
	for last != n-1 {
		ev := sb.Next()
		switch ev.Kind {
		case transport.Connected:
			connections++
			first := true
			for first {
				ev = sb.Next()
				if ev.Kind == transport.Message {
					first = false
				}
			}
			// The first message of a connection may skip what was lost.
			_, seq := parseSeq(t, ev.Payload)
			require.Greater(t, seq, last, "duplicate or reordered across a break")
			if seq != last+1 {
				gaps++
			}
			last = seq
		case transport.Message:
			_, seq := parseSeq(t, ev.Payload)
			require.Equal(t, last+1, seq, "gap or reorder within one connection")
			last = seq
		}
		received.Store(int64(last))
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	require.NoError(t, <-sendErr)
	require.NoError(t, a.Close())
	<-senderDone
	assert.LessOrEqual(t, int64(gaps), senderDisconnects.Load(), "a loss was not reported to the sender")
	assert.Greater(t, connections, stopAt/every/2, "breaks did not hit live connections")
	t.Logf("%d breaks, %d connections, %d gaps, sender saw %d disconnects",
		stopAt/every, connections, gaps, senderDisconnects.Load())
}
