package wal

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func FuzzDecodeRecord(f *testing.F) {
	valid := appendRecord(nil, 0x100000007, []byte("a txn"))
	flagged := appendRecord(nil, 42, []byte("first of a batch"))
	markBatchStart(flagged)
	two := appendRecord(appendRecord(nil, 1, nil), 2, []byte("x"))
	for _, seed := range [][]byte{
		valid, flagged, two, valid[:10], make([]byte, 16), make([]byte, 40),
		{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
		appendRecord(nil, -5, nil), appendRecord(nil, 0, []byte("zero")),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(b)
		if err != nil {
			require.True(t, errors.Is(err, errShort) || errors.Is(err, errZeroHeader) || errors.Is(err, ErrCorrupt), "unexpected error %v", err)
			return
		}
		require.Positive(t, rec.zxid)
		require.LessOrEqual(t, rec.size, len(b))
		enc := appendRecord(nil, rec.zxid, rec.data)
		if rec.batchStart {
			markBatchStart(enc)
		}
		require.Equal(t, b[:rec.size], enc, "a record that decodes re-encodes to the same bytes")
	})
}

func FuzzDecodeSnapshotHeader(f *testing.F) {
	f.Add(encodeSnapshotHeader(snapHeader{zxid: 0x300000005, length: 1 << 20, crc: 0xdeadbeef}))
	f.Add(encodeSnapshotHeader(snapHeader{}))
	f.Add(make([]byte, snapHeaderSize))
	f.Add([]byte("ESNP"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeSnapshotHeader(b)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.GreaterOrEqual(t, h.zxid, int64(0))
		require.GreaterOrEqual(t, h.length, int64(0))
		require.Equal(t, b[:snapHeaderSize], encodeSnapshotHeader(h))
	})
}

func FuzzDecodeSmallFiles(f *testing.F) {
	f.Add(encodeEpochs(5, 4))
	f.Add(encodeIntent(intent{op: intentTruncate, zxid: 77}))
	f.Add(encodeIntent(intent{op: intentReset, zxid: 1 << 40}))
	f.Add(make([]byte, epochSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, c, err := decodeEpochs(b); err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
		} else {
			require.LessOrEqual(t, c, a)
			require.Equal(t, b, encodeEpochs(a, c))
		}
		if in, err := decodeIntent(b); err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
		} else {
			require.Equal(t, b, encodeIntent(in))
		}
	})
}
