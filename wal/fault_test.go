package wal_test

import (
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGroupCommit holds the first fsync until 100 more appenders are
// waiting, then checks that one more fsync made all of them durable: the
// syncer turns concurrency into batch size, not into fsyncs.
func TestGroupCommit(t *testing.T) {
	fsys := newFS(t)
	var syncs atomic.Int64
	blocked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	fsys.SetFault(func(op faultfs.Op) error {
		if op.Kind == faultfs.OpSync && strings.Contains(op.Path, "/log.") {
			syncs.Add(1)
			once.Do(func() { close(blocked); <-release })
		}
		return nil
	})
	l := mustOpen(t, fsOptions(fsys, 1<<20))
	defer l.Close()

	first := make(chan error, 1)
	go func() { first <- l.Append(bg, wal.Record{Zxid: 1, Data: []byte("first")}) }()
	<-blocked

	// 100 appenders, each waiting for its own record; zxids are assigned
	// in queue order as Zab's leader does.
	var mu sync.Mutex
	next := int64(2)
	errs := make(chan error, 100)
	var queued sync.WaitGroup
	queued.Add(100)
	for range 100 {
		go func() {
			done := make(chan error, 1)
			mu.Lock()
			l.AppendAsync([]wal.Record{{Zxid: next, Data: []byte("concurrent")}}, func(err error) { done <- err })
			next++
			mu.Unlock()
			queued.Done()
			errs <- <-done
		}()
	}
	queued.Wait()
	close(release)
	require.NoError(t, <-first)
	for range 100 {
		require.NoError(t, <-errs)
	}
	assert.Equal(t, int64(2), syncs.Load(), "one fsync for the first append, one for the 100 that waited")
	assert.Equal(t, int64(101), l.LastZxid())
}

// syncFault fails the nth data sync of a segment.
func failSegmentOp(kind faultfs.OpKind, n int64) func(faultfs.Op) error {
	var count atomic.Int64
	return func(op faultfs.Op) error {
		if op.Kind == kind && strings.Contains(op.Path, "/log.") && count.Add(1) == n {
			return faultfs.ErrInjected
		}
		return nil
	}
}

// After a failed fsync, Linux may have dropped the written pages: a later
// fsync that succeeds proves nothing. The log must fail that append and
// every later one (PostgreSQL's "fsyncgate").
func TestAFailedSyncIsNeverReportedAsSuccess(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  faultfs.OpKind
		crash bool
	}{
		{"a failed fsync", faultfs.OpSync, false},
		{"a failed fsync, then a crash", faultfs.OpSync, true},
		{"a failed write", faultfs.OpWrite, false},
		{"a failed write, then a crash", faultfs.OpWrite, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			l := mustOpen(t, fsOptions(fsys, 4096))
			var rs []rec
			for z := int64(1); z <= 6; z++ {
				rs = append(rs, rec{z, payload(z, 0, 50)})
			}
			for _, r := range rs[:5] {
				require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
			}
			fsys.SetFault(failSegmentOp(tc.kind, 1))
			err := l.Append(bg, toWAL(rs[5:])...)
			require.ErrorIs(t, err, wal.ErrBroken)
			require.ErrorIs(t, err, faultfs.ErrInjected)
			fsys.SetFault(nil)

			require.ErrorIs(t, l.Append(bg, wal.Record{Zxid: 7}), wal.ErrBroken, "the disk works again, the log does not")
			var async error
			var wg sync.WaitGroup
			wg.Add(1)
			l.AppendAsync([]wal.Record{{Zxid: 7}}, func(err error) { async = err; wg.Done() })
			wg.Wait()
			require.ErrorIs(t, async, wal.ErrBroken)
			require.ErrorIs(t, l.Truncate(bg, 2), wal.ErrBroken)
			require.ErrorIs(t, l.Purge(3), wal.ErrBroken)
			require.ErrorIs(t, l.SetAcceptedEpoch(bg, 1), wal.ErrBroken)
			require.ErrorIs(t, l.Close(), wal.ErrBroken)

			if tc.crash {
				fsys.Crash()
				fsys.Restart()
			}
			l = mustOpen(t, fsOptions(fsys, 4096))
			defer l.Close()
			h := history(t, l)
			if tc.crash {
				require.Equal(t, rs[:5], h, "the failed record never became durable")
			} else {
				require.Contains(t, [][]rec{rs[:5], rs}, h, "an unacknowledged record may survive, whole")
			}
			require.NoError(t, l.Append(bg, wal.Record{Zxid: l.LastZxid() + 1}))
		})
	}
}

