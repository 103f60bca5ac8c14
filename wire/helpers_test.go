package wire_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/wiretest"
)

// testServer is a wire.Server on 127.0.0.1 over an in-process backend.
type testServer struct {
	srv     *wire.Server
	backend *wiretest.Backend
	addr    string
	served  chan error
}

// start serves cfg on a fresh port; the server and backend are closed
// when the test ends, and the test fails if Serve returned anything but
// ErrServerClosed.
func start(t testing.TB, cfg wire.Config, opts wiretest.Options) *testServer {
	t.Helper()
	if opts.TickTime == 0 {
		opts.TickTime = 50 * time.Millisecond
	}
	if cfg.TickTime == 0 {
		cfg.TickTime = opts.TickTime
	}
	b, err := wiretest.New(opts)
	require.NoError(t, err)
	srv, err := wire.NewServer(cfg, b)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ts := &testServer{srv: srv, backend: b, addr: ln.Addr().String(), served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-ts.served, wire.ErrServerClosed)
		b.Close()
	})
	return ts
}

// connect opens a go-zookeeper/zk session and waits until it has one.
func (ts *testServer) connect(t testing.TB) (*zk.Conn, <-chan zk.Event) {
	t.Helper()
	c, events, err := zk.Connect([]string{ts.addr}, 2*time.Second, zk.WithLogger(quietLogger{}))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	waitState(t, events, zk.StateHasSession)
	return c, events
}

// waitState reads session events until one reaches state.
func waitState(t testing.TB, events <-chan zk.Event, state zk.State) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.State == state {
				return
			}
		case <-timeout:
			t.Fatalf("no %v within 10s", state)
		}
	}
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

var errTimeout = errors.New("timed out")

// dropConnections closes, from the server side, the connection of the
// given session.
func (ts *testServer) dropConnections(t testing.TB, session int64) {
	t.Helper()
	require.True(t, ts.backend.DropConnection(session), "session %#x has no connection", session)
}
