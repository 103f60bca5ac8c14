package wal_test

import (
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEpochsPersist(t *testing.T) {
	fsys := newFS(t)
	l := mustOpen(t, fsOptions(fsys, 1024))
	a, c := l.Epochs()
	assert.Equal(t, [2]int64{0, 0}, [2]int64{a, c})
	require.NoError(t, l.SetAcceptedEpoch(bg, 7))
	require.NoError(t, l.SetCurrentEpoch(bg, 6))
	require.NoError(t, l.Close())
	l = mustOpen(t, fsOptions(fsys, 1024))
	defer l.Close()
	a, c = l.Epochs()
	assert.Equal(t, [2]int64{7, 6}, [2]int64{a, c})
}

func TestEpochRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		set     func(l *wal.Log) error
		wantErr bool
		want    [2]int64
	}{
		{"accepted may rise", func(l *wal.Log) error { return l.SetAcceptedEpoch(bg, 9) }, false, [2]int64{9, 4}},
		{"accepted may stay", func(l *wal.Log) error { return l.SetAcceptedEpoch(bg, 5) }, false, [2]int64{5, 4}},
		{"accepted may not fall", func(l *wal.Log) error { return l.SetAcceptedEpoch(bg, 4) }, true, [2]int64{5, 4}},
		{"current may reach accepted", func(l *wal.Log) error { return l.SetCurrentEpoch(bg, 5) }, false, [2]int64{5, 5}},
		{"current may not pass accepted", func(l *wal.Log) error { return l.SetCurrentEpoch(bg, 6) }, true, [2]int64{5, 4}},
		{"current may not fall", func(l *wal.Log) error { return l.SetCurrentEpoch(bg, 3) }, true, [2]int64{5, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := newFS(t)
			l := mustOpen(t, fsOptions(fsys, 1024))
			require.NoError(t, l.SetAcceptedEpoch(bg, 5))
			require.NoError(t, l.SetCurrentEpoch(bg, 4))
			err := tc.set(l)
			if tc.wantErr {
				require.ErrorIs(t, err, wal.ErrInvalid)
			} else {
				require.NoError(t, err)
			}
			a, c := l.Epochs()
			assert.Equal(t, tc.want, [2]int64{a, c})
			require.NoError(t, l.Close())
			l = mustOpen(t, fsOptions(fsys, 1024))
			defer l.Close()
			a, c = l.Epochs()
			assert.Equal(t, tc.want, [2]int64{a, c}, "after a restart")
		})
	}
}
