package tcp_test

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests in this file play a peer by hand over real sockets, so every
// byte of the wire is under the test's control. The transport under test is
// server 2; server 1 (smaller) and server 3 (larger) are the hand-played
// peers, each with its own listener.

const fakeInc = 0xfeed

type wireRig struct {
	tr    *tcp.Transport
	s     *transporttest.Stream
	peers map[uint64]net.Listener // the fake peers' listeners
}

func newWireRig(t *testing.T, tune func(*tcp.Config)) *wireRig {
	r := &wireRig{peers: map[uint64]net.Listener{1: listen(t), 3: listen(t)}}
	own := listen(t)
	cfg := fastConfig(2, map[uint64]string{
		1: r.peers[1].Addr().String(),
		2: own.Addr().String(),
		3: r.peers[3].Addr().String(),
	})
	cfg.Listener = own
	cfg.MaxFrame = 1024
	if tune != nil {
		tune(&cfg)
	}
	r.tr = startConfig(t, cfg)
	r.s = transporttest.NewStream(t, r.tr)
	return r
}

// dial opens a raw connection to the transport under test.
func (r *wireRig) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", r.tr.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(transporttest.Wait)))
	return c
}

// accept takes the transport's next connection to fake peer id.
func (r *wireRig) accept(t *testing.T, id uint64) net.Conn {
	t.Helper()
	ln := r.peers[id].(*net.TCPListener)
	require.NoError(t, ln.SetDeadline(time.Now().Add(transporttest.Wait)))
	c, err := ln.Accept()
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(transporttest.Wait)))
	return c
}

// connectAs3 makes a data connection from fake peer 3, as a larger id does.
func (r *wireRig) connectAs3(t *testing.T, gen uint64) net.Conn {
	t.Helper()
	c := r.dial(t)
	_, err := c.Write(tcp.Hello(tcp.KindConnect, 3, 2, fakeInc, gen))
	require.NoError(t, err)
	rep := make([]byte, tcp.ReplySize)
	_, err = io.ReadFull(c, rep)
	require.NoError(t, err)
	require.Equal(t, byte(tcp.StatusAccepted), rep[6])
	r.s.Expect(transport.Connected, 3)
	return c
}

func frame(payload []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(payload)))
	return append(b, payload...)
}

// closedByPeer reads until the transport closes the connection.
func closedByPeer(t *testing.T, c net.Conn) {
	t.Helper()
	_, err := io.Copy(io.Discard, c)
	if err != nil { // a reset is as good as a close
		assert.NotErrorIs(t, err, os.ErrDeadlineExceeded, "connection not closed")
	}
}

func TestBadHandshakesCloseTheConnection(t *testing.T) {
	helloWith := func(mut func(b []byte)) []byte {
		b := tcp.Hello(tcp.KindConnect, 3, 2, fakeInc, 1)
		mut(b)
		return b
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + string(make([]byte, 40)))},
		{"four letter word", []byte("ruok")},
		{"zookeeper election header", binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 0xffffffffffff0000), 3)},
		{"bad magic", helloWith(func(b []byte) { b[0] = 'X' })},
		{"bad version", helloWith(func(b []byte) { b[5] = 9 })},
		{"bad flags", helloWith(func(b []byte) { b[7] = 1 })},
		{"unknown kind", helloWith(func(b []byte) { b[6] = 7 })},
		{"zero incarnation", tcp.Hello(tcp.KindConnect, 3, 2, 0, 1)},
		{"unknown server", tcp.Hello(tcp.KindConnect, 9, 2, fakeInc, 1)},
		{"addressed to another server", tcp.Hello(tcp.KindConnect, 3, 5, fakeInc, 1)},
		{"from itself", tcp.Hello(tcp.KindConnect, 2, 2, fakeInc, 1)},
		{"smaller id connects", tcp.Hello(tcp.KindConnect, 1, 2, fakeInc, 1)},
		{"larger id asks to be called", tcp.Hello(tcp.KindCallMe, 3, 2, fakeInc, 0)},
		{"short hello", tcp.Hello(tcp.KindConnect, 3, 2, fakeInc, 1)[:20]},
		{"nothing", nil},
	}
	r := newWireRig(t, nil)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := r.dial(t)
			// The transport may already have hung up: write errors are fine.
			c.Write(tc.data)
			c.(*net.TCPConn).CloseWrite()
			closedByPeer(t, c)
		})
	}
	// None of them produced an event, and the transport still works.
	c := r.connectAs3(t, 1)
	_, err := c.Write(frame([]byte("still here")))
	require.NoError(t, err)
	assert.Equal(t, "still here", string(r.s.Expect(transport.Message, 3).Payload))
}

