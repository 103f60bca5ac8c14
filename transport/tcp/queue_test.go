package tcp_test

import (
	"io"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueOverflowWhileConnecting fills the queue while the transport
// waits for a peer that never answers its handshake.
func TestQueueOverflowWhileConnecting(t *testing.T) {
	r := newWireRig(t, func(cfg *tcp.Config) {
		cfg.QueueSize = 1
		cfg.DialTimeout = 100 * time.Millisecond
	})
	require.NoError(t, r.tr.Send(3, []byte("m1")))
	c := r.accept(t, 3) // the call-me, which will never be answered
	err := r.tr.Send(3, []byte("m2"))
	assert.ErrorIs(t, err, transport.ErrQueueFull)
	ev := r.s.Expect(transport.Disconnected, 3)
	assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)
	// One Disconnected for the lot, then nothing more.
	_, _ = io.Copy(io.Discard, c)
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
