package wal_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendScanReopenOnDisk(t *testing.T) {
	dir := t.TempDir()
	opts := wal.Options{LogDir: dir + "/log", SnapDir: dir + "/snap", SegmentSize: 4096}
	l := mustOpen(t, opts)
	var rs []rec
	for z := int64(1); z <= 200; z++ {
		rs = append(rs, rec{z, payload(z, 0, int(z%150))})
	}
	for i := 0; i < len(rs); i += 7 {
		require.NoError(t, l.Append(bg, toWAL(rs[i:min(i+7, len(rs))])...))
	}
	assert.Equal(t, int64(200), l.LastZxid())
	assert.Equal(t, int64(1), l.FirstZxid())
	assert.Equal(t, rs, scanAll(t, l, 0))
	require.NoError(t, l.Close())

	l = mustOpen(t, opts)
	defer l.Close()
	assert.Equal(t, int64(200), l.Recovery().Records)
	assert.Greater(t, l.Recovery().Segments, 3)
	assert.Equal(t, rs, scanAll(t, l, 0))
	assert.Equal(t, rs[150:], scanAll(t, l, 150))
	assert.Empty(t, scanAll(t, l, 200))
}

func TestAppendEnforcesTheZxidRule(t *testing.T) {
	big := make([]byte, wal.MaxRecordSize+1)
	for _, tc := range []struct {
		name string
		recs []wal.Record
		want error
	}{
		{"the next counter", []wal.Record{{Zxid: zx(1, 4)}}, nil},
		{"several in order", []wal.Record{{Zxid: zx(1, 4)}, {Zxid: zx(1, 5)}}, nil},
		{"a new epoch from 1", []wal.Record{{Zxid: zx(2, 1)}}, nil},
		{"a new epoch from 0", []wal.Record{{Zxid: zx(5, 0)}}, nil},
		{"the same zxid", []wal.Record{{Zxid: zx(1, 3)}}, wal.ErrOutOfOrder},
		{"a lower zxid", []wal.Record{{Zxid: zx(1, 1)}}, wal.ErrOutOfOrder},
		{"a zero zxid", []wal.Record{{Zxid: 0}}, wal.ErrOutOfOrder},
		{"a skipped counter", []wal.Record{{Zxid: zx(1, 5)}}, wal.ErrGap},
		{"a new epoch mid-count", []wal.Record{{Zxid: zx(2, 7)}}, wal.ErrGap},
		{"disorder within a call", []wal.Record{{Zxid: zx(1, 5)}, {Zxid: zx(1, 4)}}, wal.ErrOutOfOrder},
		{"a gap within a call", []wal.Record{{Zxid: zx(1, 4)}, {Zxid: zx(1, 6)}}, wal.ErrGap},
		{"a record too large", []wal.Record{{Zxid: zx(1, 4), Data: big}}, wal.ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := mustOpen(t, fsOptions(newFS(t), 4096))
			defer l.Close()
			for c := int64(1); c <= 3; c++ {
				require.NoError(t, l.Append(bg, wal.Record{Zxid: zx(1, c)}))
			}
			err := l.Append(bg, tc.recs...)
			if tc.want == nil {
				require.NoError(t, err)
				assert.Equal(t, tc.recs[len(tc.recs)-1].Zxid, l.LastZxid())
				return
			}
			require.ErrorIs(t, err, tc.want)
			assert.Equal(t, zx(1, 3), l.LastZxid(), "a refused append changes nothing")
			require.NoError(t, l.Append(bg, wal.Record{Zxid: zx(1, 4)}), "nor breaks the log")
		})
	}
}

