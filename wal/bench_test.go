package wal_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/wal"
)

// countingFS counts data syncs, to report how many appends each fsync
// carried.
type countingFS struct {
	wal.FS
	syncs atomic.Int64
}

func (c *countingFS) OpenFile(name string, flag int, perm fs.FileMode) (wal.File, error) {
	f, err := c.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return countingFile{f, &c.syncs}, nil
}

type countingFile struct {
	wal.File
	syncs *atomic.Int64
}

func (f countingFile) Datasync() error {
	f.syncs.Add(1)
	return f.File.Datasync()
}

// BenchmarkAppend measures group commit on the real disk, fsync on:
// appends/s and the latency of each append from queueing to its callback,
// with 1, 16 and 256 appenders each waiting for its own record, at 100 B
// and 1 KiB. Compare appends/s with BenchmarkRawFsync's fsyncs/s.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, n := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("size=%d/appenders=%d", size, n), func(b *testing.B) {
				benchAppend(b, n, size)
			})
		}
	}
}

func benchAppend(b *testing.B, appenders, size int) {
	cfs := &countingFS{FS: wal.OSFS{}}
	l, err := wal.Open(bg, wal.Options{LogDir: b.TempDir(), FS: cfs})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	data := make([]byte, size)
	if err := l.Append(bg, wal.Record{Zxid: 1, Data: data}); err != nil { // waits for the first segment
		b.Fatal(err)
	}
	var mu sync.Mutex
	next := int64(2)
	var remaining atomic.Int64
	remaining.Store(int64(b.N))
	lat := make([][]time.Duration, appenders)
	syncs0 := cfs.syncs.Load()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			done := make(chan error, 1)
			cb := func(err error) { done <- err }
			for remaining.Add(-1) >= 0 {
				t0 := time.Now()
				mu.Lock() // zxids in queue order, as Zab's leader assigns them
				l.AppendAsync([]wal.Record{{Zxid: next, Data: data}}, cb)
				next++
				mu.Unlock()
				if err := <-done; err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "appends/s")
	b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(b.N)/float64(max(cfs.syncs.Load()-syncs0, 1)), "appends/fsync")
}

// BenchmarkRawFsync is the disk's own rate: one write and one fdatasync per
// operation into a zero-filled file, as the log writes its segments.
func BenchmarkRawFsync(b *testing.B) {
	for _, size := range []int{100, 1024} {
		b.Run(fmt.Sprintf("size=%d", size), func(b *testing.B) {
			f, err := wal.OSFS{}.OpenFile(filepath.Join(b.TempDir(), "raw"), os.O_CREATE|os.O_RDWR, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			zeros := make([]byte, 1<<20)
			for off := int64(0); off < 64<<20; off += int64(len(zeros)) {
				if _, err := f.WriteAt(zeros, off); err != nil {
					b.Fatal(err)
				}
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, size)
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := f.WriteAt(buf, int64(i*size)%(64<<20-int64(size))); err != nil {
					b.Fatal(err)
				}
				if err := f.Datasync(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "fsyncs/s")
		})
	}
}

// BenchmarkRecovery opens a log of 1M records of 100 B (checking every
// record) and replays it with Scan, as a restarting peer does.
func BenchmarkRecovery(b *testing.B) {
	const n, size = 1_000_000, 100
	dir := b.TempDir()
	l, err := wal.Open(bg, wal.Options{LogDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]wal.Record, 1000)
	data := make([]byte, size)
	for z := int64(1); z <= n; z += int64(len(recs)) {
		for i := range recs {
			recs[i] = wal.Record{Zxid: z + int64(i), Data: data}
		}
		if err := l.Append(bg, recs...); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var open, replay time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		l, err := wal.Open(bg, wal.Options{LogDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		count := 0
		if err := l.Scan(0, func(int64, []byte) error { count++; return nil }); err != nil {
			b.Fatal(err)
		}
		replay += time.Since(t1)
		open += t1.Sub(t0)
		if count != n {
			b.Fatalf("replayed %d records, want %d", count, n)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(open.Seconds()*1000/float64(b.N), "open-ms")
	b.ReportMetric(replay.Seconds()*1000/float64(b.N), "replay-ms")
	b.ReportMetric(float64(n)*float64(b.N)/(open+replay).Seconds(), "records/s")
}
