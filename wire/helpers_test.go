package wire_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
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

// dropConnections closes, from the server side, the connection of the
// given session.
func (ts *testServer) dropConnections(t testing.TB, session int64) {
	t.Helper()
	require.True(t, ts.backend.DropConnection(session), "session %#x has no connection", session)
}

// dial opens a raw session.
func (ts *testServer) dial(t testing.TB, o wiretest.DialOptions) *wiretest.Client {
	t.Helper()
	c, err := wiretest.Dial(context.Background(), ts.addr, o)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// call sends a request on a raw client and returns its reply, failing
// the test on a transport error.
func call(t testing.TB, c *wiretest.Client, xid int32, op znode.OpCode, body jute.Record) (wiretest.Reply, []jute.WatcherEvent) {
	t.Helper()
	r, evs, err := c.Call(xid, op, body)
	require.NoError(t, err)
	return r, evs
}

// readEvent reads the next frame and requires it to be a watch event.
func readEvent(t testing.TB, c *wiretest.Client) jute.WatcherEvent {
	t.Helper()
	r, err := c.Read()
	require.NoError(t, err)
	require.True(t, r.IsEvent(), "got reply xid %d, want an event", r.Header.Xid)
	ev, err := r.Event()
	require.NoError(t, err)
	return ev
}
