package session

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/ensemble-go/ensemble/znode"
)

const (
	benchPaths     = 10_000
	benchWatches   = 100_000
	benchPerPath   = benchWatches / benchPaths
	benchSessions  = 100_000
	benchTickMs    = 2000
	benchTimeoutMs = 20_000
)

func benchPath(i int) string { return fmt.Sprintf("/app/svc%02d/n%05d", i%100, i) }

// newBenchWatches sets 100k watches of kind k over 10k paths: every path
// has 10 watchers, and each of the 10k watchers watches 10 paths.
func newBenchWatches(k Kind) (*Watches, []string) {
	m := NewWatches()
	paths := make([]string, benchPaths)
	for i := range paths {
		paths[i] = benchPath(i)
	}
	for i := range benchPaths {
		for j := range benchPerPath {
			m.Add(WatcherID((i+j*1009)%benchPaths), paths[i], k)
		}
	}
	return m, paths
}

// BenchmarkTrigger routes one event with 100k watches set over 10k paths.
func BenchmarkTrigger(b *testing.B) {
	b.Run("data-one-shot", func(b *testing.B) {
		// Each event uses up 10 watches; the clients set them again, as
		// they do after every event. Both are timed.
		m, paths := newBenchWatches(DataWatch)
		var buf []Delivery
		delivered := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			p := paths[i%benchPaths]
			buf = m.AppendTrigger(buf[:0], znode.Event{Type: znode.EventNodeDataChanged, Path: p, Zxid: int64(i)})
			delivered += len(buf)
			for _, d := range buf {
				m.Add(d.Watcher, p, DataWatch)
			}
		}
		b.ReportMetric(float64(delivered)/float64(b.N), "deliveries/op")
	})
	b.Run("persistent", func(b *testing.B) {
		m, paths := newBenchWatches(PersistentWatch)
		var buf []Delivery
		delivered := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			buf = m.AppendTrigger(buf[:0], znode.Event{Type: znode.EventNodeDataChanged, Path: paths[i%benchPaths], Zxid: int64(i)})
			delivered += len(buf)
		}
		b.ReportMetric(float64(delivered)/float64(b.N), "deliveries/op")
	})
	b.Run("persistent+recursive-ancestors", func(b *testing.B) {
		// As above plus 100 recursive watches on /app and on each
		// /app/svcNN: every event walks three ancestors.
		m, paths := newBenchWatches(PersistentWatch)
		for w := range WatcherID(100) {
			m.Add(w, "/app", RecursiveWatch)
			m.Add(w, fmt.Sprintf("/app/svc%02d", w), RecursiveWatch)
		}
		var buf []Delivery
		delivered := 0
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			buf = m.AppendTrigger(buf[:0], znode.Event{Type: znode.EventNodeDataChanged, Path: paths[i%benchPaths], Zxid: int64(i)})
			delivered += len(buf)
		}
		b.ReportMetric(float64(delivered)/float64(b.N), "deliveries/op")
	})
	b.Run("unwatched-path", func(b *testing.B) {
		// Most writes touch nodes nobody watches.
		m, _ := newBenchWatches(DataWatch)
		ev := znode.Event{Type: znode.EventNodeDataChanged, Path: "/other/node"}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if len(m.AppendTrigger(nil, ev)) != 0 {
				b.Fatal("delivered")
			}
		}
	})
}

// BenchmarkWatchesRemoveAll drops a watcher with 10 watches, as a
// connection closes, and sets them again.
func BenchmarkWatchesRemoveAll(b *testing.B) {
	m, paths := newBenchWatches(DataWatch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		w := WatcherID(i % benchPaths)
		m.RemoveAll(w)
		for j := range benchPerPath {
			m.Add(w, paths[(int(w)+benchPaths-j*1009%benchPaths)%benchPaths], DataWatch)
		}
	}
}

// newBenchTracker tracks 100k sessions whose expiries are spread over the
// ticks of one timeout, as they are after the sessions have run a while.
func newBenchTracker(b *testing.B) (*Tracker, *IDGenerator) {
	tr, err := NewTracker(benchTickMs)
	if err != nil {
		b.Fatal(err)
	}
	g, err := NewIDGenerator(1, 1_700_000_000_000)
	if err != nil {
		b.Fatal(err)
	}
	perTick := benchSessions / (benchTimeoutMs / benchTickMs)
	for i := range benchSessions {
		if i > 0 && i%perTick == 0 {
			tr.Tick()
		}
		tr.Add(g.Next(), benchTimeoutMs)
	}
	return tr, g
}

// BenchmarkTrackerTick ticks a tracker of 100k sessions in a steady state:
// each tick one tenth of them expire and as many new ones arrive.
func BenchmarkTrackerTick(b *testing.B) {
	tr, g := newBenchTracker(b)
	expired := 0
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		gone := tr.Tick()
		expired += len(gone)
		b.StopTimer()
		for _, id := range gone {
			tr.Remove(id)
			tr.Add(g.Next(), benchTimeoutMs)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(expired)/float64(b.N), "expired/op")
	b.ReportMetric(float64(tr.Len()), "sessions")
}

// BenchmarkTrackerTouch touches sessions of a 100k tracker round robin, a
// tick every 100k touches: the cost every request and ping pays.
func BenchmarkTrackerTouch(b *testing.B) {
	tr, _ := newBenchTracker(b)
	ids := make([]int64, 0, benchSessions)
	for id := range tr.sessions {
		ids = append(ids, id)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%benchSessions == 0 {
			tr.Tick()
		}
		if !tr.Touch(ids[i%benchSessions]) {
			b.Fatal("session expired while being touched")
		}
	}
}

// BenchmarkTouchesEncode encodes and decodes a learner's ping of 10k
// sessions.
func BenchmarkTouchesEncode(b *testing.B) {
	g, err := NewIDGenerator(2, 1_700_000_000_000)
	if err != nil {
		b.Fatal(err)
	}
	m := make(map[int64]int32)
	for range 10_000 {
		m[g.Next()] = 30000
	}
	var buf []byte
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			buf = AppendTouches(buf[:0], m)
		}
		b.ReportMetric(float64(len(buf))/float64(len(m)), "bytes/session")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := DecodeTouches(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// heapAfter returns the live heap after building something with build.
func heapAfter(build func() any) (uint64, any) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return after.HeapAlloc - before.HeapAlloc, v
}

// BenchmarkMemory reports the memory a watch and a tracked session take,
// at 100k of each.
func BenchmarkMemory(b *testing.B) {
	b.Run("watches", func(b *testing.B) {
		for range b.N {
			n, m := heapAfter(func() any { w, _ := newBenchWatches(DataWatch); return w })
			runtime.KeepAlive(m)
			b.ReportMetric(float64(n)/benchWatches, "bytes/watch")
		}
	})
	b.Run("tracker", func(b *testing.B) {
		for range b.N {
			n, tr := heapAfter(func() any { tr, _ := newBenchTracker(b); return tr })
			runtime.KeepAlive(tr)
			b.ReportMetric(float64(n)/benchSessions, "bytes/session")
		}
	})
}
