package znode

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"sync"
	"testing"
)

// The benchmark tree: 1M znodes with 100-byte data, 10,000 parents of 100
// children each ("/b/p0000/c00"), built once and only by benchmarks.
const (
	benchParents  = 10_000
	benchChildren = 100
)

var (
	benchOnce sync.Once
	benchTree *Tree
	benchZxid int64
	benchSeq  int // makes the names of created znodes unique across runs
)

func benchPath(p, c int) string { return fmt.Sprintf("/b/p%04d/c%02d", p, c) }

// buildBenchTree applies create txns directly, as a replica would.
func buildBenchTree() (*Tree, int64) {
	tree := New(Options{})
	data := make([]byte, 100)
	zxid := int64(0)
	create := func(path string) {
		zxid++
		res, _ := tree.Apply(Txn{
			Header: TxnHeader{ClientID: testSession, Zxid: zxid, Time: zxid, Type: OpCreate},
			Body:   &CreateTxn{Path: path, Data: data, ACL: OpenACL, ParentCVersion: -1},
		})
		if res.Code != OK {
			panic(res.Code)
		}
	}
	zxid++
	tree.Apply(Txn{Header: TxnHeader{ClientID: testSession, Zxid: zxid, Type: OpCreateSession}, Body: &CreateSessionTxn{TimeOut: 30000}})
	create("/b")
	for p := 0; p < benchParents; p++ {
		create(fmt.Sprintf("/b/p%04d", p))
		for c := 0; c < benchChildren; c++ {
			create(benchPath(p, c))
		}
	}
	return tree, zxid
}

func bigTree(b *testing.B) (*Tree, *int64) {
	benchOnce.Do(func() { benchTree, benchZxid = buildBenchTree() })
	b.ResetTimer()
	return benchTree, &benchZxid
}

// BenchmarkGetSmall is BenchmarkGet on a tree of 100 znodes, to tell the
// cost of a deep index from the machine's speed.
func BenchmarkGetSmall(b *testing.B) {
	h := newHarness(b, Options{})
	for i := 0; i < 100; i++ {
		h.create(fmt.Sprintf("/n%03d", i), "0123456789")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := h.tree.Get("/n042", Auth{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeapPerZnode reports the live heap per znode of a 1M-znode tree
// with 100-byte data.
func BenchmarkHeapPerZnode(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tree, _ := buildBenchTree()
		runtime.GC()
		runtime.ReadMemStats(&after)
		n := tree.NodeCount()
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(n), "B/znode")
		b.ReportMetric(float64(n), "znodes")
		runtime.KeepAlive(tree)
	}
}

// BenchmarkCreate prepares and applies creates of new znodes, as the
// leader does, on the 1M tree.
func BenchmarkCreate(b *testing.B) {
	tree, zxid := bigTree(b)
	prep := NewPreparer(tree)
	data := make([]byte, 100)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		*zxid++
		benchSeq++
		txn, err := prep.Prepare(Header{Session: testSession, Zxid: *zxid, Time: *zxid},
			CreateRequest{Path: fmt.Sprintf("/b/p%04d/new%09d", i%benchParents, benchSeq), Data: data, ACL: OpenACL}, Auth{})
		if err != nil {
			b.Fatal(err)
		}
		if res, _ := tree.Apply(txn); res.Code != OK {
			b.Fatal(res.Code)
		}
		prep.Applied(*zxid)
	}
}

// BenchmarkApplyCreate applies create txns only, as a follower does.
func BenchmarkApplyCreate(b *testing.B) {
	tree, zxid := bigTree(b)
	data := make([]byte, 100)
	paths := make([]string, b.N)
	for i := range paths {
		benchSeq++
		paths[i] = fmt.Sprintf("/b/p%04d/apply%09d", i%benchParents, benchSeq)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		*zxid++
		res, _ := tree.Apply(Txn{
			Header: TxnHeader{ClientID: testSession, Zxid: *zxid, Time: *zxid, Type: OpCreate},
			Body:   &CreateTxn{Path: paths[i], Data: data, ACL: OpenACL, ParentCVersion: -1},
		})
		if res.Code != OK {
			b.Fatal(res.Code)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	tree, _ := bigTree(b)
	r := rand.New(rand.NewSource(1))
	paths := make([]string, 4096)
	for i := range paths {
		paths[i] = benchPath(r.Intn(benchParents), r.Intn(benchChildren))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := tree.Get(paths[i%len(paths)], Auth{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetParallel reads from every core, as client connections do.
func BenchmarkGetParallel(b *testing.B) {
	tree, _ := bigTree(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewSource(rand.Int63()))
		for pb.Next() {
			if _, _, err := tree.Get(benchPath(r.Intn(benchParents), r.Intn(benchChildren)), Auth{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSet prepares and applies setData on existing znodes.
func BenchmarkSet(b *testing.B) {
	tree, zxid := bigTree(b)
	prep := NewPreparer(tree)
	data := make([]byte, 100)
	r := rand.New(rand.NewSource(2))
	paths := make([]string, 4096)
	for i := range paths {
		paths[i] = benchPath(r.Intn(benchParents), r.Intn(benchChildren))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		*zxid++
		txn, err := prep.Prepare(Header{Session: testSession, Zxid: *zxid, Time: *zxid},
			SetDataRequest{Path: paths[i%len(paths)], Data: data, Version: -1}, Auth{})
		if err != nil {
			b.Fatal(err)
		}
		if res, _ := tree.Apply(txn); res.Code != OK {
			b.Fatal(res.Code)
		}
		prep.Applied(*zxid)
	}
}

// BenchmarkChildren lists a znode of 100 children.
func BenchmarkChildren(b *testing.B) {
	tree, _ := bigTree(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		names, _, err := tree.Children(fmt.Sprintf("/b/p%04d", i%benchParents), Auth{})
		if err != nil || len(names) < benchChildren {
			b.Fatal(err, len(names))
		}
	}
}

// BenchmarkPipelined prepares a window of writes before applying them, as
// a leader with many proposals in flight does.
func BenchmarkPipelined(b *testing.B) {
	tree, zxid := bigTree(b)
	prep := NewPreparer(tree)
	data := make([]byte, 100)
	const window = 256
	txns := make([]Txn, 0, window)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		*zxid++
		txn, err := prep.Prepare(Header{Session: testSession, Zxid: *zxid, Time: *zxid},
			SetDataRequest{Path: benchPath(i%benchParents, i%benchChildren), Data: data, Version: -1}, Auth{})
		if err != nil {
			b.Fatal(err)
		}
		txns = append(txns, txn)
		if len(txns) == window || i == b.N-1 {
			for _, t := range txns {
				tree.Apply(t)
			}
			prep.Applied(txns[len(txns)-1].Header.Zxid)
			txns = txns[:0]
		}
	}
}

// BenchmarkSnapshotWrite writes the 1M tree; SetBytes makes MB/s the
// snapshot's write speed.
func BenchmarkSnapshotWrite(b *testing.B) {
	tree, _ := bigTree(b)
	var size int64
	for i := 0; i < b.N; i++ {
		n, err := tree.Snapshot().WriteTo(io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size)/float64(tree.NodeCount()), "B/znode-on-disk")
}

func BenchmarkSnapshotRead(b *testing.B) {
	tree, _ := bigTree(b)
	var buf bytes.Buffer
	if _, err := tree.Snapshot().WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
