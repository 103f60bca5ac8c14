package wire_test

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

func request(xid int32, op znode.OpCode, body jute.Record) []byte {
	b := jute.Marshal(&jute.RequestHeader{Xid: xid, Type: op})
	if body != nil {
		b = append(b, jute.Marshal(body)...)
	}
	return frame(b)
}

// FuzzConnection feeds a whole connection random bytes: the server must
// neither panic nor hang, must close the connection once the client has
// sent everything, and must go on serving others.
func FuzzConnection(f *testing.F) {
	connect := frame(jute.Marshal(&jute.ConnectRequest{TimeOut: 1000, Passwd: make([]byte, 16)}))
	cat := func(parts ...[]byte) []byte {
		var out []byte
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	f.Add([]byte("srvr"))
	f.Add([]byte("stmk\x00\x00\x00\x00\x00\x00\x00\x01"))
	f.Add(connect)
	f.Add(cat(connect, request(1, znode.OpCreate, &jute.CreateRequest{Path: "/f", Data: []byte("d"), ACL: znode.OpenACL})))
	f.Add(cat(connect, request(1, znode.OpGetData, &jute.GetDataRequest{Path: "/", Watch: true}), request(-2, znode.OpPing, nil)))
	f.Add(cat(connect, request(1, znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: znode.OpCreate, Request: &jute.CreateRequest{Path: "/m", ACL: znode.OpenACL, Flags: znode.Ephemeral}},
		{Type: znode.OpSetData, Request: &jute.SetDataRequest{Path: "/m", Version: -1}},
	}})))
	f.Add(cat(connect, request(1, znode.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: znode.OpGetChildren, Request: &jute.GetChildrenRequest{Path: "/"}},
	}})))
	f.Add(cat(connect, request(-8, znode.OpSetWatches2, &jute.SetWatches2{DataWatches: []string{"/"}, PersistentWatches: []string{"/"}})))
	f.Add(cat(connect, request(-4, znode.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("a:b")}), request(1, znode.OpWhoAmI, nil)))
	f.Add(cat(connect, request(1, znode.OpAddWatch, &jute.AddWatchRequest{Path: "/", Mode: 1}), request(2, znode.OpCloseSession, nil)))
	f.Add(cat(connect, request(1, 77, nil)))

	ts := start(f, wire.Config{
		HandshakeTimeout: time.Second, MaxBuffer: 64 << 10, FourLetterWords: []string{"*"}, TickTime: 20 * time.Millisecond,
	}, wiretest.Options{TickTime: 20 * time.Millisecond})

	f.Fuzz(func(t *testing.T, in []byte) {
		nc, err := net.Dial("tcp", ts.addr)
		require.NoError(t, err)
		defer nc.Close()
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
		// The server may close before reading everything: that is fine.
		_, _ = nc.Write(in)
		_ = nc.(*net.TCPConn).CloseWrite()
		_, err = io.Copy(io.Discard, nc)
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server neither answered nor closed")

		out, err := wiretest.FourLetter(t.Context(), ts.addr, "ruok")
		require.NoError(t, err)
		require.Equal(t, "imok", out)
	})
}
