package quorum

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMajority(t *testing.T) {
	m, err := NewMajority(3, 1, 2)
	require.NoError(t, err)
	assert.Equal(t, []uint64{1, 2, 3}, m.Voters())

	tests := []struct {
		name string
		ids  []uint64
		want bool
	}{
		{"none", nil, false},
		{"one of three", []uint64{1}, false},
		{"two of three", []uint64{1, 3}, true},
		{"all", []uint64{1, 2, 3}, true},
		{"duplicates count once", []uint64{2, 2, 2}, false},
		{"observers never count", []uint64{1, 7, 8, 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, m.HasQuorum(tt.ids))
		})
	}
	assert.True(t, m.IsVoter(2))
	assert.False(t, m.IsVoter(4))
}

func TestMajorityRejectsBadVoterSets(t *testing.T) {
	_, err := NewMajority()
	assert.Error(t, err)
	_, err = NewMajority(1, 2, 1)
	assert.Error(t, err)
}

func TestMajorityOfOne(t *testing.T) {
	m, err := NewMajority(5)
	require.NoError(t, err)
	assert.True(t, m.HasQuorum([]uint64{5}))
	assert.False(t, m.HasQuorum([]uint64{4}))
}
