package mem_test

import (
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is an endpoint with its checked event stream.
type node struct {
	*mem.Endpoint
	s *transporttest.Stream
}

func nodes(t *testing.T, n *mem.Network, ids ...uint64) map[uint64]node {
	out := map[uint64]node{}
	for _, id := range ids {
		e := n.Endpoint(id)
		out[id] = node{e, transporttest.NewStream(t, e)}
	}
	return out
}

// link connects a and b with one message from a, consumed on both sides.
func link(t *testing.T, ns map[uint64]node, a, b uint64) {
	t.Helper()
	require.NoError(t, ns[a].Send(b, []byte("hello")))
	ns[a].s.Expect(transport.Connected, b)
	ns[b].s.Expect(transport.Connected, a)
	assert.Equal(t, "hello", string(ns[b].s.Expect(transport.Message, a).Payload))
}

func expectMessage(t *testing.T, nd node, from uint64, want string) {
	t.Helper()
	assert.Equal(t, want, string(nd.s.Expect(transport.Message, from).Payload))
}

func expectQuiet(t *testing.T, nd node) {
	t.Helper()
	ev, ok := nd.s.TryNext()
	assert.False(t, ok, "unexpected %v", ev)
}

func TestNewConnectionUnderFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(n *mem.Network)
		cause  error
		others [2]uint64 // a pair the fault leaves alone
	}{
		{"partition", func(n *mem.Network) { n.Partition(1, 3) }, mem.ErrPartitioned, [2]uint64{1, 2}},
		{"one way out", func(n *mem.Network) { n.PartitionOneWay(1, 3) }, mem.ErrPartitioned, [2]uint64{1, 2}},
		{"one way in", func(n *mem.Network) { n.PartitionOneWay(3, 1) }, mem.ErrPartitioned, [2]uint64{2, 3}},
		{"sender isolated", func(n *mem.Network) { n.Isolate(1) }, mem.ErrPartitioned, [2]uint64{2, 3}},
		{"peer isolated", func(n *mem.Network) { n.Isolate(3) }, mem.ErrPartitioned, [2]uint64{1, 2}},
		{"peer down", func(n *mem.Network) { n.Endpoint(3).Close() }, mem.ErrPeerDown, [2]uint64{1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetwork(t, mem.Options{})
			ns := nodes(t, n, 1, 2, 3)
			tc.fault(n)
			require.NoError(t, ns[1].Send(3, []byte("x")))
			ev := ns[1].s.Expect(transport.Disconnected, 3)
			assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)
			assert.ErrorIs(t, ev.Err, tc.cause)
			link(t, ns, tc.others[0], tc.others[1])

			n.Heal()
			if tc.cause == mem.ErrPeerDown {
				ns[3] = nodes(t, n, 3)[3] // restart
			}
			link(t, ns, 1, 3)
		})
	}
}

func TestPartitionHoldsThenHealDelivers(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	n.Partition(1, 2)
	require.NoError(t, ns[1].Send(2, []byte("m1")))
	require.NoError(t, ns[1].Send(2, []byte("m2")))
	require.NoError(t, ns[2].Send(1, []byte("r1")))
	assert.Equal(t, 2, mem.Pending(n, 2))
	assert.Equal(t, 1, mem.Pending(n, 1))
	expectQuiet(t, ns[2])
	expectQuiet(t, ns[1])

	n.Heal()
	expectMessage(t, ns[2], 1, "m1")
	expectMessage(t, ns[2], 1, "m2")
	expectMessage(t, ns[1], 2, "r1")
}

func TestPartitionOneWay(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	n.PartitionOneWay(1, 2)
	require.NoError(t, ns[1].Send(2, []byte("held")))
	require.NoError(t, ns[2].Send(1, []byte("flows")))
	expectMessage(t, ns[1], 2, "flows")
	assert.Equal(t, 1, mem.Pending(n, 2))
	expectQuiet(t, ns[2])
	n.Heal(2)
	expectMessage(t, ns[2], 1, "held")
}

func TestStallTimeoutBreaksImpairedConnections(t *testing.T) {
	tests := []struct {
		name         string
		fault, clear func(n *mem.Network)
	}{
		{"partition", func(n *mem.Network) { n.Partition(1, 2) }, func(n *mem.Network) { n.Heal() }},
		{"one way", func(n *mem.Network) { n.PartitionOneWay(1, 2) }, func(n *mem.Network) { n.Heal() }},
		{"isolated", func(n *mem.Network) { n.Isolate(2) }, func(n *mem.Network) { n.Heal() }},
		{"paused", func(n *mem.Network) { n.Pause(2) }, func(n *mem.Network) { n.Resume(2) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetwork(t, mem.Options{StallTimeout: 20 * time.Millisecond})
			ns := nodes(t, n, 1, 2)
			link(t, ns, 1, 2)
			tc.fault(n)
			require.NoError(t, ns[1].Send(2, []byte("lost")))
			ev := ns[1].s.Expect(transport.Disconnected, 2)
			assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
			assert.ErrorIs(t, ev.Err, mem.ErrStalled)
			tc.clear(n)
			// The far side learns of the break (a paused one on Resume),
			// and never sees the message sent into the stall.
			ev = ns[2].s.Expect(transport.Disconnected, 1)
			assert.ErrorIs(t, ev.Err, mem.ErrStalled)
			link(t, ns, 1, 2)
		})
	}
}

