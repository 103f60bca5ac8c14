package wire_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// pipelined sends b.N requests made by req on one connection without
// waiting and reads the b.N replies, reporting requests per second: the
// server's throughput for one client, backend included.
func pipelined(b *testing.B, setup func(c *wiretest.Client), op znode.OpCode, req func(i int) jute.Record) {
	ts := start(b, wire.Config{}, wiretest.Options{TickTime: time.Second})
	c := ts.dial(b, wiretest.DialOptions{})
	setup(c)
	b.ReportAllocs()
	b.ResetTimer()
	errs := make(chan error, 1)
	go func() {
		for i := range b.N {
			if err := c.Send(int32(i+1), op, req(i)); err != nil {
				errs <- err
				return
			}
		}
		errs <- nil
	}()
	for range b.N {
		r, err := c.Read()
		if err != nil {
			b.Fatal(err)
		}
		if r.Header.Err != znode.OK {
			b.Fatal(r.Header.Err)
		}
	}
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkPipelinedGetData(b *testing.B) {
	pipelined(b, func(c *wiretest.Client) {
		c.Call(1, znode.OpCreate, &jute.CreateRequest{Path: "/b", Data: make([]byte, 128), ACL: znode.OpenACL})
	}, znode.OpGetData, func(int) jute.Record { return &jute.GetDataRequest{Path: "/b"} })
}

func BenchmarkPipelinedSetData(b *testing.B) {
	pipelined(b, func(c *wiretest.Client) {
		c.Call(1, znode.OpCreate, &jute.CreateRequest{Path: "/b", ACL: znode.OpenACL})
	}, znode.OpSetData, func(int) jute.Record {
		return &jute.SetDataRequest{Path: "/b", Data: make([]byte, 128), Version: -1}
	})
}

func BenchmarkPipelinedCreate(b *testing.B) {
	pipelined(b, func(*wiretest.Client) {}, znode.OpCreate, func(i int) jute.Record {
		return &jute.CreateRequest{Path: fmt.Sprintf("/n%d", i), Data: make([]byte, 128), ACL: znode.OpenACL}
	})
}

// BenchmarkRoundTrip is one getData at a time: the latency of a request
// through the server.
func BenchmarkRoundTrip(b *testing.B) {
	ts := start(b, wire.Config{}, wiretest.Options{TickTime: time.Second})
	c := ts.dial(b, wiretest.DialOptions{})
	c.Call(1, znode.OpCreate, &jute.CreateRequest{Path: "/b", ACL: znode.OpenACL})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := c.Call(int32(i+2), znode.OpGetData, &jute.GetDataRequest{Path: "/b"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/req")
}
