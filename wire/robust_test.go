package wire_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

func frame(b []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...) }

func header(xid int32, op znode.OpCode) []byte {
	return jute.Marshal(&jute.RequestHeader{Xid: xid, Type: op})
}

// Bad input from a socket closes that connection only: another client
// keeps working and the tree does not change.
func TestBadInputClosesOnlyThatConnection(t *testing.T) {
	var logs syncBuffer
	ts := start(t, wire.Config{MaxBuffer: 4096, Logger: hclog.New(&hclog.LoggerOptions{Output: &logs})}, wiretest.Options{})
	healthy := ts.dial(t, wiretest.DialOptions{})
	call(t, healthy, 1, znode.OpCreate, &jute.CreateRequest{Path: "/keep", ACL: znode.OpenACL})

	create := jute.Marshal(&jute.CreateRequest{Path: "/evil", Data: []byte("x"), ACL: znode.OpenACL})
	tests := []struct {
		name      string
		handshake bool // send a valid ConnectRequest first
		bytes     []byte
	}{
		{"negative length", true, binary.BigEndian.AppendUint32(nil, 0xffffffff)},
		{"length over jute.maxbuffer", true, binary.BigEndian.AppendUint32(nil, 4097)},
		{"length over jute.maxbuffer in the handshake", false, binary.BigEndian.AppendUint32(nil, 1<<20)},
		{"empty frame", true, frame(nil)},
		{"truncated header", true, frame([]byte{0, 0, 0, 1, 0})},
		{"truncated create", true, frame(append(header(1, znode.OpCreate), create[:len(create)-3]...))},
		{"vector count past the frame", true, frame(append(header(1, znode.OpSetWatches), bytes.Repeat([]byte{0x7f}, 12)...))},
		{"ping inside a multi", true, frame(append(header(1, znode.OpMulti), 0, 0, 0, 11, 0, 0xff, 0xff, 0xff, 0xff))},
		{"truncated ConnectRequest", false, frame([]byte{0, 0, 0, 0, 1, 2})},
		{"garbage", false, []byte("GET / HTTP/1.1\r\n\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.backend.Tree().Digest()
			var c *wiretest.Client
			var err error
			if tt.handshake {
				c, err = wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{})
			} else {
				c, err = wiretest.DialRaw(context.Background(), ts.addr, wiretest.DialOptions{})
			}
			require.NoError(t, err)
			defer c.Close()
			require.NoError(t, c.Write(tt.bytes))
			require.NoError(t, c.WaitClosed())

			r, _ := call(t, healthy, 2, znode.OpExists, &jute.ExistsRequest{Path: "/keep"})
			assert.Equal(t, znode.OK, r.Header.Err)
			assert.Equal(t, before, ts.backend.Tree().Digest(), "the tree is untouched")
		})
	}
	// Each bad connection was logged; the server closes its side before
	// the client sees EOF, so the lines are there by now.
	assert.Equal(t, len(tests), strings.Count(logs.String(), "closing client connection"), logs.String())
}

// syncBuffer is a bytes.Buffer safe for a logger on other goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A client that sends requests but never reads its replies is closed once
// the server's writes stall for a session timeout; others are unaffected.
func TestSlowReaderIsClosed(t *testing.T) {
	ts := start(t, wire.Config{TickTime: 50 * time.Millisecond}, wiretest.Options{TickTime: 50 * time.Millisecond})
	healthy := ts.dial(t, wiretest.DialOptions{})
	big := bytes.Repeat([]byte("z"), 512<<10)
	call(t, healthy, 1, znode.OpCreate, &jute.CreateRequest{Path: "/big", Data: big, ACL: znode.OpenACL})

	slow := ts.dial(t, wiretest.DialOptions{Connect: jute.ConnectRequest{TimeOut: 400}})
	// A small receive buffer, so the stall does not depend on how much
	// the kernel would otherwise buffer for a client that does not read.
	require.NoError(t, slow.Conn().(*net.TCPConn).SetReadBuffer(4096))
	for i := range 64 {
		require.NoError(t, slow.Send(int32(i+1), znode.OpGetData, &jute.GetDataRequest{Path: "/big"}))
	}
	// Keep pinging, so the session and the read side stay alive, and
	// never read: the server must give up on its writes.
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for err == nil && time.Now().Before(deadline) {
		err = slow.Send(jute.XidPing, znode.OpPing, nil)
		time.Sleep(20 * time.Millisecond)
	}
	require.Error(t, err, "the server kept a client that does not read")

	// (The first client's session has expired meanwhile: it did not ping.)
	fresh := ts.dial(t, wiretest.DialOptions{})
	r, _ := call(t, fresh, 1, znode.OpExists, &jute.ExistsRequest{Path: "/big"})
	assert.Equal(t, znode.OK, r.Header.Err)
}

// A session whose client goes silent is closed after its timeout.
func TestSilentClientIsClosed(t *testing.T) {
	ts := start(t, wire.Config{TickTime: 20 * time.Millisecond}, wiretest.Options{TickTime: 20 * time.Millisecond})
	c := ts.dial(t, wiretest.DialOptions{Connect: jute.ConnectRequest{TimeOut: 100}})
	require.NoError(t, c.WaitClosed())
}

// Too many events queued for a client that does not read close it.
func TestTooManyQueuedEventsCloses(t *testing.T) {
	ts := start(t, wire.Config{MaxQueuedEvents: 4}, wiretest.Options{})
	w := ts.dial(t, wiretest.DialOptions{})
	call(t, w, 1, znode.OpCreate, &jute.CreateRequest{Path: "/ev", ACL: znode.OpenACL})
	watcher := ts.dial(t, wiretest.DialOptions{})
	call(t, watcher, 1, znode.OpAddWatch, &jute.AddWatchRequest{Path: "/ev", Mode: jute.AddWatchPersistent})
	// A multi fires all its events before the writer can run.
	ops := make([]jute.MultiOp, 10)
	for i := range ops {
		ops[i] = jute.MultiOp{Type: znode.OpSetData, Request: &jute.SetDataRequest{Path: "/ev", Version: -1}}
	}
	call(t, w, 2, znode.OpMulti, &jute.MultiRequest{Ops: ops})
	var err error
	for err == nil {
		_, err = watcher.Read()
	}
	assert.False(t, isTimeout(err), "the connection was closed, not left idle: %v", err)
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// maxClientCnxns limits connections per IP address.
func TestMaxClientCnxns(t *testing.T) {
	ts := start(t, wire.Config{MaxClientCnxns: 2}, wiretest.Options{})
	a := ts.dial(t, wiretest.DialOptions{})
	ts.dial(t, wiretest.DialOptions{})
	_, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{})
	require.Error(t, err, "a third connection from 127.0.0.1 is refused")

	// When one goes, there is room again.
	require.NoError(t, a.Close())
	require.Eventually(t, func() bool {
		c, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{})
		if err != nil {
			return false
		}
		c.Close()
		return true
	}, 10*time.Second, 10*time.Millisecond)
}
