package election

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/require"
)

// FuzzStep drives one Election with arbitrary sequences of notifications
// (from voters, observers, strangers; any state, vote and clock), starts
// and ticks, and checks that it never panics and keeps its invariants: the
// clock never goes back, it decides only for a voter, the decided state
// matches, and it only ever writes to peers it knows.
func FuzzStep(f *testing.F) {
	f.Add([]byte{1, 2, 0, 1, 3, 0, 1, 0, 0, 0})
	f.Add([]byte{1, 2, 1, 2, 2, 1, 1, 0, 2, 1, 3, 2, 2, 1, 1, 0, 0, 0, 0})
	f.Add([]byte{1, 3, 0, 0, 0, 0, 0, 4, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, ops []byte) {
		q, err := quorum.NewMajority(1, 2, 3)
		require.NoError(t, err)
		peers := []uint64{1, 2, 3, 4} // 4 observes
		ids := []uint64{1, 2, 3, 4, 9, NoLeader}
		for _, self := range []uint64{1, 4} {
			e, err := New(Config{ID: self, Quorum: q, Peers: peers, FinalizeWait: 1, ResendInterval: 2, MaxResendInterval: 4})
			require.NoError(t, err)
			next := func(i *int) int64 {
				if *i >= len(ops) {
					return 0
				}
				*i++
				return int64(ops[*i-1])
			}
			var clock int64
			for i := 0; i < len(ops); {
				switch op := next(&i); op % 4 {
				case 0:
					e.Tick()
				case 1:
					e.Start(next(&i)%4, next(&i)%3)
				default:
					e.Step(Notification{
						From:          ids[next(&i)%int64(len(ids))],
						To:            []uint64{self, 2}[next(&i)%2], // or misaddressed
						State:         State(next(&i) % 5),           // 4 is no state
						Vote:          Vote{Leader: ids[next(&i)%int64(len(ids))], Zxid: next(&i)%4 - 1, PeerEpoch: next(&i) % 3},
						ElectionEpoch: next(&i) % 5,
					})
				}
				require.GreaterOrEqual(t, e.LogicalClock(), clock, "the clock went back")
				clock = e.LogicalClock()
				rd := e.Ready()
				for _, m := range rd.Messages {
					require.Equal(t, self, m.From)
					require.Contains(t, peers, m.To)
					require.NotEqual(t, self, m.To)
					_, err := m.MarshalBinary()
					require.NoError(t, err, "it sent what no peer can decode")
				}
				if d := rd.Decision; d != nil {
					require.True(t, q.IsVoter(d.Leader))
					require.Equal(t, e.State(), d.State)
					switch {
					case self == 4:
						require.Equal(t, Observing, d.State)
					case d.Leader == self:
						require.Equal(t, Leading, d.State)
					default:
						require.Equal(t, Following, d.State)
					}
				}
			}
		}
	})
}
