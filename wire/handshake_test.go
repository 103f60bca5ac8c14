package wire_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// The handshake as ZooKeeper 3.8 with ZOOKEEPER-4814 does it.
func TestHandshake(t *testing.T) {
	ts := start(t, wire.Config{TickTime: 100 * time.Millisecond}, wiretest.Options{TickTime: 100 * time.Millisecond})
	first := ts.dial(t, wiretest.DialOptions{})
	call(t, first, 1, znode.OpCreate, &jute.CreateRequest{Path: "/hs", ACL: znode.OpenACL})

	tests := []struct {
		name  string
		req   jute.ConnectRequest
		check func(t *testing.T, c *wiretest.Client, err error)
	}{
		{"no readOnly byte: none in the answer", jute.ConnectRequest{TimeOut: 1000}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.False(t, c.Response.HasReadOnly)
			assert.NotZero(t, c.Response.SessionID)
			assert.Len(t, c.Response.Passwd, 16)
		}},
		{"readOnly byte sent: echoed", jute.ConnectRequest{TimeOut: 1000, HasReadOnly: true, ReadOnly: true}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.True(t, c.Response.HasReadOnly)
			assert.False(t, c.Response.ReadOnly, "a read-write server")
		}},
		{"timeout below 2 ticks is raised", jute.ConnectRequest{TimeOut: 1}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.EqualValues(t, 200, c.Response.TimeOut)
		}},
		{"timeout above 20 ticks is lowered", jute.ConnectRequest{TimeOut: 1 << 30}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.EqualValues(t, 2000, c.Response.TimeOut)
		}},
		{"reattach by id and password", jute.ConnectRequest{TimeOut: 1000, SessionID: first.Response.SessionID, Passwd: first.Response.Passwd}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.Equal(t, first.Response.SessionID, c.Response.SessionID)
			r, _ := call(t, c, 1, znode.OpExists, &jute.ExistsRequest{Path: "/hs"})
			assert.Equal(t, znode.OK, r.Header.Err)
			// The session's older connection is closed.
			require.NoError(t, first.WaitClosed())
		}},
		{"wrong password: zero session, then closed", jute.ConnectRequest{TimeOut: 1000, SessionID: first.Response.SessionID, Passwd: make([]byte, 16)}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.Equal(t, jute.ConnectResponse{Passwd: make([]byte, 16)}, c.Response)
			require.NoError(t, c.WaitClosed())
		}},
		{"unknown session: zero session, readOnly echoed", jute.ConnectRequest{TimeOut: 1000, SessionID: 0x1234, Passwd: make([]byte, 16), HasReadOnly: true}, func(t *testing.T, c *wiretest.Client, err error) {
			require.NoError(t, err)
			assert.Equal(t, jute.ConnectResponse{Passwd: make([]byte, 16), HasReadOnly: true}, c.Response)
			require.NoError(t, c.WaitClosed())
		}},
		{"client ahead of the server: closed without an answer", jute.ConnectRequest{TimeOut: 1000, LastZxidSeen: 1 << 40}, func(t *testing.T, c *wiretest.Client, err error) {
			assert.ErrorIs(t, err, io.EOF)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{Connect: tt.req})
			if c != nil {
				defer c.Close()
			}
			tt.check(t, c, err)
		})
	}
}

// A session that expired is answered with a zero session on reconnect.
func TestHandshakeExpiredSession(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c := ts.dial(t, wiretest.DialOptions{})
	id, pw := c.Response.SessionID, c.Response.Passwd
	ts.backend.Expire(id)
	require.NoError(t, c.WaitClosed())

	again, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{Connect: jute.ConnectRequest{TimeOut: 1000, SessionID: id, Passwd: pw}})
	require.NoError(t, err)
	defer again.Close()
	assert.Zero(t, again.Response.SessionID)
	assert.Zero(t, again.Response.TimeOut)
	require.NoError(t, again.WaitClosed())
}

// A connection that never sends its ConnectRequest is closed after the
// handshake timeout.
func TestHandshakeTimeout(t *testing.T) {
	ts := start(t, wire.Config{HandshakeTimeout: 100 * time.Millisecond}, wiretest.Options{})
	c, err := wiretest.DialRaw(context.Background(), ts.addr, wiretest.DialOptions{})
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.WaitClosed())
}