func TestFollows(t *testing.T) {
	for _, tc := range []struct {
		prev, next int64
		want       bool
	}{
		{0, 1, true},
		{0, zx(1, 1), true},
		{0, 2, false},
		{zx(3, 9), zx(3, 10), true},
		{zx(3, 9), zx(3, 11), false},
		{zx(3, 9), zx(3, 9), false},
		{zx(3, 9), zx(3, 8), false},
		{zx(3, 9), zx(4, 0), true},
		{zx(3, 9), zx(7, 1), true},
		{zx(3, 9), zx(4, 2), false},
		{zx(3, 9), zx(2, 1), false},
		{zx(3, 0xffffffff), zx(4, 0), true},
	} {
		assert.Equal(t, tc.want, wal.Follows(tc.prev, tc.next), "Follows(%#x, %#x)", tc.prev, tc.next)
	}
}

func TestAppendAsyncCallsBackInOrder(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 4096))
	defer l.Close()
	var mu sync.Mutex
	var got []string
	var wg sync.WaitGroup
	call := func(label string, recs ...wal.Record) {
		wg.Add(1)
		l.AppendAsync(recs, func(err error) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, fmt.Sprintf("%s:%v", label, errors.Is(err, wal.ErrGap)))
			wg.Done()
		})
	}
	for z := int64(1); z <= 50; z++ {
		call(fmt.Sprint(z), wal.Record{Zxid: z, Data: []byte("x")})
		if z == 25 {
			call("bad", wal.Record{Zxid: 99})
		}
	}
	wg.Wait()
	var want []string
	for z := 1; z <= 50; z++ {
		want = append(want, fmt.Sprintf("%d:false", z))
		if z == 25 {
			want = append(want, "bad:true")
		}
	}
	assert.Equal(t, want, got)
	assert.Equal(t, int64(50), l.LastZxid())
}

func TestAppendWithADoneContext(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 4096))
	defer l.Close()
	ctx, cancel := context.WithCancel(bg)
	cancel()
	require.ErrorIs(t, l.Append(ctx, wal.Record{Zxid: 1}), context.Canceled)
	require.ErrorIs(t, l.Truncate(ctx, 0), context.Canceled)
	require.ErrorIs(t, l.SetAcceptedEpoch(ctx, 1), context.Canceled)
	require.ErrorIs(t, l.SaveSnapshot(ctx, 0, func(io.Writer) error { return nil }), context.Canceled)
	assert.Equal(t, int64(0), l.LastZxid())
	_, err := wal.Open(ctx, fsOptions(newFS(t), 4096))
	require.ErrorIs(t, err, context.Canceled)
}

func TestRecordsLargerThanASegment(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	rs := []rec{{1, "small"}, {2, strings.Repeat("B", 5000)}, {3, "small"}, {4, strings.Repeat("C", 3000)}}
	for _, r := range rs {
		require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
	}
	require.NoError(t, l.Close())
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, rs, history(t, l))
}

func TestScanStopsWithTheCallbacksError(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 1024))
	defer l.Close()
	for z := int64(1); z <= 30; z++ {
		require.NoError(t, l.Append(bg, wal.Record{Zxid: z, Data: []byte("0123456789")}))
	}
	stop := errors.New("enough")
	var seen []int64
	err := l.Scan(10, func(z int64, _ []byte) error {
		seen = append(seen, z)
		if z == 20 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	assert.Equal(t, []int64{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, seen)
}

// Scan finds its start through each segment's sparse index; every start
// point must give exactly the records above it.
func TestScanFromEveryPointOfLargeSegments(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 512<<10))
	defer l.Close()
	var rs []rec
	for z := int64(1); z <= 6000; z++ {
		rs = append(rs, rec{z, payload(z, 0, 100+int(z%50))})
	}
	for i := 0; i < len(rs); i += 100 {
		require.NoError(t, l.Append(bg, toWAL(rs[i:i+100])...))
	}
	for _, after := range []int64{0, 1, 99, 100, 101, 640, 2999, 3000, 4567, 5999, 6000, 7000} {
		got := scanAll(t, l, after)
		if after >= 6000 {
			assert.Empty(t, got)
			continue
		}
		assert.Equal(t, rs[after:], got, "after %d", after)
	}
}

