package wal_test

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/require"
)

// crashModel tracks what the log has acknowledged, and which outcomes a
// crash during the operation in flight may leave.
type crashModel struct {
	must     []rec           // the acknowledged history
	snaps    map[int64][]rec // acknowledged snapshots
	accepted int64
	current  int64
	gen      int // bumped by each truncation, so re-appended zxids differ

	outcomes [][]rec    // histories allowed if the operation in flight crashed
	epochs   [][2]int64 // epoch pairs allowed likewise
}

func newCrashModel() *crashModel {
	m := &crashModel{snaps: map[int64][]rec{}}
	m.begin()
	return m
}

// begin records what a crash during the next operation may leave, besides
// the acknowledged history.
func (m *crashModel) begin(also ...[]rec) {
	m.outcomes = append([][]rec{m.must}, also...)
	m.epochs = [][2]int64{{m.accepted, m.current}}
}

func (m *crashModel) append(ctx context.Context, l *wal.Log, rs ...rec) error {
	var also [][]rec
	for k := 1; k <= len(rs); k++ {
		also = append(also, concat(m.must, rs[:k]...)) // a torn batch may keep a prefix
	}
	m.begin(also...)
	if err := l.Append(ctx, toWAL(rs)...); err != nil {
		return err
	}
	m.must = concat(m.must, rs...)
	return nil
}

func (m *crashModel) snapshot(ctx context.Context, l *wal.Log, z int64) error {
	m.begin()
	h := upTo(m.must, z)
	if err := saveHist(ctx, l, z, h); err != nil {
		return err
	}
	m.snaps[z] = h
	return nil
}

// snapSync is Zab's SNAP: the leader's state at z, which extends ours,
// replaces the log.
func (m *crashModel) snapSync(ctx context.Context, l *wal.Log, z int64, leader []rec) error {
	h := concat(m.must, leader...)
	m.begin(h)
	if err := saveHist(ctx, l, z, h); err != nil {
		return err
	}
	m.must, m.snaps[z] = h, h // the snapshot now wins at recovery
	m.begin()
	return l.ResetTo(ctx, z)
}

func (m *crashModel) truncate(ctx context.Context, l *wal.Log, z int64) error {
	m.begin(upTo(m.must, z))
	if err := l.Truncate(ctx, z); err != nil {
		return err
	}
	m.must = upTo(m.must, z)
	for s := range m.snaps {
		if s > z {
			delete(m.snaps, s)
		}
	}
	m.gen++
	return nil
}

func (m *crashModel) purge(l *wal.Log) error {
	m.begin()
	return l.Purge(3)
}

func (m *crashModel) setAccepted(ctx context.Context, l *wal.Log, e int64) error {
	m.begin()
	m.epochs = append(m.epochs, [2]int64{e, m.current})
	if err := l.SetAcceptedEpoch(ctx, e); err != nil {
		return err
	}
	m.accepted = e
	return nil
}

func (m *crashModel) setCurrent(ctx context.Context, l *wal.Log, e int64) error {
	m.begin()
	m.epochs = append(m.epochs, [2]int64{m.accepted, e})
	if err := l.SetCurrentEpoch(ctx, e); err != nil {
		return err
	}
	m.current = e
	return nil
}

