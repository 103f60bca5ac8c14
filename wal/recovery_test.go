package wal_test

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const segHeader = 16 // bytes before the first record of a segment

// singleSegmentLog writes n records, one append each, into one large
// segment, and returns the records and the segment's path.
func singleSegmentLog(t *testing.T, fsys *faultfs.FS, n int) ([]rec, string) {
	t.Helper()
	l := mustOpen(t, fsOptions(fsys, 8192))
	var rs []rec
	for i := 1; i <= n; i++ {
		r := rec{int64(i), payload(int64(i), 0, 20+i*7)}
		require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
		rs = append(rs, r)
	}
	require.NoError(t, l.Close())
	segs := walFiles(t, fsys, testLogDir, "log.")
	require.Len(t, segs, 1)
	return rs, segs[0]
}

// offsetOf returns where record i (from 0) starts in a single segment.
func offsetOf(rs []rec, i int) int {
	off := segHeader
	for _, r := range rs[:i] {
		off += 16 + len(r.d)
	}
	return off
}

func TestRecoveryCutsATornLastRecordAtEveryLength(t *testing.T) {
	owner := newFS(t)
	rs, seg := singleSegmentLog(t, owner, 10)
	full := fileBytes(t, owner, seg)
	last := offsetOf(rs, 9)
	size := 16 + len(rs[9].d)
	for n := 0; n < size; n++ {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			fsys := newFS(t)
			b := append([]byte(nil), full...)
			clear(b[last+n : last+size]) // only a prefix of the last write reached the disk
			require.NoError(t, fsys.WriteFile(seg, b))
			l := mustOpen(t, fsOptions(fsys, 8192))
			defer l.Close()
			info := l.Recovery()
			if n == 0 {
				assert.Nil(t, info.TornTail, "a write that left nothing is no tear")
			} else {
				require.NotNil(t, info.TornTail)
				assert.Equal(t, int64(last), info.TornTail.Offset)
				assert.LessOrEqual(t, info.TornTail.Length, int64(n), "up to the last non-zero byte")
				assert.Positive(t, info.TornTail.Length)
			}
			assert.Equal(t, rs[:9], history(t, l))
			assert.Equal(t, int64(9), l.LastZxid())
			require.NoError(t, l.Append(bg, wal.Record{Zxid: 10, Data: []byte("again")}))
		})
	}
}

// A batch's pages may reach the disk in any order: a hole in the middle of
// the last batch, with later records of the same batch intact, is still a
// torn write, not corruption.
func TestRecoveryToleratesAHoleInTheLastBatch(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 8192))
	var rs []rec
	for i := int64(1); i <= 15; i++ {
		rs = append(rs, rec{i, payload(i, 0, 40)})
	}
	for _, r := range rs[:10] {
		require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
	}
	require.NoError(t, l.Append(bg, toWAL(rs[10:])...)) // one batch: records 11 to 15
	require.NoError(t, l.Close())
	seg := walFiles(t, fsys, testLogDir, "log.")[0]
	b := fileBytes(t, fsys, seg)
	clear(b[offsetOf(rs, 11):offsetOf(rs, 12)]) // record 12 lost, 13 to 15 written
	require.NoError(t, fsys.WriteFile(seg, b))

	l = mustOpen(t, fsOptions(fsys, 8192))
	defer l.Close()
	require.NotNil(t, l.Recovery().TornTail)
	assert.Equal(t, int64(offsetOf(rs, 11)), l.Recovery().TornTail.Offset)
	assert.Equal(t, rs[:11], history(t, l))
}

func TestRecoveryRefusesDamageBeforeTheLastBatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(b []byte, rs []rec)
	}{
		{"a flipped payload bit", func(b []byte, rs []rec) { b[offsetOf(rs, 4)+20] ^= 0x10 }},
		{"a flipped length bit", func(b []byte, rs []rec) { b[offsetOf(rs, 4)] ^= 0x04 }},
		{"a zeroed record", func(b []byte, rs []rec) { clear(b[offsetOf(rs, 4):offsetOf(rs, 5)]) }},
		{"a zeroed header", func(b []byte, rs []rec) { clear(b[offsetOf(rs, 4) : offsetOf(rs, 4)+16]) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			rs, seg := singleSegmentLog(t, fsys, 10)
			b := fileBytes(t, fsys, seg)
			tc.damage(b, rs)
			require.NoError(t, fsys.WriteFile(seg, b))
			_, err := wal.Open(bg, fsOptions(fsys, 8192))
			require.ErrorIs(t, err, wal.ErrCorrupt)
			assert.Contains(t, err.Error(), fmt.Sprintf("offset %d", offsetOf(rs, 4)))
		})
	}
}

