package wal_test

import (
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoEpochLog writes 1:1..1:10 and 2:1..2:10 over several segments, with
// snapshots at 1:5 and 2:3.
func twoEpochLog(t *testing.T, fsys *faultfs.FS) (*wal.Log, []rec) {
	t.Helper()
	l := mustOpen(t, fsOptions(fsys, 1024))
	var rs []rec
	for e := int64(1); e <= 2; e++ {
		for c := int64(1); c <= 10; c++ {
			r := rec{zx(e, c), payload(zx(e, c), 0, 60)}
			require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
			rs = append(rs, r)
		}
	}
	require.NoError(t, saveHist(bg, l, zx(1, 5), upTo(rs, zx(1, 5))))
	require.NoError(t, saveHist(bg, l, zx(2, 3), upTo(rs, zx(2, 3))))
	require.Greater(t, len(walFiles(t, fsys, testLogDir, "log.")), 1)
	return l, rs
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		to       int64
		wantLast int64
		snapshot int64 // newest snapshot left, -1 for none
	}{
		{"past the end", zx(2, 20), zx(2, 10), zx(2, 3)},
		{"at the end", zx(2, 10), zx(2, 10), zx(2, 3)},
		{"within the last segment", zx(2, 8), zx(2, 8), zx(2, 3)},
		{"across segments", zx(1, 7), zx(1, 7), zx(1, 5)},
		{"between epochs", zx(1, 15), zx(1, 10), zx(1, 5)},
		{"below a snapshot", zx(1, 3), zx(1, 3), -1},
		{"everything", 0, 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			l, rs := twoEpochLog(t, fsys)
			require.NoError(t, l.Truncate(bg, tc.to))
			check := func(l *wal.Log) {
				assert.Equal(t, tc.wantLast, l.LastZxid())
				assert.Equal(t, upTo(rs, tc.to), history(t, l))
				z, r, err := l.LatestSnapshot()
				if tc.snapshot < 0 {
					require.ErrorIs(t, err, wal.ErrNoSnapshot)
				} else {
					require.NoError(t, err)
					require.NoError(t, r.Close())
					assert.Equal(t, tc.snapshot, z)
				}
			}
			check(l)
			next := rec{zx(3, 1), "the new leader's"}
			require.NoError(t, l.Append(bg, toWAL([]rec{next})...))
			require.NoError(t, l.Close())

			l = mustOpen(t, fsOptions(fsys, 1024))
			defer l.Close()
			assert.Equal(t, concat(upTo(rs, tc.to), next), history(t, l))
		})
	}
}

func TestTruncateBelowWhatRemainsFailsAndChangesNothing(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	var rs []rec
	for z := int64(1); z <= 60; z++ {
		rs = append(rs, rec{z, payload(z, 0, 60)})
		require.NoError(t, l.Append(bg, toWAL(rs[z-1:])...))
		if z%10 == 0 {
			require.NoError(t, saveHist(bg, l, z, rs))
		}
	}
	require.NoError(t, l.Purge(3))
	first := l.FirstZxid()
	require.Greater(t, first, int64(20))
	err := l.Truncate(bg, 15)
	require.ErrorIs(t, err, wal.ErrCompacted)
	assert.Equal(t, int64(60), l.LastZxid())
	assert.Equal(t, first, l.FirstZxid())
	assert.Equal(t, rs, history(t, l))
	require.NoError(t, l.Truncate(bg, 40), "a kept snapshot at 40 still rebuilds it")
	assert.Equal(t, rs[:40], history(t, l))
}

func TestResetTo(t *testing.T) {
	fsys := newFS(t)
	l, rs := twoEpochLog(t, fsys)
	require.ErrorIs(t, l.ResetTo(bg, zx(3, 7)), wal.ErrNoSnapshot, "the snapshot comes first")
	leader := concat(rs[:15], rec{zx(3, 7), "the leader's"})
	require.NoError(t, saveHist(bg, l, zx(3, 7), leader))
	require.NoError(t, l.ResetTo(bg, zx(3, 7)))
	assert.Equal(t, zx(3, 7), l.LastZxid())
	assert.Equal(t, int64(0), l.FirstZxid())
	assert.Empty(t, scanAll(t, l, 0))
	assert.Empty(t, walFiles(t, fsys, testLogDir, "log."))
	require.ErrorIs(t, l.Append(bg, wal.Record{Zxid: zx(2, 11)}), wal.ErrOutOfOrder)
	require.NoError(t, l.Append(bg, wal.Record{Zxid: zx(3, 8), Data: []byte("next")}))
	require.NoError(t, l.Close())

	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, concat(leader, rec{zx(3, 8), "next"}), history(t, l))
}

func TestPurge(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	require.ErrorIs(t, l.Purge(2), wal.ErrInvalid)
	var rs []rec
	for z := int64(1); z <= 60; z++ {
		rs = append(rs, rec{z, payload(z, 0, 60)})
		require.NoError(t, l.Append(bg, toWAL(rs[z-1:])...))
	}
	segs := len(walFiles(t, fsys, testLogDir, "log."))
	require.NoError(t, l.Purge(3))
	assert.Len(t, walFiles(t, fsys, testLogDir, "log."), segs, "without snapshots the whole log is needed")

	for z := int64(10); z <= 50; z += 10 {
		require.NoError(t, saveHist(bg, l, z, rs[:z]))
	}
	require.NoError(t, l.Purge(3))
	snaps := walFiles(t, fsys, testSnapDir, "snapshot.")
	assert.Equal(t, []string{
		testSnapDir + "/snapshot.000000000000001e",
		testSnapDir + "/snapshot.0000000000000028",
		testSnapDir + "/snapshot.0000000000000032",
	}, snaps)
	first := l.FirstZxid()
	assert.Greater(t, first, int64(1), "old segments went")
	assert.LessOrEqual(t, first, int64(31), "replay from the oldest kept snapshot needs 31 on")
	assert.Less(t, len(walFiles(t, fsys, testLogDir, "log.")), segs)
	assert.Equal(t, rs[30:], scanAll(t, l, 30))
	require.NoError(t, l.Close())

	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, rs, history(t, l))
	assert.Equal(t, first, l.FirstZxid())
}

func TestPurgeKeepsTheActiveSegmentAndSkipsBadSnapshots(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1<<20))
	var rs []rec
	for z := int64(1); z <= 5; z++ {
		rs = append(rs, rec{z, fmt.Sprint(z)})
		require.NoError(t, l.Append(bg, toWAL(rs[z-1:])...))
		require.NoError(t, saveHist(bg, l, z, rs))
	}
	require.NoError(t, l.Close())
	b := fileBytes(t, fsys, testSnapDir+"/snapshot.0000000000000005")
	b[len(b)-1] ^= 1
	require.NoError(t, fsys.WriteFile(testSnapDir+"/snapshot.0000000000000005", b))

	l = mustOpen(t, fsOptions(fsys, 1<<20))
	defer l.Close()
	require.NoError(t, l.Purge(3))
	assert.Equal(t, []string{
		testSnapDir + "/snapshot.0000000000000002",
		testSnapDir + "/snapshot.0000000000000003",
		testSnapDir + "/snapshot.0000000000000004",
		testSnapDir + "/snapshot.0000000000000005",
	}, walFiles(t, fsys, testSnapDir, "snapshot."), "three valid ones kept, the bad newer one left for inspection")
	assert.Len(t, walFiles(t, fsys, testLogDir, "log."), 1)
	assert.Equal(t, rs, history(t, l))
}
