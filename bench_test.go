package ensemble

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// BenchmarkWrites measures setData throughput and latency through the
// in-process API on a 3-peer ensemble, over transport/mem and over
// transport/tcp on 127.0.0.1, with sessions spread over all three peers.
// Writes are 100 bytes, each session on its own znode, fsync on.
func BenchmarkWrites(b *testing.B) {
	for _, tr := range []string{"mem", "tcp"} {
		for _, sessions := range []int{1, 32, 256} {
			b.Run(fmt.Sprintf("%s/sessions=%d", tr, sessions), func(b *testing.B) {
				benchmarkWrites(b, tr == "tcp", sessions)
			})
		}
	}
}

func benchmarkWrites(b *testing.B, tcp bool, sessions int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	modify := func(c *Config) {
		c.TickTime = 200 * time.Millisecond
		c.LogSegmentSize = 16 << 20
	}
	if tcp {
		modify = func(c *Config) {
			c.TickTime = 200 * time.Millisecond
			c.LogSegmentSize = 16 << 20
			useTCP(c)
		}
	}
	cl := newTestCluster(b, 3, 0, modify)
	cl.verboseLogs = false
	cl.waitReady(ctx)
	var nodes []*Node
	for _, n := range cl.nodes {
		nodes = append(nodes, n)
	}
	clients := make([]*Client, sessions)
	data := make([]byte, 100)
	for i := range clients {
		c, err := nodes[i%len(nodes)].NewClient(ctx, ClientOptions{})
		require.NoError(b, err)
		_, err = c.Create(ctx, fmt.Sprintf("/b%d", i), data, znode.Persistent, nil)
		require.NoError(b, err)
		clients[i] = c
	}

	var next atomic.Int64
	lat := make([][]time.Duration, sessions)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *Client) {
			defer wg.Done()
			path := fmt.Sprintf("/b%d", i)
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if _, err := c.Set(ctx, path, data, -1); err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "writes/s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
	for _, c := range clients {
		c.Close()
	}
}
