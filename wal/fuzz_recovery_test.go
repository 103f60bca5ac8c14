package wal_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/require"
)

// FuzzRecoverSegment gives recovery arbitrary bytes after a valid segment
// header, as the last segment and as one before it. Recovery must never
// panic nor return damaged records: it fails with ErrCorrupt or ErrGap, or
// opens a log whose records are contiguous and readable.
func FuzzRecoverSegment(f *testing.F) {
	fsys := faultfs.New()
	l, err := wal.Open(bg, fsOptions(fsys, 1024))
	if err != nil {
		f.Fatal(err)
	}
	for z := int64(1); z <= 6; z++ {
		if err := l.Append(bg, wal.Record{Zxid: z, Data: []byte(payload(z, 0, int(z*9)))}); err != nil {
			f.Fatal(err)
		}
	}
	_ = l.Close()
	seg, _ := fsys.ReadFile(testLogDir + "/log.0000000000000001")
	f.Add(seg[segHeader:], true)
	f.Add(seg[segHeader:], false)
	f.Add(seg[segHeader:100], true)
	f.Add([]byte{}, true)
	f.Add(make([]byte, 64), true)
	f.Fuzz(func(t *testing.T, body []byte, last bool) {
		fsys := newFS(t)
		h := make([]byte, segHeader)
		binary.LittleEndian.PutUint32(h, 0x4c415745)
		binary.LittleEndian.PutUint32(h[4:], 1)
		binary.LittleEndian.PutUint64(h[8:], 1)
		require.NoError(t, fsys.WriteFile(testLogDir+"/log.0000000000000001", append(h, body...)))
		if !last {
			next := make([]byte, segHeader)
			copy(next, h)
			binary.LittleEndian.PutUint64(next[8:], 1<<40)
			require.NoError(t, fsys.WriteFile(testLogDir+"/log.0000010000000000", next))
		}
		l, err := wal.Open(bg, fsOptions(fsys, 1024))
		if err != nil {
			require.True(t, errors.Is(err, wal.ErrCorrupt) || errors.Is(err, wal.ErrGap), "unexpected error %v", err)
			return
		}
		defer l.Close()
		requireContiguous(t, scanAll(t, l, 0))
	})
}
