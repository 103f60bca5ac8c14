package wal_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/require"
)

const (
	testLogDir  = "/peer/log"
	testSnapDir = "/peer/snap"
)

// zx builds a zxid from an epoch and a counter.
func zx(epoch, counter int64) int64 { return epoch<<32 | counter }

// rec is a record as tests see it.
type rec struct {
	z int64
	d string
}

func (r rec) String() string { return fmt.Sprintf("%#x:%.12s", r.z, r.d) }

// payload is a deterministic record body of the given size that names its
// zxid and generation, so a record re-appended after a truncation differs.
func payload(z int64, gen, size int) string {
	s := fmt.Sprintf("%x.%d.", z, gen)
	for len(s) < size {
		s += string(rune('a' + len(s)%26))
	}
	return s[:max(size, 0)]
}

func toWAL(rs []rec) []wal.Record {
	out := make([]wal.Record, len(rs))
	for i, r := range rs {
		out[i] = wal.Record{Zxid: r.z, Data: []byte(r.d)}
	}
	return out
}

// newFS returns a faultfs with the test directories.
func newFS(t *testing.T) *faultfs.FS {
	t.Helper()
	fsys := faultfs.New()
	require.NoError(t, fsys.MkdirAll(testLogDir, 0o755))
	require.NoError(t, fsys.MkdirAll(testSnapDir, 0o755))
	return fsys
}

func fsOptions(fsys wal.FS, segSize int64) wal.Options {
	return wal.Options{LogDir: testLogDir, SnapDir: testSnapDir, FS: fsys, SegmentSize: segSize}
}

func mustOpen(t *testing.T, opts wal.Options) *wal.Log {
	t.Helper()
	l, err := wal.Open(context.Background(), opts)
	require.NoError(t, err)
	return l
}

// scanAll returns every record of the log above after.
func scanAll(t *testing.T, l *wal.Log, after int64) []rec {
	t.Helper()
	var out []rec
	require.NoError(t, l.Scan(after, func(z int64, d []byte) error {
		out = append(out, rec{z, string(d)})
		return nil
	}))
	return out
}

// encodeHist and decodeHist are the test's "tree": a snapshot holds the
// whole history up to its zxid.
func encodeHist(h []rec) []byte {
	var b bytes.Buffer
	for _, r := range h {
		fmt.Fprintf(&b, "%d %s\n", r.z, r.d)
	}
	return b.Bytes()
}

func decodeHist(t *testing.T, b []byte) []rec {
	t.Helper()
	var out []rec
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		zs, d, ok := strings.Cut(line, " ")
		require.True(t, ok, "snapshot line %q", line)
		z, err := strconv.ParseInt(zs, 10, 64)
		require.NoError(t, err)
		out = append(out, rec{z, d})
	}
	return out
}

func saveHist(ctx context.Context, l *wal.Log, z int64, h []rec) error {
	return l.SaveSnapshot(ctx, z, func(w io.Writer) error {
		_, err := w.Write(encodeHist(h))
		return err
	})
}

// history rebuilds the state a peer would recover: the newest snapshot's
// history, then the log after it. Log records at or below the snapshot must
// agree with it.
func history(t *testing.T, l *wal.Log) []rec {
	t.Helper()
	var h []rec
	snap := int64(0)
	z, r, err := l.LatestSnapshot()
	if err == nil {
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		require.NoError(t, r.Close())
		h, snap = decodeHist(t, b), z
	} else {
		require.ErrorIs(t, err, wal.ErrNoSnapshot)
	}
	inSnap := map[int64]string{}
	for _, x := range h {
		inSnap[x.z] = x.d
	}
	for _, x := range scanAll(t, l, 0) {
		if x.z <= snap {
			if d, ok := inSnap[x.z]; ok {
				require.Equal(t, d, x.d, "log record %#x disagrees with snapshot %#x", x.z, snap)
			}
			continue
		}
		h = append(h, x)
	}
	return h
}

// requireContiguous checks that zxids follow each other from an empty
// history.
func requireContiguous(t *testing.T, h []rec) {
	t.Helper()
	prev := int64(0)
	for _, r := range h {
		require.True(t, wal.Follows(prev, r.z), "zxid %#x cannot follow %#x", r.z, prev)
		prev = r.z
	}
}

func upTo(h []rec, z int64) []rec {
	var out []rec
	for _, r := range h {
		if r.z <= z {
			out = append(out, r)
		}
	}
	return out
}

func concat(a []rec, b ...rec) []rec {
	return append(append([]rec(nil), a...), b...)
}

var bg = context.Background()

// readFileAt reads a whole file from a faultfs.
func fileBytes(t *testing.T, fsys *faultfs.FS, name string) []byte {
	t.Helper()
	b, err := fsys.ReadFile(name)
	require.NoError(t, err)
	return b
}

// walFiles lists the files of a directory of a faultfs with a prefix.
func walFiles(t *testing.T, fsys *faultfs.FS, dir, prefix string) []string {
	t.Helper()
	names, err := fsys.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, dir+"/"+n)
		}
	}
	return out
}
