package wire_test

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// stuckBackend never answers some calls: a handshake on a session id of
// 0x57 blocks until its context ends, and writes never complete. Close
// must stop the connections waiting on it anyway.
type stuckBackend struct{ *wiretest.Backend }

func (b stuckBackend) Connect(ctx context.Context, h wire.Handshake, c wire.Conn) (wire.Session, error) {
	if h.SessionID == 0x57 {
		<-ctx.Done()
		return wire.Session{}, ctx.Err()
	}
	return b.Backend.Connect(ctx, h, c)
}

func (b stuckBackend) Write(wire.Caller, int32, znode.Request, func(znode.Result)) {}

// Close stops every goroutine the Server started, whatever state its
// connections are in.
func TestCloseStopsEveryGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	b, err := wiretest.New(wiretest.Options{TickTime: time.Second})
	require.NoError(t, err)
	srv, err := wire.NewServer(wire.Config{}, stuckBackend{b})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	ctx := context.Background()

	var clients []*wiretest.Client
	keep := func(c *wiretest.Client, err error) *wiretest.Client {
		require.NoError(t, err)
		clients = append(clients, c)
		return c
	}
	// Silent before the handshake.
	keep(wiretest.DialRaw(ctx, addr, wiretest.DialOptions{}))
	// Stuck inside Backend.Connect.
	stuck := keep(wiretest.DialRaw(ctx, addr, wiretest.DialOptions{}))
	require.NoError(t, stuck.WriteFrame(jute.Marshal(&jute.ConnectRequest{SessionID: 0x57, Passwd: make([]byte, 16)})))
	// Idle with a session.
	keep(wiretest.Dial(ctx, addr, wiretest.DialOptions{}))
	// Waiting for a write that never completes, with a read behind it.
	w := keep(wiretest.Dial(ctx, addr, wiretest.DialOptions{}))
	require.NoError(t, w.Send(1, znode.OpCreate, &jute.CreateRequest{Path: "/x", ACL: znode.OpenACL}))
	require.NoError(t, w.Send(2, znode.OpGetData, &jute.GetDataRequest{Path: "/"}))
	// Not reading a large reply.
	slow := keep(wiretest.Dial(ctx, addr, wiretest.DialOptions{}))
	require.NoError(t, slow.Conn().(*net.TCPConn).SetReadBuffer(4096))
	for i := range 8 {
		require.NoError(t, slow.Send(int32(i+1), znode.OpGetData, &jute.GetDataRequest{Path: "/zookeeper/config"}))
	}
	// Half-way through a frame.
	half := keep(wiretest.Dial(ctx, addr, wiretest.DialOptions{}))
	require.NoError(t, half.Write([]byte{0, 0, 1, 0, 1, 2, 3}))
	// A four-letter word being answered.
	_, _ = wiretest.FourLetter(ctx, addr, "srvr")

	require.NoError(t, srv.Close())
	require.ErrorIs(t, <-served, wire.ErrServerClosed)
	b.Close()
	for _, c := range clients {
		c.Close()
	}
	// Close waited for the Server's goroutines; they only have to
	// finish exiting.
	waitGoroutines(t, before)

	// A closed Server refuses to serve again, and Close stays idempotent.
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	assert.ErrorIs(t, srv.Serve(ln2), wire.ErrServerClosed)
	assert.NoError(t, srv.Close())
}

// The in-process backend's tick loop stops with Close.
func TestWiretestBackendCloseStopsTicks(t *testing.T) {
	before := runtime.NumGoroutine()
	b, err := wiretest.New(wiretest.Options{TickTime: time.Millisecond})
	require.NoError(t, err)
	b.Close()
	b.Close()
	waitGoroutines(t, before)
}

func TestNewServerValidatesConfig(t *testing.T) {
	b, err := wiretest.New(wiretest.Options{})
	require.NoError(t, err)
	defer b.Close()
	tests := []struct {
		name string
		cfg  wire.Config
	}{
		{"tiny MaxBuffer", wire.Config{MaxBuffer: 10}},
		{"min above max", wire.Config{MinSessionTimeout: 10 * time.Second, MaxSessionTimeout: time.Second}},
		{"unknown word", wire.Config{FourLetterWords: []string{"boom"}}},
		{"version a parser cannot read", wire.Config{Version: "3.8 beta"}},
		{"negative outstanding", wire.Config{MaxOutstanding: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wire.NewServer(tt.cfg, b)
			assert.ErrorIs(t, err, wire.ErrInvalidConfig)
		})
	}
	_, err = wire.NewServer(wire.Config{}, nil)
	assert.ErrorIs(t, err, wire.ErrInvalidConfig)
}

// waitGoroutines waits for the goroutine count to come back to n: the
// goroutines were told to stop and waited for, and only have to finish
// returning. (Polled here, not with require.Eventually, whose own
// goroutine would be counted.)
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: %d before, %d after:\n%s", n, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}
