package wal_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	for _, useFault := range []bool{false, true} {
		opts := wal.Options{LogDir: t.TempDir(), SegmentSize: 1024}
		if useFault {
			opts.FS = faultfs.New()
			opts.LogDir = "/data/log"
		}
		l, err := wal.Open(ctx, opts)
		require.NoError(t, err)
		for z := int64(1); z <= 100; z++ {
			require.NoError(t, l.Append(ctx, wal.Record{Zxid: z, Data: []byte(fmt.Sprint("rec", z))}))
		}
		require.Equal(t, int64(100), l.LastZxid())
		require.NoError(t, l.Close())
		l, err = wal.Open(ctx, opts)
		require.NoError(t, err)
		t.Logf("%+v", l.Recovery())
		var got []int64
		require.NoError(t, l.Scan(50, func(z int64, d []byte) error { got = append(got, z); require.Equal(t, fmt.Sprint("rec", z), string(d)); return nil }))
		require.Len(t, got, 50)
		require.NoError(t, l.Truncate(ctx, 70))
		require.Equal(t, int64(70), l.LastZxid())
		require.NoError(t, l.Append(ctx, wal.Record{Zxid: 71, Data: []byte("x")}))
		require.NoError(t, l.Close())
		l, err = wal.Open(ctx, opts)
		require.NoError(t, err)
		t.Logf("%+v", l.Recovery())
		require.Equal(t, int64(71), l.LastZxid())
		require.NoError(t, l.Close())
	}
}
