package tcp_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/stretchr/testify/require"
)

// BenchmarkThroughput measures messages per second from one transport to
// another over TCP on 127.0.0.1, plain and with TLS. The sender keeps at
// most window messages in flight (the receiver reports its count), as a Zab
// leader bounds its pipeline, so the queue never overflows.
func BenchmarkThroughput(b *testing.B) {
	pki := newPKI(b)
	for _, secure := range []bool{false, true} {
		for _, size := range []int{100, 1024} {
			name := fmt.Sprintf("%dB", size)
			if secure {
				name += "/TLS"
			}
			b.Run(name, func(b *testing.B) {
				benchThroughput(b, pki, secure, size)
			})
		}
	}
}

func benchThroughput(b *testing.B, pki *pki, secure bool, size int) {
	const window = 4096
	lnA, lnB := listen(b), listen(b)
	peers := map[uint64]string{1: lnA.Addr().String(), 2: lnB.Addr().String()}
	ca, cb := fastConfig(1, peers), fastConfig(2, peers)
	ca.Listener, cb.Listener = lnA, lnB
	if secure {
		ca.TLS, cb.TLS = pki.config(b, 1), pki.config(b, 2)
	}
	recv, send := startConfig(b, ca), startConfig(b, cb)

	var received atomic.Int64
	progress := make(chan struct{}, 1)
	broken := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range recv.Events() {
			switch ev.Kind {
			case transport.Message:
				received.Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			case transport.Disconnected:
				broken <- ev.Err
				return
			}
		}
	}()
	go func() {
		for range send.Events() {
		}
	}()
	waitUntil := func(n int64) {
		for received.Load() < n {
			select {
			case <-progress:
			case err := <-broken:
				b.Fatalf("connection broke: %v", err)
			}
		}
	}

	payload := make([]byte, size)
	// Warm up: make the connection before the clock starts.
	require.NoError(b, send.Send(1, payload))
	waitUntil(1)
	received.Store(0)

	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		waitUntil(int64(i) - window + 1)
		if err := send.Send(1, payload); err != nil {
			b.Fatal(err)
		}
	}
	waitUntil(int64(b.N))
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	require.NoError(b, recv.Close())
	<-done
}
