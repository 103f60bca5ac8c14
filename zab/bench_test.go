package zab

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
)

// benchLog is a Log that remembers only where it starts and ends: Scan
// returns nothing, so a benchmark fails (ErrLog) if the hot path reads the
// Log instead of the core's memory.
type benchLog struct{ first, last int64 }

func (l *benchLog) add(es []Entry) {
	if l.first == 0 {
		l.first = es[0].Zxid
	}
	l.last = es[len(es)-1].Zxid
}
func (l *benchLog) FirstZxid() int64                            { return l.first }
func (l *benchLog) LastZxid() int64                             { return l.last }
func (l *benchLog) Scan(int64, func(int64, []byte) error) error { return nil }

// loop is leader + followers with an ideal network and disk: messages are
// delivered at once, Persisted is called as soon as entries are handed out.
type loop struct {
	cores   []*Zab
	logs    []*benchLog
	byID    map[uint64]*Zab
	inbox   []Message
	applied int
}

func newLoop(tb testing.TB, n int) *loop {
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = uint64(i + 1)
	}
	q, err := quorum.NewMajority(ids...)
	if err != nil {
		tb.Fatal(err)
	}
	l := &loop{byID: map[uint64]*Zab{}}
	for _, id := range ids {
		lg := &benchLog{}
		z, err := New(Config{ID: id, Quorum: q, Peers: ids, InitLimit: 10, SyncLimit: 5, PingInterval: 2,
			Log: lg, Snapshots: nopSnapshots{}}, Durable{})
		if err != nil {
			tb.Fatal(err)
		}
		l.cores, l.logs = append(l.cores, z), append(l.logs, lg)
		l.byID[id] = z
	}
	l.cores[0].Lead()
	for _, z := range l.cores[1:] {
		z.Follow(1)
	}
	l.pump()
	if l.cores[0].Phase() != Broadcast {
		tb.Fatal("no leader")
	}
	for _, z := range l.cores {
		if rd := z.Ready(); rd.Err != nil {
			tb.Fatal(rd.Err)
		}
	}
	return l
}

// pump runs every core's Ready until nothing is left.
func (l *loop) pump() {
	for {
		busy := false
		for i, z := range l.cores {
			if !z.HasReady() {
				continue
			}
			busy = true
			rd := z.Ready()
			if rd.Err != nil {
				panic(rd.Err)
			}
			if len(rd.Entries) > 0 {
				l.logs[i].add(rd.Entries)
				z.Persisted(rd.Entries[len(rd.Entries)-1].Zxid)
			}
			l.inbox = append(l.inbox, rd.Messages...)
			l.applied += len(rd.Committed)
		}
		for len(l.inbox) > 0 {
			busy = true
			m := l.inbox[0]
			l.inbox = l.inbox[1:]
			l.byID[m.To].Step(m)
		}
		l.inbox = l.inbox[:0:cap(l.inbox)]
		if !busy {
			return
		}
	}
}

// BenchmarkPropose3 measures proposals through a 3-peer loop, one at a time
// (each committed before the next is proposed) and pipelined in batches.
func BenchmarkPropose3(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run("batch="+itoa(batch), func(b *testing.B) {
			l := newLoop(b, 3)
			leader := l.cores[0]
			data := make([]byte, 128)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				for j := 0; j < batch && i+j < b.N; j++ {
					if _, err := leader.Propose(data); err != nil {
						b.Fatal(err)
					}
				}
				l.pump()
			}
			b.StopTimer()
			if l.applied < 3*b.N {
				b.Fatalf("applied %d of %d", l.applied, 3*b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