// multiSegmentLog writes records 1 to n with 1 KiB segments.
func multiSegmentLog(t *testing.T, fsys *faultfs.FS, n int64) []rec {
	t.Helper()
	l := mustOpen(t, fsOptions(fsys, 1024))
	var rs []rec
	for z := int64(1); z <= n; z++ {
		r := rec{z, payload(z, 0, 100)}
		require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
		rs = append(rs, r)
	}
	require.NoError(t, l.Close())
	return rs
}

func TestRecoveryRefusesBrokenSequences(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, fsys *faultfs.FS, segs []string)
		want   error
		msg    string
	}{
		{"a missing middle segment", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			require.NoError(t, fsys.Remove(segs[1]))
		}, wal.ErrGap, "cannot follow"},
		{"a missing first segment", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			require.NoError(t, fsys.Remove(segs[0]))
		}, wal.ErrGap, "no valid snapshot"},
		{"a renamed segment", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			require.NoError(t, fsys.Rename(segs[1], fmt.Sprintf("%s/log.%016x", testLogDir, 10)))
		}, wal.ErrCorrupt, "name says"},
		{"a cut middle segment", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			b := fileBytes(t, fsys, segs[1])
			require.NoError(t, fsys.WriteFile(segs[1], b[:len(b)-10]))
		}, wal.ErrCorrupt, "not the last segment"},
		{"a bad segment header", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			b := fileBytes(t, fsys, segs[1])
			b[1] ^= 1
			require.NoError(t, fsys.WriteFile(segs[1], b))
		}, wal.ErrCorrupt, "magic"},
		{"an empty middle segment", func(t *testing.T, fsys *faultfs.FS, segs []string) {
			b := fileBytes(t, fsys, segs[1])
			require.NoError(t, fsys.WriteFile(segs[1], b[:segHeader]))
		}, wal.ErrCorrupt, "no records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			multiSegmentLog(t, fsys, 30)
			segs := walFiles(t, fsys, testLogDir, "log.")
			require.GreaterOrEqual(t, len(segs), 3)
			tc.damage(t, fsys, segs)
			_, err := wal.Open(bg, fsOptions(fsys, 1024))
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestRecoveryRemovesAnEmptyLastSegmentAndTempFiles(t *testing.T) {
	fsys := newFS(t)
	rs := multiSegmentLog(t, fsys, 12)
	empty := fmt.Sprintf("%s/log.%016x", testLogDir, 13)
	h := make([]byte, 1024)
	binary.LittleEndian.PutUint32(h, 0x4c415745)
	binary.LittleEndian.PutUint32(h[4:], 1)
	binary.LittleEndian.PutUint64(h[8:], 13)
	require.NoError(t, fsys.WriteFile(empty, h))
	for _, name := range []string{"prealloc.7.tmp", "epochs.tmp", "intent.tmp"} {
		require.NoError(t, fsys.WriteFile(testLogDir+"/"+name, []byte("partial")))
	}
	require.NoError(t, fsys.WriteFile(testSnapDir+"/snapshot.0000000000000009.tmp", []byte("partial")))
	require.NoError(t, fsys.WriteFile(testLogDir+"/notes.tmp", []byte("not ours")))

	l := mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	info := l.Recovery()
	assert.Equal(t, "log.000000000000000d", info.RemovedEmptySegment)
	assert.Equal(t, 4, info.RemovedTempFiles)
	assert.Equal(t, rs, history(t, l))
	names, err := fsys.ReadDir(testLogDir)
	require.NoError(t, err)
	assert.Contains(t, names, "notes.tmp")
	assert.NotContains(t, names, "log.000000000000000d")
}

func TestRecoveryCutsGarbageAfterTheLastRecord(t *testing.T) {
	fsys := newFS(t)
	rs, seg := singleSegmentLog(t, fsys, 5)
	b := fileBytes(t, fsys, seg)
	end := offsetOf(rs, 5)
	b[end+300] = 0x5a
	require.NoError(t, fsys.WriteFile(seg, b))
	l := mustOpen(t, fsOptions(fsys, 8192))
	defer l.Close()
	require.NotNil(t, l.Recovery().TornTail)
	assert.Equal(t, int64(end), l.Recovery().TornTail.Offset)
	assert.Equal(t, int64(301), l.Recovery().TornTail.Length)
	assert.Equal(t, rs, history(t, l))
}

func TestRecoveryNeedsASnapshotOrTheWholeLog(t *testing.T) {
	// A log that starts mid-epoch with nothing before it: ZooKeeper's
	// "txnlog without a snapshot".
	fsys := newFS(t)
	require.NoError(t, fsys.MkdirAll("/other/log", 0o755))
	opts := wal.Options{LogDir: "/other/log", FS: fsys, SegmentSize: 1024}
	l := mustOpen(t, opts)
	require.ErrorIs(t, l.Append(bg, wal.Record{Zxid: 5, Data: []byte("x")}), wal.ErrGap)
	require.NoError(t, saveHist(bg, l, 4, []rec{{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}}))
	require.NoError(t, l.ResetTo(bg, 4))
	require.NoError(t, l.Append(bg, wal.Record{Zxid: 5, Data: []byte("e")}))
	require.NoError(t, l.Close())
	require.NoError(t, fsys.Remove("/other/log/snapshot.0000000000000004"))
	_, err := wal.Open(bg, opts)
	require.ErrorIs(t, err, wal.ErrGap)
	assert.Contains(t, err.Error(), "no valid snapshot")
}

// A crash between SaveSnapshot and ResetTo of a snapshot sync leaves the
// old log beside a snapshot that replaced it; recovery finishes the reset.
func TestRecoveryDiscardsALogTheSnapshotReplaced(t *testing.T) {
	for _, tc := range []struct {
		name string
		snap int64
		why  string
	}{
		{"the log ends below the snapshot", zx(3, 4), "below the snapshot"},
		{"the log does not hold the snapshot's zxid", zx(1, 20), "no record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			l := mustOpen(t, fsOptions(fsys, 1024))
			var old []rec
			for c := int64(1); c <= 10; c++ {
				old = append(old, rec{zx(1, c), payload(zx(1, c), 0, 60)})
			}
			old = append(old, rec{zx(2, 1), "uncommitted"}, rec{zx(2, 2), "uncommitted"})
			require.NoError(t, l.Append(bg, toWAL(old)...))
			leader := []rec{{tc.snap, "the leader's state"}}
			require.NoError(t, saveHist(bg, l, tc.snap, leader))
			require.NoError(t, l.Close()) // the crash: ResetTo never ran

			l = mustOpen(t, fsOptions(fsys, 1024))
			defer l.Close()
			assert.Contains(t, l.Recovery().DiscardedLog, tc.why)
			assert.Equal(t, leader, history(t, l))
			assert.Equal(t, tc.snap, l.LastZxid())
			assert.Equal(t, int64(0), l.FirstZxid())
			assert.Empty(t, walFiles(t, fsys, testLogDir, "log."))
		})
	}
}

