package sim

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func zxids(d *Disk) []int64 {
	var out []int64
	_ = d.Scan(0, func(z int64, _ []byte) error { out = append(out, z); return nil })
	return out
}

func diskWith(t *testing.T, synced, written int) *Disk {
	t.Helper()
	d := &Disk{}
	for i := 1; i <= synced+written; i++ {
		require.NoError(t, d.Append(int64(1<<32|i), []byte{byte(i)}))
		if i == synced {
			d.Sync(int64(1<<32 | i))
		}
	}
	return d
}

func TestDiskCrash(t *testing.T) {
	tests := []struct {
		name       string
		keep       int
		torn       bool
		wantLen    int
		wantCut    int
		wantDurZxd int64
	}{
		{"unsynced records are lost", 0, false, 3, 0, 1<<32 | 3},
		{"some unsynced records may survive", 2, false, 5, 0, 1<<32 | 5},
		{"a torn last survivor is cut on recovery", 2, true, 4, 1, 1<<32 | 4},
		{"torn with nothing unsynced kept tears nothing", 0, true, 3, 0, 1<<32 | 3},
		{"keeping more than was written keeps all", 10, false, 6, 0, 1<<32 | 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diskWith(t, 3, 3)
			assert.Equal(t, 3, d.Unsynced())
			d.Crash(tt.keep, tt.torn)
			assert.Equal(t, tt.wantCut, d.Recover())
			assert.Len(t, zxids(d), tt.wantLen)
			assert.Equal(t, tt.wantDurZxd, d.DurableZxid())
			assert.Zero(t, d.Unsynced())
		})
	}
}

func TestDiskTruncateSnapshotPurge(t *testing.T) {
	d := diskWith(t, 4, 2)
	d.Truncate(1<<32 | 5)
	assert.Equal(t, int64(1<<32|5), d.LastZxid())
	assert.Equal(t, 1, d.Unsynced())
	d.Truncate(1<<32 | 2)
	assert.Equal(t, []int64{1<<32 | 1, 1<<32 | 2}, zxids(d))
	assert.Zero(t, d.Unsynced())

	d = diskWith(t, 6, 0)
	d.TakeSnapshot(Chain{Zxid: 1<<32 | 5, State: 9})
	d.TakeSnapshot(Chain{Zxid: 1<<32 | 2, State: 1}) // older: ignored
	assert.Equal(t, int64(1<<32|5), d.Snap.Zxid)
	d.Purge(2)
	assert.Equal(t, []int64{1<<32 | 4, 1<<32 | 5, 1<<32 | 6}, zxids(d))
	assert.Equal(t, int64(1<<32|4), d.FirstZxid())

	d.InstallSnapshot(Chain{Zxid: 2<<32 | 7, State: 3})
	assert.Empty(t, zxids(d))
	assert.Zero(t, d.LastZxid())
	assert.Zero(t, d.FirstZxid())
	assert.Equal(t, int64(2<<32|7), d.Snap.Zxid)
}

func TestDiskAppendOrder(t *testing.T) {
	d := diskWith(t, 1, 1)
	err := d.Append(1<<32|2, nil)
	assert.True(t, errors.Is(err, ErrLogOrder), "%v", err)
	data, ok := d.Lookup(1<<32 | 2)
	assert.True(t, ok)
	assert.Equal(t, []byte{2}, data)
	stop := errors.New("stop")
	assert.Equal(t, stop, d.Scan(0, func(int64, []byte) error { return stop }))
}

func TestChainSnapshot(t *testing.T) {
	c := Chain{}.Apply(1<<32|1, []byte("a")).Apply(1<<32|2, []byte("b"))
	assert.NotEqual(t, c, Chain{}.Apply(1<<32|1, []byte("b")).Apply(1<<32|2, []byte("a")))
	b, err := c.MarshalBinary()
	require.NoError(t, err)
	back, err := UnmarshalChain(b)
	require.NoError(t, err)
	assert.Equal(t, c, back)
	_, err = UnmarshalChain(b[:3])
	assert.ErrorIs(t, err, ErrBadSnapshot)
}