func TestBadFramesCloseTheConnection(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		cause error
	}{
		{"oversized", binary.BigEndian.AppendUint32(nil, 1025), tcp.ErrFrameTooLarge},
		{"huge", binary.BigEndian.AppendUint32(nil, 0xffffffff), tcp.ErrFrameTooLarge},
		{"short payload", append(binary.BigEndian.AppendUint32(nil, 100), make([]byte, 10)...), io.ErrUnexpectedEOF},
		{"short header", []byte{0, 0}, io.ErrUnexpectedEOF},
		{"clean end", nil, io.EOF},
	}
	r := newWireRig(t, nil)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := r.connectAs3(t, uint64(i+1))
			// A good frame, a heartbeat, the largest frame allowed, then the bad bytes.
			big := make([]byte, 1024)
			big[0] = 'B'
			_, err := c.Write(append(append(append(frame([]byte("ok")), 0, 0, 0, 0), frame(big)...), tc.data...))
			require.NoError(t, err)
			require.NoError(t, c.(*net.TCPConn).CloseWrite())
			assert.Equal(t, "ok", string(r.s.Expect(transport.Message, 3).Payload))
			assert.Len(t, r.s.Expect(transport.Message, 3).Payload, 1024)
			ev := r.s.Expect(transport.Disconnected, 3)
			assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
			assert.ErrorIs(t, ev.Err, tc.cause)
			closedByPeer(t, c)
		})
	}
}

func TestHeartbeatsAndTimeout(t *testing.T) {
	r := newWireRig(t, func(cfg *tcp.Config) {
		cfg.Heartbeat = 10 * time.Millisecond
		cfg.Timeout = time.Second
	})
	c := r.connectAs3(t, 1)
	// An idle connection gets heartbeats: empty frames. (They stay
	// readable even after the transport hangs up below.)
	hb := make([]byte, 4)
	for range 2 {
		_, err := io.ReadFull(c, hb)
		require.NoError(t, err)
		assert.Equal(t, []byte{0, 0, 0, 0}, hb)
	}
	// A peer that sends nothing, not even heartbeats, is timed out.
	ev := r.s.Expect(transport.Disconnected, 3)
	assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
	assert.ErrorIs(t, ev.Err, os.ErrDeadlineExceeded)
}

func TestBadRepliesFailTheDial(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
	}{
		{"bad magic", append([]byte("XXXX"), tcp.Reply(tcp.StatusAccepted, fakeInc)[4:]...)},
		{"wrong status", tcp.Reply(tcp.StatusWillDial, fakeInc)},
		{"zero incarnation", tcp.Reply(tcp.StatusAccepted, 0)},
		{"short", tcp.Reply(tcp.StatusAccepted, fakeInc)[:5]},
		{"none", nil},
	}
	r := newWireRig(t, nil)
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Server 2 dials the smaller fake peer 1 to send it a message.
			require.NoError(t, r.tr.Send(1, []byte("m")))
			c := r.accept(t, 1)
			h := make([]byte, tcp.HelloSize)
			_, err := io.ReadFull(c, h)
			require.NoError(t, err)
			assert.Equal(t, tcp.KindConnect, int(h[6]))
			assert.Equal(t, uint64(2), binary.BigEndian.Uint64(h[8:]), "from")
			assert.Equal(t, uint64(1), binary.BigEndian.Uint64(h[16:]), "to")
			assert.Equal(t, uint64(i+1), binary.BigEndian.Uint64(h[32:]), "gen")
			_, err = c.Write(tc.reply)
			require.NoError(t, err)
			c.Close()
			ev := r.s.Expect(transport.Disconnected, 1)
			assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)
			assert.ErrorIs(t, ev.Err, tcp.ErrHandshake)
		})
	}
}

// TestCallBack plays a larger peer: the transport (smaller) asks it to
// connect, it does, and the queued message flows over its connection.
func TestCallBack(t *testing.T) {
	r := newWireRig(t, nil)
	require.NoError(t, r.tr.Send(3, []byte("queued")))
	c := r.accept(t, 3)
	h := make([]byte, tcp.HelloSize)
	_, err := io.ReadFull(c, h)
	require.NoError(t, err)
	assert.Equal(t, tcp.KindCallMe, int(h[6]))
	assert.Zero(t, binary.BigEndian.Uint64(h[32:]), "no connection seen yet")
	_, err = c.Write(tcp.Reply(tcp.StatusWillDial, fakeInc))
	require.NoError(t, err)

	d := r.connectAs3(t, 7)
	got := make([]byte, 4+len("queued"))
	_, err = io.ReadFull(d, got)
	require.NoError(t, err)
	assert.Equal(t, frame([]byte("queued")), got)

	// When that connection breaks, the next call-me names it.
	d.Close()
	r.s.Expect(transport.Disconnected, 3)
	require.NoError(t, r.tr.Send(3, []byte("again")))
	c = r.accept(t, 3)
	_, err = io.ReadFull(c, h)
	require.NoError(t, err)
	assert.Equal(t, uint64(fakeInc), binary.BigEndian.Uint64(h[32:]), "seen incarnation")
	assert.Equal(t, uint64(7), binary.BigEndian.Uint64(h[40:]), "seen gen")
}