func TestRecoveryFallsBackToAnOlderSnapshot(t *testing.T) {
	fsys := newFS(t)
	rs := multiSegmentLog(t, fsys, 20)
	l := mustOpen(t, fsOptions(fsys, 1024))
	require.NoError(t, saveHist(bg, l, 5, rs[:5]))
	require.NoError(t, saveHist(bg, l, 15, rs[:15]))
	require.NoError(t, l.Close())
	newest := testSnapDir + "/snapshot.000000000000000f"
	b := fileBytes(t, fsys, newest)
	b[len(b)-3] ^= 0x80
	require.NoError(t, fsys.WriteFile(newest, b))

	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	info := l.Recovery()
	assert.Equal(t, int64(5), info.SnapshotZxid)
	require.Len(t, info.SkippedSnapshots, 1)
	assert.Equal(t, int64(15), info.SkippedSnapshots[0].Zxid)
	assert.ErrorIs(t, info.SkippedSnapshots[0].Err, wal.ErrCorrupt)
	assert.Equal(t, rs, history(t, l))
	z, r, err := l.LatestSnapshot()
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, int64(5), z)
}

func TestRecoveryRefusesDamagedSmallFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		file string
		data []byte
	}{
		{"a short epochs file", "epochs", []byte("short")},
		{"an epochs file with a bad checksum", "epochs", make([]byte, 28)},
		{"a short intent file", "intent", []byte{1, 2, 3}},
		{"an intent file with a bad checksum", "intent", make([]byte, 28)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			require.NoError(t, fsys.WriteFile(testLogDir+"/"+tc.file, tc.data))
			_, err := wal.Open(bg, fsOptions(fsys, 1024))
			require.ErrorIs(t, err, wal.ErrCorrupt)
		})
	}
}
