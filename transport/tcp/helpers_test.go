package tcp_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/require"
)

// harness runs transports on 127.0.0.1. The first start of an id uses a
// listener opened when the harness was made; a restart listens again on the
// same address.
type harness struct {
	addrs map[uint64]string
	lns   map[uint64]net.Listener
	tune  func(id uint64, cfg *tcp.Config)
}

func newHarness(t *testing.T, ids []uint64, tune func(id uint64, cfg *tcp.Config)) *harness {
	h := &harness{addrs: map[uint64]string{}, lns: map[uint64]net.Listener{}, tune: tune}
	for _, id := range ids {
		ln := listen(t)
		h.addrs[id] = ln.Addr().String()
		h.lns[id] = ln
	}
	return h
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	return ln
}

// fastConfig is a config with timeouts fit for tests on one machine.
func fastConfig(id uint64, peers map[uint64]string) tcp.Config {
	return tcp.Config{
		ID:          id,
		Peers:       peers,
		DialTimeout: 2 * time.Second,
		BackoffMin:  5 * time.Millisecond,
		BackoffMax:  100 * time.Millisecond,
	}
}

func (h *harness) Start(t testing.TB, id uint64) transport.Transport {
	t.Helper()
	cfg := fastConfig(id, h.addrs)
	if ln := h.lns[id]; ln != nil {
		cfg.Listener = ln
		delete(h.lns, id)
	}
	if h.tune != nil {
		h.tune(id, &cfg)
	}
	return startConfig(t, cfg)
}

// startConfig starts a transport and, at cleanup, closes it and checks that
// every goroutine it started has stopped.
func startConfig(t testing.TB, cfg tcp.Config) *tcp.Transport {
	t.Helper()
	tr, err := tcp.New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, tr.Close())
		require.Zero(t, tcp.LiveGoroutines(tr), "goroutines left after Close")
	})
	return tr
}

var _ transporttest.Harness = (*harness)(nil)