// crashWorkload runs appends (single and several at once, of sizes that
// roll 1 KiB segments often), snapshots, truncations, a purge, epoch
// changes and a snapshot sync, one at a time so that every run makes the
// same file operations. It stops at the first error.
func crashWorkload(ctx context.Context, l *wal.Log, m *crashModel) error {
	size := func(z int64) int { return int(z*37%280) + int(z%3) }
	appendRun := func(epoch, from, to int64) error {
		for c := from; c <= to; {
			n := int64(1)
			if c%4 == 0 {
				n = min(3, to-c+1)
			}
			var rs []rec
			for i := range n {
				z := zx(epoch, c+i)
				rs = append(rs, rec{z, payload(z, m.gen, size(z))})
			}
			if err := m.append(ctx, l, rs...); err != nil {
				return err
			}
			c += n
		}
		return nil
	}
	var leader []rec
	for c := int64(1); c <= 5; c++ {
		leader = append(leader, rec{zx(3, c), payload(zx(3, c), 100, 50)})
	}
	steps := []func() error{
		func() error { return m.setAccepted(ctx, l, 1) },
		func() error { return m.setCurrent(ctx, l, 1) },
		func() error { return appendRun(1, 1, 12) },
		func() error { return m.snapshot(ctx, l, zx(1, 8)) },
		func() error { return appendRun(1, 13, 20) },
		func() error { return m.truncate(ctx, l, zx(1, 16)) },
		func() error { return appendRun(1, 17, 22) },
		func() error { return m.setAccepted(ctx, l, 2) },
		func() error { return m.setCurrent(ctx, l, 2) },
		func() error { return appendRun(2, 1, 8) },
		func() error { return m.snapshot(ctx, l, zx(2, 4)) },
		func() error { return m.snapshot(ctx, l, zx(2, 8)) },
		func() error { return appendRun(2, 9, 14) },
		func() error { return m.snapshot(ctx, l, zx(2, 12)) },
		func() error { return m.purge(l) },
		func() error { return m.truncate(ctx, l, zx(2, 10)) },
		func() error { return appendRun(2, 11, 13) },
		func() error { return m.setAccepted(ctx, l, 3) },
		func() error { return m.snapSync(ctx, l, zx(3, 5), leader) },
		func() error { return m.setCurrent(ctx, l, 3) },
		func() error { return appendRun(3, 6, 10) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	m.begin()
	return nil
}

// countedOp reports whether a crash test counts op as a crash point. The
// preallocating goroutine's work on temp files runs concurrently, so it is
// left out to keep the points the same from run to run; crashing there is
// the same as crashing before the roll that would use the file.
func countedOp(op faultfs.Op) bool {
	return !strings.Contains(op.Path, "/prealloc.")
}

// TestCrashAtEveryPoint crashes the filesystem at every write, sync,
// rename, remove and truncate of crashWorkload, once losing all unsynced
// data and once keeping a seeded torn part of it, then crashes recovery
// itself at one of its own points, recovers, and checks that the history
// is one the model allows: every acknowledged append is there, nothing
// unacknowledged is there in part, zxids are contiguous, and a failed
// sync was never acknowledged. It then checks that the recovered log takes
// appends.
func TestCrashAtEveryPoint(t *testing.T) {
	total := runCrashCase(t, 0, false)
	require.Greater(t, total, int64(150), "the workload should make many crash points")
	for _, torn := range []bool{false, true} {
		for k := int64(1); k <= total; k++ {
			t.Run(fmt.Sprintf("torn=%v/point=%d", torn, k), func(t *testing.T) {
				runCrashCase(t, k, torn)
			})
		}
	}
}

// runCrashCase runs the workload with a crash at counted operation k (none
// if k is 0) and checks recovery. It returns the number of counted
// operations the workload made.
func runCrashCase(t *testing.T, k int64, torn bool) int64 {
	fsys := newFS(t)
	var count atomic.Int64
	var crashed atomic.Bool
	crashAt := func(n int64, seed int64) func(faultfs.Op) error {
		var c atomic.Int64
		return func(op faultfs.Op) error {
			if !countedOp(op) {
				return nil
			}
			count.Add(1)
			if c.Add(1) != n {
				return nil
			}
			if torn {
				fsys.CrashTorn(rand.New(rand.NewSource(seed)))
			} else {
				fsys.Crash()
			}
			crashed.Store(true)
			return faultfs.ErrCrashed
		}
	}
	opts := fsOptions(fsys, 1024)
	fsys.SetFault(crashAt(k, k))
	l := mustOpen(t, opts)
	m := newCrashModel()
	err := crashWorkload(bg, l, m)
	total := count.Load()
	if k == 0 {
		require.NoError(t, err)
	} else {
		require.True(t, crashed.Load(), "point %d never came: the run is not deterministic", k)
		require.Error(t, err, "the operation in flight at the crash reported success")
	}
	_ = l.Close()
	fsys.Restart()

	if k > 0 {
		// Crash again while recovering, at one of recovery's own points.
		crashed.Store(false)
		fsys.SetFault(crashAt(1+k%7, k+1000))
		l, err := wal.Open(bg, opts)
		if err != nil {
			require.True(t, crashed.Load(), "recovery failed without a crash: %v", err)
			require.ErrorIs(t, err, faultfs.ErrCrashed)
		} else {
			_ = l.Close()
		}
		fsys.Restart()
	}

	fsys.SetFault(nil)
	l = mustOpen(t, opts)
	h := history(t, l)
	requireContiguous(t, h)
	require.True(t, slices.ContainsFunc(m.outcomes, func(o []rec) bool { return slices.Equal(o, h) }),
		"recovered history %v\nis none of the allowed outcomes; acknowledged: %v", h, m.must)
	a, c := l.Epochs()
	require.Contains(t, m.epochs, [2]int64{a, c})
	require.Equal(t, l.LastZxid(), lastZxidOf(h, l))

	// The recovered log takes appends and keeps them.
	next := rec{l.LastZxid() + 1, "after recovery"}
	require.NoError(t, l.Append(bg, toWAL([]rec{next})...))
	require.NoError(t, l.Close())
	l = mustOpen(t, opts)
	require.Equal(t, concat(h, next), history(t, l))
	require.NoError(t, l.Close())
	return total
}

// lastZxidOf is the LastZxid a log with history h must report: its last
// zxid, or the snapshot it continues from.
func lastZxidOf(h []rec, l *wal.Log) int64 {
	if len(h) == 0 {
		return l.Recovery().SnapshotZxid
	}
	return h[len(h)-1].z
}
