package mem_test

import (
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
)

// BenchmarkThroughput measures messages per second between two endpoints
// of one Network, for comparison with transport/tcp's.
func BenchmarkThroughput(b *testing.B) {
	for _, size := range []int{100, 1024} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			n := mem.NewNetwork(mem.Options{})
			defer n.Close()
			recv, send := n.Endpoint(1), n.Endpoint(2)
			payload := make([]byte, size)
			const window = 4096
			b.SetBytes(int64(size))
			b.ReportAllocs()
			got := 0
			receive := func() {
				for ev := range recv.Events() {
					if ev.Kind == transport.Message {
						got++
						return
					}
				}
			}
			for i := range b.N {
				if i-got >= window {
					receive()
				}
				if err := send.Send(1, payload); err != nil {
					b.Fatal(err)
				}
			}
			for got < b.N {
				receive()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
