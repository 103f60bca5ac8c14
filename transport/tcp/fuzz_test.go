package tcp

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fuzzSeeds are valid and nearly valid openings: a hello followed by frames.
func fuzzSeeds() [][]byte {
	connect := hello{kind: kindConnect, from: 3, to: 2, inc: 77, gen: 1}.encode()
	callMe := hello{kind: kindCallMe, from: 1, to: 2, inc: 5, seenInc: 77, seenGen: 1}.encode()
	frames := binary.BigEndian.AppendUint32(nil, 3)
	frames = append(frames, "abc"...)
	frames = append(frames, 0, 0, 0, 0) // heartbeat
	frames = binary.BigEndian.AppendUint32(frames, 1<<20)
	return [][]byte{
		nil,
		[]byte("ruok"),
		connect,
		append(append([]byte{}, connect...), frames...),
		append(append([]byte{}, connect...), 0xff, 0xff, 0xff, 0xff),
		append(append([]byte{}, connect...), 0, 0, 0, 9, 1, 2),
		callMe,
		append(append([]byte{}, callMe...), frames...),
	}
}

// FuzzDecode feeds random bytes over a net.Pipe to the acceptor's decoders:
// the hello, then frames. Whatever the bytes, decoding ends with an error
// from the documented set, frames never exceed the maximum, and nothing
// panics.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		defer server.Close()
		go func() {
			client.Write(data)
			client.Close()
		}()
		h, err := readHello(server)
		if err != nil {
			require.ErrorIs(t, err, ErrHandshake)
			return
		}
		require.Equal(t, data[:helloSize], h.encode(), "a decoded hello encodes back to its bytes")
		fr := newFrameReader(server, 1024)
		for {
			p, err := fr.next()
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrFrameTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			require.LessOrEqual(t, len(p), 1024)
		}
	})
}

// FuzzAccept feeds random bytes over a real socket to a running transport's
// acceptor, the whole path a connection from the network takes: handshake,
// call-me handling, installing the connection, reading frames, reporting.
func FuzzAccept(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(f, err)
	defer ln.Close()
	own, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(f, err)
	tr, err := New(context.Background(), Config{
		ID:       2,
		Listener: own,
		// Server 1's address refuses connections, so call-me requests
		// make quick failed dials.
		Peers:       map[uint64]string{1: "127.0.0.1:1", 3: "127.0.0.1:1"},
		MaxFrame:    1024,
		DialTimeout: time.Second,
		BackoffMin:  time.Millisecond,
		BackoffMax:  time.Millisecond,
	})
	require.NoError(f, err)
	defer func() {
		require.NoError(f, tr.Close())
		require.Zero(f, tr.live.Load())
	}()
	go func() { // the consumer
		for range tr.Events() {
		}
	}()

	f.Fuzz(func(t *testing.T, data []byte) {
		accepted := make(chan net.Conn, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}()
		client, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer client.Close()
		server, ok := <-accepted
		require.True(t, ok)
		require.True(t, tr.track(server))

		drained := make(chan struct{})
		go func() { // read replies until the transport hangs up
			defer close(drained)
			io.Copy(io.Discard, client)
		}()
		client.Write(data)
		client.(*net.TCPConn).CloseWrite()

		if err := tr.handshake(server); err != nil {
			if !errors.Is(err, ErrHandshake) && !errors.Is(err, io.EOF) {
				var ne net.Error
				if !errors.As(err, &ne) {
					t.Fatalf("unexpected handshake error %v", err)
				}
			}
			tr.closeSocket(server)
		}
		select {
		case <-drained:
		case <-time.After(10 * time.Second):
			t.Fatal("the transport never closed the connection")
		}
	})
}
