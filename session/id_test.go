package session

import (
	"testing"

	"github.com/ensemble-go/ensemble/znode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDGeneratorLayout(t *testing.T) {
	tests := []struct {
		name      string
		serverID  uint64
		nowMillis int64
		want      []int64 // the first ids, in order
	}{
		{"server id in the top byte, time in the middle, counter low",
			1, 0x0123456789, []int64{0x0101234567890000, 0x0101234567890001, 0x0101234567890002}},
		{"only the low 40 bits of the time are kept",
			2, 0x7f_ab_0123456789, []int64{0x0201234567890000}},
		{"a negative time does not spill into the server byte",
			3, -1, []int64{0x03ffffffffff0000}},
		{"session 0 is skipped: it means no session to a client",
			0, 0, []int64{1, 2}},
		{"the container owner marker is skipped",
			128, 0, []int64{containerOwner + 1, containerOwner + 2}},
		{"server 254, the largest, makes negative ids",
			254, 0x10, []int64{int64(-2<<56 | 0x10<<16)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewIDGenerator(tt.serverID, tt.nowMillis)
			require.NoError(t, err)
			for i, want := range tt.want {
				got := g.Next()
				assert.Equalf(t, want, got, "id %d: want %#x, got %#x", i, uint64(want), uint64(got))
				assert.Equal(t, tt.serverID, ServerOf(got))
			}
		})
	}
}

func TestIDGeneratorMatchesZooKeeperFormula(t *testing.T) {
	// SessionTrackerImpl.initializeNextSessionId, written as in Java:
	// ((time << 24) >>> 8) | (id << 56).
	zk := func(id uint64, time int64) int64 {
		return int64(uint64(time<<24)>>8) | int64(id<<56)
	}
	for _, id := range []uint64{1, 7, 100, 200, 254} {
		for _, now := range []int64{1, 1_700_000_000_000, 1<<40 + 5, -12345} {
			g, err := NewIDGenerator(id, now)
			require.NoError(t, err)
			assert.Equal(t, zk(id, now), g.Next(), "server %d time %d", id, now)
		}
	}
}

func TestIDGeneratorRejectsLargeServerIDs(t *testing.T) {
	for _, id := range []uint64{255, 256, 1 << 40} {
		g, err := NewIDGenerator(id, 1)
		assert.Nil(t, g)
		require.ErrorIs(t, err, znode.ErrBadArguments, "server %d", id)
	}
}

func TestIDsFromDifferentServersDoNotCollide(t *testing.T) {
	const n = 1000
	seen := make(map[int64]uint64)
	for server := uint64(0); server <= MaxServerID; server += 17 {
		g, err := NewIDGenerator(server, 1_700_000_000_000)
		require.NoError(t, err)
		for range n {
			id := g.Next()
			prev, dup := seen[id]
			require.Falsef(t, dup, "id %#x made by servers %d and %d", uint64(id), prev, server)
			seen[id] = server
		}
	}
}
