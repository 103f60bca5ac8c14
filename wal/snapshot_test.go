package wal_test

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readSnapshot(t *testing.T, l *wal.Log) (int64, []byte) {
	t.Helper()
	z, r, err := l.LatestSnapshot()
	require.NoError(t, err)
	defer r.Close()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return z, b
}

func TestSnapshotsRoundTrip(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	_, _, err := l.LatestSnapshot()
	require.ErrorIs(t, err, wal.ErrNoSnapshot)

	big := make([]byte, 3<<20+17) // several writer flushes
	rand.New(rand.NewSource(1)).Read(big)
	for _, s := range []struct {
		zxid int64
		data []byte
	}{
		{0, nil},
		{zx(1, 5), []byte("small")},
		{zx(1, 9), big},
	} {
		require.NoError(t, l.SaveSnapshot(bg, s.zxid, func(w io.Writer) error {
			for rest := s.data; len(rest) > 0; { // in uneven pieces
				n := min(len(rest), 1+len(rest)/3)
				if _, err := w.Write(rest[:n]); err != nil {
					return err
				}
				rest = rest[n:]
			}
			return nil
		}))
		z, b := readSnapshot(t, l)
		assert.Equal(t, s.zxid, z)
		assert.True(t, bytes.Equal(s.data, b))
	}
	require.NoError(t, l.Close())
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	assert.Equal(t, zx(1, 9), l.Recovery().SnapshotZxid)
	z, b := readSnapshot(t, l)
	assert.Equal(t, zx(1, 9), z)
	assert.True(t, bytes.Equal(big, b))
}

func TestSnapshotAtTheSameZxidIsReplaced(t *testing.T) {
	l := mustOpen(t, fsOptions(newFS(t), 1024))
	defer l.Close()
	require.NoError(t, saveHist(bg, l, 3, []rec{{3, "old"}}))
	require.NoError(t, saveHist(bg, l, 3, []rec{{3, "new"}}))
	_, b := readSnapshot(t, l)
	assert.Equal(t, "3 new\n", string(b))
}

func TestSnapshotWritingStopsWithItsContext(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	ctx, cancel := context.WithCancel(bg)
	err := l.SaveSnapshot(ctx, 5, func(w io.Writer) error {
		if _, err := w.Write([]byte("part")); err != nil {
			return err
		}
		cancel()
		_, err := w.Write([]byte("rest"))
		return err
	})
	require.ErrorIs(t, err, context.Canceled)
	names, err := fsys.ReadDir(testSnapDir)
	require.NoError(t, err)
	assert.Empty(t, names)
}

func TestSnapshotWithAWrongHeaderIsRefused(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	require.NoError(t, saveHist(bg, l, 7, []rec{{7, "x"}}))
	require.NoError(t, l.Close())
	// A snapshot copied under another zxid's name.
	b := fileBytes(t, fsys, testSnapDir+"/snapshot.0000000000000007")
	require.NoError(t, fsys.Remove(testSnapDir+"/snapshot.0000000000000007"))
	require.NoError(t, fsys.WriteFile(testSnapDir+"/snapshot.0000000000000008", b))
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	require.Len(t, l.Recovery().SkippedSnapshots, 1)
	assert.Contains(t, l.Recovery().SkippedSnapshots[0].Err.Error(), "name says")
	_, _, err := l.LatestSnapshot()
	require.ErrorIs(t, err, wal.ErrNoSnapshot)
}
