package jute

import (
	"testing"

	"github.com/ensemble-go/ensemble/znode"
)

func BenchmarkEncodeGetDataResponse(b *testing.B) {
	r := GetDataResponse{Data: make([]byte, 1024), Stat: sampleStat}
	var e Encoder
	b.ReportAllocs()
	b.SetBytes(int64(len(Marshal(&r))))
	for b.Loop() {
		e.Reset()
		r.Encode(&e)
	}
}

func BenchmarkDecodeCreateRequest(b *testing.B) {
	in := Marshal(&CreateRequest{Path: "/bench/node-0000000001", Data: make([]byte, 1024), ACL: znode.OpenACL, Flags: znode.Persistent})
	var d Decoder
	var r CreateRequest
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d.Reset(in)
		r.Decode(&d)
	}
}

func BenchmarkDecodeMulti(b *testing.B) {
	m := MultiRequest{}
	for range 10 {
		m.Ops = append(m.Ops, MultiOp{Type: znode.OpSetData, Request: &SetDataRequest{Path: "/bench/x", Data: make([]byte, 64), Version: -1}})
	}
	in := Marshal(&m)
	var d Decoder
	var r MultiRequest
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d.Reset(in)
		r.Decode(&d)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(m.Ops)), "ns/op-in-multi")
}
