package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drain delivers everything due by step now, always the first due queue.
func drain(nw *Network, now int64) []Delivery {
	var out []Delivery
	for {
		d, ok := nw.Next(now, func(int) int { return 0 })
		if !ok {
			return out
		}
		out = append(out, d)
	}
}

func payloads(ds []Delivery) []string {
	var out []string
	for _, d := range ds {
		if d.Close {
			out = append(out, "close")
		} else {
			out = append(out, string(d.Data))
		}
	}
	return out
}

func TestNetworkFIFOPerPair(t *testing.T) {
	nw := NewNetwork(2)
	// A later packet with a shorter delay must not overtake.
	require.True(t, nw.Send(ZabPlane, 1, 2, []byte("a"), 10, true))
	require.True(t, nw.Send(ZabPlane, 1, 2, []byte("b"), 3, true))
	require.True(t, nw.Send(ElectionPlane, 1, 2, []byte("x"), 5, false))
	assert.Empty(t, drain(nw, 4))
	assert.Equal(t, []string{"x"}, payloads(drain(nw, 9)))
	assert.Equal(t, []string{"a", "b"}, payloads(drain(nw, 10)))
}

func TestNetworkConnections(t *testing.T) {
	tests := []struct {
		name   string
		script func(nw *Network)
		want   []string // deliveries to peer 2 and 1 at step 100, in order
	}{
		{"a leader cannot open a connection", func(nw *Network) {
			assert.False(t, nw.Send(ZabPlane, 2, 1, []byte("ping"), 1, false))
		}, nil},
		{"a learner opens one and the leader answers on it", func(nw *Network) {
			nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true)
			assert.True(t, nw.Send(ZabPlane, 2, 1, []byte("leaderinfo"), 1, false))
		}, []string{"info", "leaderinfo"}},
		{"a break drops what is in flight and tells both sides", func(nw *Network) {
			nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true)
			nw.Send(ZabPlane, 2, 1, []byte("leaderinfo"), 1, false)
			nw.Break(1, 2, true, true, 5)
			// Neither side knows yet: their writes are lost.
			assert.False(t, nw.Send(ZabPlane, 1, 2, []byte("late"), 1, true))
			assert.False(t, nw.Send(ZabPlane, 2, 1, []byte("late"), 1, false))
		}, []string{"close", "close"}},
		{"the closing side may reconnect at once; the other hears of the close first", func(nw *Network) {
			nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true)
			nw.Break(1, 2, false, true, 5)
			assert.True(t, nw.Send(ZabPlane, 1, 2, []byte("info2"), 1, true))
		}, []string{"close", "info2"}},
		{"breaking a connection that is not open does nothing", func(nw *Network) {
			nw.Break(1, 2, true, true, 5)
			assert.True(t, nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true))
		}, []string{"info"}},
		{"a crash loses everything in flight and tells the other side once", func(nw *Network) {
			nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true)
			nw.Send(ElectionPlane, 2, 1, []byte("vote"), 1, false)
			nw.Break(1, 2, false, true, 5) // a marker already on its way to 2
			nw.Send(ZabPlane, 1, 2, []byte("info2"), 1, true)
			nw.Crash(1, 5)
		}, []string{"close"}},
		{"a one-way cut holds zab traffic and drops election traffic", func(nw *Network) {
			nw.Send(ZabPlane, 1, 2, []byte("info"), 1, true)
			nw.Send(ElectionPlane, 1, 2, []byte("vote"), 1, false)
			nw.Block(1, 2, true)
			assert.False(t, nw.Send(ElectionPlane, 1, 2, []byte("vote2"), 1, false))
			assert.Empty(t, drain(nw, 50))
			nw.Send(ZabPlane, 2, 1, []byte("leaderinfo"), 1, false)
			assert.Equal(t, []string{"leaderinfo"}, payloads(drain(nw, 50)))
			nw.Block(1, 2, false)
		}, []string{"info"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nw := NewNetwork(2)
			tt.script(nw)
			assert.Equal(t, tt.want, payloads(drain(nw, 100)))
		})
	}
}

func TestNetworkCloseUpdatesView(t *testing.T) {
	nw := NewNetwork(3)
	nw.Send(ZabPlane, 1, 3, []byte("info"), 1, true)
	nw.Break(1, 3, true, true, 2)
	ds := drain(nw, 10)
	require.Len(t, ds, 2)
	assert.True(t, ds[0].Close && ds[1].Close)
	// Both sides were told: the learner may reconnect, the leader may not
	// write until it does.
	assert.False(t, nw.Send(ZabPlane, 3, 1, []byte("x"), 11, false))
	assert.True(t, nw.Send(ZabPlane, 1, 3, []byte("info2"), 11, true))
	assert.True(t, nw.Send(ZabPlane, 3, 1, []byte("leaderinfo"), 11, false))
	assert.Equal(t, []string{"info2", "leaderinfo"}, payloads(drain(nw, 20)))
	assert.True(t, nw.Open(1, 3))
	assert.False(t, nw.Open(1, 2))
}
