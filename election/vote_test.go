package election

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVoteOrdering(t *testing.T) {
	tests := []struct {
		name string
		v, w Vote
	}{
		{"higher epoch beats higher zxid", Vote{1, 5, 2}, Vote{2, 100, 1}},
		{"higher epoch beats higher id", Vote{1, 5, 2}, Vote{9, 5, 1}},
		{"same epoch: higher zxid beats higher id", Vote{1, 6, 1}, Vote{9, 5, 1}},
		{"same epoch and zxid: higher id", Vote{3, 5, 1}, Vote{2, 5, 1}},
		{"any vote beats an observer's", Vote{1, 0, 0}, observerVote},
		{"a negative zxid still beats an observer's", Vote{1, -1, 0}, observerVote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, tt.v.Beats(tt.w))
			assert.False(t, tt.w.Beats(tt.v))
		})
	}
	v := Vote{Leader: 4, Zxid: 7, PeerEpoch: 1}
	assert.False(t, v.Beats(v), "a vote does not beat itself")
	assert.Equal(t, uint64(math.MaxInt64)+1, NoLeader, "ZooKeeper's Long.MIN_VALUE")
}