func TestScanWhileAppending(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 2048))
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for z := int64(1); z <= 1000; z++ {
			if err := l.Append(bg, wal.Record{Zxid: z, Data: []byte(payload(z, 0, 30))}); err != nil {
				panic(err)
			}
		}
	}()
	for scans := 0; ; scans++ {
		finished := false
		select {
		case <-done:
			finished = true
		default:
		}
		got := scanAll(t, l, 0)
		for i, r := range got {
			require.Equal(t, int64(i+1), r.z, "a scan sees a prefix of the log")
			require.Equal(t, payload(r.z, 0, 30), r.d)
		}
		if finished {
			require.Len(t, got, 1000)
			return
		}
	}
}

func TestCloseStopsItsGoroutines(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	for z := int64(1); z <= 40; z++ {
		l.AppendAsync([]wal.Record{{Zxid: z, Data: []byte(payload(z, 0, 60))}}, nil)
	}
	require.NoError(t, l.Close(), "Close writes what is queued")
	stacks := make([]byte, 1<<20)
	stacks = stacks[:runtime.Stack(stacks, true)]
	assert.NotContains(t, string(stacks), "wal.(*Log).syncLoop")
	assert.NotContains(t, string(stacks), "wal.(*preparer).run")

	require.NoError(t, l.Close(), "Close twice is fine")
	require.ErrorIs(t, l.Append(bg, wal.Record{Zxid: 41}), wal.ErrClosed)
	var got error
	l.AppendAsync([]wal.Record{{Zxid: 41}}, func(err error) { got = err })
	require.ErrorIs(t, got, wal.ErrClosed)
	require.ErrorIs(t, l.Scan(0, func(int64, []byte) error { return nil }), wal.ErrClosed)
	require.ErrorIs(t, l.Truncate(bg, 3), wal.ErrClosed)
	require.ErrorIs(t, l.SetCurrentEpoch(bg, 0), wal.ErrClosed)
	_, _, err := l.LatestSnapshot()
	require.ErrorIs(t, err, wal.ErrClosed)

	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, int64(40), l.LastZxid())
	assert.Empty(t, walFiles(t, fsys, testLogDir, "prealloc."), "no preallocated file left behind")
}

func TestSeparateSnapshotAndLogDirectories(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	require.NoError(t, l.SetAcceptedEpoch(bg, 1))
	require.NoError(t, l.Append(bg, wal.Record{Zxid: 1, Data: []byte("a")}))
	require.NoError(t, saveHist(bg, l, 1, []rec{{1, "a"}}))
	require.NoError(t, l.Close())
	assert.Len(t, walFiles(t, fsys, testLogDir, "log."), 1)
	assert.Len(t, walFiles(t, fsys, testLogDir, "epochs"), 1)
	assert.Empty(t, walFiles(t, fsys, testLogDir, "snapshot."))
	assert.Len(t, walFiles(t, fsys, testSnapDir, "snapshot."), 1)
	assert.Empty(t, walFiles(t, fsys, testSnapDir, "log."))
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, opts := range []wal.Options{
		{},
		{LogDir: "/x", SegmentSize: 100, FS: faultfs.New()},
	} {
		_, err := wal.Open(bg, opts)
		require.ErrorIs(t, err, wal.ErrInvalid)
	}
}

// A done callback runs on the syncer and may append again.
func TestDoneMayAppendAgain(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 4096))
	defer l.Close()
	finished := make(chan error, 1)
	var chain func(z int64) func(error)
	chain = func(z int64) func(error) {
		return func(err error) {
			if err != nil || z == 100 {
				finished <- err
				return
			}
			l.AppendAsync([]wal.Record{{Zxid: z + 1, Data: []byte("chained")}}, chain(z+1))
		}
	}
	l.AppendAsync([]wal.Record{{Zxid: 1}}, chain(1))
	require.NoError(t, <-finished)
	assert.Equal(t, int64(100), l.LastZxid())
}
