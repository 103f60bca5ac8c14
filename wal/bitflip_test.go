package wal_test

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pristineLog builds a log of a few 1 KiB segments, three snapshots and
// an epochs file, and returns its files' contents and its history.
func pristineLog(t *testing.T) (map[string][]byte, []rec) {
	t.Helper()
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	require.NoError(t, l.SetAcceptedEpoch(bg, 2))
	require.NoError(t, l.SetCurrentEpoch(bg, 1))
	var rs []rec
	for z := int64(1); z <= 26; z++ {
		r := rec{z, payload(z, 0, 30+int(z%5)*10)}
		require.NoError(t, l.Append(bg, toWAL([]rec{r})...))
		rs = append(rs, r)
		if z%8 == 0 {
			require.NoError(t, saveHist(bg, l, z, rs))
		}
	}
	require.NoError(t, l.Close())
	files := map[string][]byte{}
	for _, dir := range []string{testLogDir, testSnapDir} {
		names, err := fsys.ReadDir(dir)
		require.NoError(t, err)
		for _, n := range names {
			files[dir+"/"+n] = fileBytes(t, fsys, dir+"/"+n)
		}
	}
	return files, rs
}

func restore(t *testing.T, files map[string][]byte) *faultfs.FS {
	fsys := newFS(t)
	for name, b := range files {
		require.NoError(t, fsys.WriteFile(name, b))
	}
	return fsys
}

// TestBitFlipsAreDetected flips one bit of every byte (every bit of the
// first 16 bytes) of every segment, snapshot and epochs file, and checks that each
// flip is caught: a damaged segment fails Open with ErrCorrupt, unless the
// flip is in the last write batch, which recovery cuts and reports as a torn
// tail; a damaged snapshot is reported and passed over; a damaged epochs
// file fails Open. Nothing damaged is ever silently used.
func TestBitFlipsAreDetected(t *testing.T) {
	files, rs := pristineLog(t)
	names := slices.Sorted(maps.Keys(files))
	var segs []string
	for _, n := range names {
		if strings.Contains(n, "/log.") {
			segs = append(segs, n)
		}
	}
	require.GreaterOrEqual(t, len(segs), 2)
	lastSeg := segs[len(segs)-1]

	for _, name := range names {
		t.Run(name[strings.LastIndex(name, "/")+1:], func(t *testing.T) {
			orig := files[name]
			for i := range orig {
				bits := []int{i % 8}
				if i < 16 {
					bits = []int{0, 1, 2, 3, 4, 5, 6, 7}
				}
				for _, bit := range bits {
					damaged := maps.Clone(files)
					b := slices.Clone(orig)
					b[i] ^= 1 << bit
					damaged[name] = b
					where := fmt.Sprintf("byte %d bit %d", i, bit)
					switch {
					case strings.Contains(name, "/log."):
						checkSegmentFlip(t, damaged, rs, name == lastSeg, where)
					case strings.Contains(name, "/snapshot."):
						checkSnapshotFlip(t, damaged, name, rs, where)
					default:
						_, err := wal.Open(bg, fsOptions(restore(t, damaged), 1024))
						require.ErrorIs(t, err, wal.ErrCorrupt, where)
					}
				}
			}
		})
	}
}

func checkSegmentFlip(t *testing.T, files map[string][]byte, rs []rec, last bool, where string) {
	l, err := wal.Open(bg, fsOptions(restore(t, files), 1024))
	if err != nil {
		require.ErrorIs(t, err, wal.ErrCorrupt, where)
		return
	}
	defer l.Close()
	require.True(t, last, "%s: a flip in a segment before the last went unnoticed", where)
	require.NotNil(t, l.Recovery().TornTail, "%s: a flip went unnoticed", where)
	h := history(t, l)
	require.GreaterOrEqual(t, len(h), len(rs)-1, "%s: more than the last batch was cut", where)
	require.Equal(t, rs[:len(h)], h, where)
}

func checkSnapshotFlip(t *testing.T, files map[string][]byte, name string, rs []rec, where string) {
	for other := range files {
		if strings.Contains(other, "/snapshot.") && other > name {
			delete(files, other) // make the damaged snapshot the newest
		}
	}
	l, err := wal.Open(bg, fsOptions(restore(t, files), 1024))
	require.NoError(t, err, where)
	defer l.Close()
	skipped := l.Recovery().SkippedSnapshots
	require.Len(t, skipped, 1, "%s: a flip went unnoticed", where)
	require.Equal(t, name[strings.LastIndex(name, "/")+1:], skipped[0].Name)
	require.ErrorIs(t, skipped[0].Err, wal.ErrCorrupt)
	require.Equal(t, rs, history(t, l), where)
}

// A snapshot damaged after Open is caught while it streams.
func TestSnapshotReaderCatchesLateDamage(t *testing.T) {
	files, _ := pristineLog(t)
	fsys := restore(t, files)
	l := mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	name := testSnapDir + "/snapshot.0000000000000018"
	b := fileBytes(t, fsys, name)
	b[len(b)/2] ^= 4
	require.NoError(t, fsys.WriteFile(name, b))
	z, r, err := l.LatestSnapshot()
	require.NoError(t, err)
	assert.Equal(t, int64(24), z)
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, wal.ErrCorrupt)
	require.NoError(t, r.Close())
}
