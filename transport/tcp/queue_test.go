package tcp_test

import (
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueOverflowWhileConnecting fills the queue while the transport
// waits for a peer that never answers its handshake.
func TestQueueOverflowWhileConnecting(t *testing.T) {
	r := newWireRig(t, func(cfg *tcp.Config) {
		cfg.QueueSize = 1
		cfg.DialTimeout = transporttest.Wait // the test hangs up first
	})
	require.NoError(t, r.tr.Send(3, []byte("m1")))
	c := r.accept(t, 3) // the call-me: the link now waits for a reply
	err := r.tr.Send(3, []byte("m2"))
	assert.ErrorIs(t, err, transport.ErrQueueFull)
	c.Close() // no reply: the attempt fails
	ev := r.s.Expect(transport.Disconnected, 3)
	assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)
	// One Disconnected for the lot, then nothing more.
	_, ok := r.s.TryNext()
	assert.False(t, ok)
}

// TestQueueOverflowWhileConnected outpaces the writer (the peer does not
// even read) until the queue overflows: the connection is broken and the
// sender told why.
func TestQueueOverflowWhileConnected(t *testing.T) {
	r := newWireRig(t, func(cfg *tcp.Config) {
		cfg.QueueSize = 4
		cfg.MaxFrame = 1 << 20
	})
	_ = r.connectAs3(t, 1) // and never read from it
	payload := make([]byte, 64<<10)
	var err error
	for i := 0; i < 100000 && err == nil; i++ {
		err = r.tr.Send(3, payload)
	}
	require.ErrorIs(t, err, transport.ErrQueueFull)
	ev := r.s.Expect(transport.Disconnected, 3)
	assert.ErrorIs(t, ev.Err, transport.ErrQueueFull)
}
