package election

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/require"
)

// BenchmarkElectionRound5 runs whole election rounds of five voters in
// steps, FIFO delivery, everyone starting at once with distinct logs: the
// cost of one round in allocations, messages, Steps and ticks.
func BenchmarkElectionRound5(b *testing.B) {
	const n = 5
	q, err := quorum.NewMajority(ids(1, n)...)
	require.NoError(b, err)
	es := make([]*Election, n)
	for i := range es {
		es[i], err = New(Config{ID: uint64(i + 1), Quorum: q, Peers: ids(1, n), FinalizeWait: 2, ResendInterval: 50})
		require.NoError(b, err)
	}
	var (
		queue                []Notification // FIFO, reused across rounds
		steps, ticks, rounds int
		decided              int
	)
	collect := func(e *Election) {
		rd := e.Ready()
		queue = append(queue, rd.Messages...)
		if rd.Decision != nil {
			decided++
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		decided = 0
		for i, e := range es {
			e.Start(int64(i*7%n), 1)
			collect(e)
		}
		// Deliver everything, the decisions' announcements included, before
		// the next round: stale LEADING news arriving after a restart would
		// (rightly) hold that round until zab's timeouts, which this
		// benchmark does not model.
		for {
			for head := 0; head < len(queue); head++ {
				m := queue[head]
				es[m.To-1].Step(m)
				steps++
				collect(es[m.To-1])
			}
			queue = queue[:0]
			if decided == n {
				break
			}
			for _, e := range es {
				e.Tick()
				collect(e)
			}
			ticks++
		}
		rounds++
	}
	b.ReportMetric(float64(steps)/float64(rounds), "steps/round")
	b.ReportMetric(float64(ticks)/float64(rounds), "ticks/round")
}

func BenchmarkNotificationCodec(b *testing.B) {
	n := Notification{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: 0x1_0000_0005, PeerEpoch: 1}, ElectionEpoch: 4}
	buf := make([]byte, 0, WireSize)
	b.ReportAllocs()
	for b.Loop() {
		out, err := n.AppendBinary(buf[:0])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := UnmarshalNotification(out); err != nil {
			b.Fatal(err)
		}
	}
}