func TestBreakDropsInFlight(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	n.Pause(2) // keeps the messages in flight
	require.NoError(t, ns[1].Send(2, []byte("m1")))
	require.NoError(t, ns[1].Send(2, []byte("m2")))
	ns[1].s.Expect(transport.Connected, 2)
	n.Break(1, 2)
	assert.ErrorIs(t, ns[1].s.Expect(transport.Disconnected, 2).Err, mem.ErrBroken)
	n.Resume(2)
	ns[2].s.Expect(transport.Connected, 1)
	assert.ErrorIs(t, ns[2].s.Expect(transport.Disconnected, 1).Err, mem.ErrBroken)

	n.Break(1, 2) // no connection: nothing happens
	link(t, ns, 1, 2)
}

func TestDelayNeverReorders(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	n.SetDelay(1, 2, 30*time.Millisecond)
	require.NoError(t, ns[1].Send(2, []byte("slow")))
	n.SetDelay(1, 2, 0)
	require.NoError(t, ns[1].Send(2, []byte("fast")))
	expectMessage(t, ns[2], 1, "slow")
	expectMessage(t, ns[2], 1, "fast")

	// A one-way delay leaves the other way alone: were it delayed by an
	// hour, this would time out.
	n.SetDelayOneWay(1, 2, time.Hour)
	require.NoError(t, ns[2].Send(1, []byte("back")))
	expectMessage(t, ns[1], 2, "back")
}

func TestPauseHoldsBothWays(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	n.Pause(2)
	require.NoError(t, ns[1].Send(2, []byte("to paused")))
	require.NoError(t, ns[2].Send(1, []byte("from paused")))
	assert.Equal(t, 1, mem.Pending(n, 2))
	assert.Equal(t, 1, mem.Pending(n, 1))
	expectQuiet(t, ns[1])
	expectQuiet(t, ns[2])
	n.Resume(2)
	expectMessage(t, ns[2], 1, "to paused")
	expectMessage(t, ns[1], 2, "from paused")
}

func TestQueueOverflowBreaks(t *testing.T) {
	n := newNetwork(t, mem.Options{QueueSize: 3})
	ns := nodes(t, n, 1, 2)
	n.Pause(2)
	for i := range 3 {
		require.NoError(t, ns[1].Send(2, []byte{byte(i + 1)}))
	}
	assert.ErrorIs(t, ns[1].Send(2, []byte("overflow")), transport.ErrQueueFull)
	ns[1].s.Expect(transport.Connected, 2)
	assert.ErrorIs(t, ns[1].s.Expect(transport.Disconnected, 2).Err, transport.ErrQueueFull)
	n.Resume(2)
	ns[2].s.Expect(transport.Connected, 1)
	assert.ErrorIs(t, ns[2].s.Expect(transport.Disconnected, 1).Err, transport.ErrConnectionLost)
}

func TestRestartIsANewConnection(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	old := ns[2].Endpoint
	require.NoError(t, old.Close())
	assert.ErrorIs(t, ns[1].s.Expect(transport.Disconnected, 2).Err, mem.ErrPeerClosed)
	ns[2] = nodes(t, n, 2)[2]
	assert.NotSame(t, old, ns[2].Endpoint)
	assert.Same(t, ns[2].Endpoint, n.Endpoint(2), "Endpoint returns the open endpoint")
	link(t, ns, 1, 2)
}

func TestPayloadIsCopied(t *testing.T) {
	n := newNetwork(t, mem.Options{})
	ns := nodes(t, n, 1, 2)
	p := []byte("original")
	require.NoError(t, ns[1].Send(2, p))
	copy(p, "mutated!")
	ns[2].s.Expect(transport.Connected, 1)
	expectMessage(t, ns[2], 1, "original")
}

func TestNetworkClose(t *testing.T) {
	n := mem.NewNetwork(mem.Options{})
	ns := nodes(t, n, 1, 2)
	link(t, ns, 1, 2)
	require.NoError(t, n.Close())
	ns[1].s.Closed()
	ns[2].s.Closed()
	assert.Zero(t, mem.LiveGoroutines(n))
	late := n.Endpoint(3)
	assert.ErrorIs(t, late.Send(1, []byte("x")), transport.ErrClosed)
	_, open := <-late.Events()
	assert.False(t, open)
	assert.NoError(t, late.Close())
}

func TestTooLarge(t *testing.T) {
	n := newNetwork(t, mem.Options{MaxPayload: 4})
	e := n.Endpoint(1)
	assert.ErrorIs(t, e.Send(2, []byte("12345")), transport.ErrTooLarge)
	assert.NoError(t, e.Send(2, []byte("1234")))
}