// TestCallMe plays a smaller peer asking the transport (larger) to connect,
// and checks how it treats stale requests, lost connections and restarts.
func TestCallMe(t *testing.T) {
	r := newWireRig(t, nil)
	callMe := func(inc, seenInc, seenGen uint64) {
		t.Helper()
		c := r.dial(t)
		b := tcp.Hello(tcp.KindCallMe, 1, 2, inc, 0)
		binary.BigEndian.PutUint64(b[32:], seenInc)
		binary.BigEndian.PutUint64(b[40:], seenGen)
		_, err := c.Write(b)
		require.NoError(t, err)
		rep := make([]byte, tcp.ReplySize)
		_, err = io.ReadFull(c, rep)
		require.NoError(t, err)
		assert.Equal(t, byte(tcp.StatusWillDial), rep[6])
	}
	// answer accepts the transport's data connection and returns it with
	// the transport's incarnation and the connection's gen.
	answer := func(inc uint64) (net.Conn, uint64, uint64) {
		t.Helper()
		c := r.accept(t, 1)
		h := make([]byte, tcp.HelloSize)
		_, err := io.ReadFull(c, h)
		require.NoError(t, err)
		require.Equal(t, tcp.KindConnect, int(h[6]))
		_, err = c.Write(tcp.Reply(tcp.StatusAccepted, inc))
		require.NoError(t, err)
		r.s.Expect(transport.Connected, 1)
		return c, binary.BigEndian.Uint64(h[24:]), binary.BigEndian.Uint64(h[32:])
	}

	callMe(fakeInc, 0, 0)
	c, trInc, gen := answer(fakeInc)
	assert.Equal(t, uint64(1), gen)

	// A stale request (sent before this connection arrived) changes
	// nothing: the connection still carries the next frame.
	callMe(fakeInc, 0, 0)
	_, err := c.Write(frame([]byte("same connection")))
	require.NoError(t, err)
	assert.Equal(t, "same connection", string(r.s.Expect(transport.Message, 1).Payload))

	// A request naming this very connection means the peer lost it.
	callMe(fakeInc, trInc, gen)
	assert.ErrorIs(t, r.s.Expect(transport.Disconnected, 1).Err, transport.ErrConnectionLost)
	_, _, gen = answer(fakeInc)
	assert.Equal(t, uint64(2), gen)

	// A request from a new incarnation means the peer restarted.
	callMe(fakeInc+1, 0, 0)
	assert.ErrorIs(t, r.s.Expect(transport.Disconnected, 1).Err, transport.ErrConnectionLost)
	_, _, gen = answer(fakeInc + 1)
	assert.Equal(t, uint64(3), gen)
}

// TestNewConnectionReplacesOld plays a larger peer that dials again while
// its first connection is still open: the transport reports the old one
// lost, then the new one, and delivers only what comes on the new one.
func TestNewConnectionReplacesOld(t *testing.T) {
	r := newWireRig(t, nil)
	old := r.connectAs3(t, 1)
	fresh := r.dial(t)
	_, err := fresh.Write(tcp.Hello(tcp.KindConnect, 3, 2, fakeInc, 2))
	require.NoError(t, err)
	rep := make([]byte, tcp.ReplySize)
	_, err = io.ReadFull(fresh, rep)
	require.NoError(t, err)

	ev := r.s.Expect(transport.Disconnected, 3)
	assert.ErrorIs(t, ev.Err, transport.ErrConnectionLost)
	r.s.Expect(transport.Connected, 3)
	closedByPeer(t, old)
	_, err = fresh.Write(frame([]byte("new")))
	require.NoError(t, err)
	assert.Equal(t, "new", string(r.s.Expect(transport.Message, 3).Payload))
}

func TestSendTooLarge(t *testing.T) {
	r := newWireRig(t, nil) // MaxFrame 1024
	assert.ErrorIs(t, r.tr.Send(3, make([]byte, 1025)), transport.ErrTooLarge)
	assert.NoError(t, r.tr.Send(3, make([]byte, 1024)))
}