func TestAFullDiskBreaksTheLogUntilRestart(t *testing.T) {
	fsys := newFS(t)
	fsys.SetCapacity(1500) // room for one 1 KiB segment, not two
	l := mustOpen(t, fsOptions(fsys, 1024))
	var acked []rec
	var err error
	for z := int64(1); z <= 50 && err == nil; z++ {
		r := rec{z, payload(z, 0, 60)}
		if err = l.Append(bg, toWAL([]rec{r})...); err == nil {
			acked = append(acked, r)
		}
	}
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.ErrorIs(t, err, wal.ErrBroken)
	require.NotEmpty(t, acked)
	_ = l.Close()

	fsys.SetCapacity(0)
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, acked, history(t, l))
	require.NoError(t, l.Append(bg, wal.Record{Zxid: l.LastZxid() + 1}))
}

func TestEpochWriteFailures(t *testing.T) {
	t.Run("before the rename: nothing changed, the log goes on", func(t *testing.T) {
		fsys := newFS(t)
		l := mustOpen(t, fsOptions(fsys, 1024))
		defer l.Close()
		fsys.SetFault(faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpCreate))
		require.ErrorIs(t, l.SetAcceptedEpoch(bg, 4), faultfs.ErrInjected)
		fsys.SetFault(nil)
		a, _ := l.Epochs()
		assert.Equal(t, int64(0), a)
		require.NoError(t, l.SetAcceptedEpoch(bg, 4))
		require.NoError(t, l.Append(bg, wal.Record{Zxid: 1}))
	})
	t.Run("a failed directory sync: the log is broken", func(t *testing.T) {
		fsys := newFS(t)
		l := mustOpen(t, fsOptions(fsys, 1024))
		fsys.SetFault(faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpSyncDir))
		require.ErrorIs(t, l.SetAcceptedEpoch(bg, 4), wal.ErrBroken)
		fsys.SetFault(nil)
		a, _ := l.Epochs()
		assert.Equal(t, int64(0), a, "not acknowledged")
		require.ErrorIs(t, l.Append(bg, wal.Record{Zxid: 1}), wal.ErrBroken)
		require.ErrorIs(t, l.Close(), wal.ErrBroken)
	})
}

func TestSnapshotFailuresLeaveTheLogWorking(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault func(faultfs.Op) error
		write func(io.Writer) error
	}{
		{"the writer fails", nil, func(w io.Writer) error { return errors.New("tree encoder failed") }},
		{"a write fails", faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpWrite), func(w io.Writer) error {
			_, err := w.Write(make([]byte, 3<<20))
			return err
		}},
		{"the fsync fails", faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpSync), func(w io.Writer) error {
			_, err := w.Write([]byte("state"))
			return err
		}},
		{"the rename fails", faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpRename), func(w io.Writer) error {
			_, err := w.Write([]byte("state"))
			return err
		}},
		{"the directory sync fails", faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpSyncDir), func(w io.Writer) error {
			_, err := w.Write([]byte("state"))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			l := mustOpen(t, fsOptions(fsys, 1<<20)) // no roll: the faults hit the snapshot
			defer l.Close()
			require.NoError(t, l.Append(bg, wal.Record{Zxid: 1}))
			fsys.SetFault(tc.fault)
			require.Error(t, l.SaveSnapshot(bg, 1, tc.write))
			fsys.SetFault(nil)
			_, _, err := l.LatestSnapshot()
			require.ErrorIs(t, err, wal.ErrNoSnapshot)
			names, err := fsys.ReadDir(testSnapDir)
			require.NoError(t, err)
			assert.Empty(t, names, "no snapshot and no temp file left")
			require.NoError(t, l.Append(bg, wal.Record{Zxid: 2}))
		})
	}
}

// A truncation that fails after its intent is durable is finished by
// recovery.
func TestRecoveryFinishesAFailedTruncate(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	var rs []rec
	for z := int64(1); z <= 30; z++ {
		rs = append(rs, rec{z, payload(z, 0, 60)})
		require.NoError(t, l.Append(bg, toWAL(rs[z-1:])...))
	}
	fsys.SetFault(faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpRemove))
	require.ErrorIs(t, l.Truncate(bg, 7), wal.ErrBroken)
	fsys.SetFault(nil)
	_ = l.Close()
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, "truncate after 0x7", l.Recovery().CompletedIntent)
	assert.Equal(t, rs[:7], history(t, l))
}
