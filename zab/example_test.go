package zab_test

import (
	"fmt"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/ensemble-go/ensemble/zab"
)

// memLog is the smallest Log: records in memory, appended by the host.
type memLog struct{ recs []zab.Entry }

func (l *memLog) FirstZxid() int64 {
	if len(l.recs) == 0 {
		return 0
	}
	return l.recs[0].Zxid
}

func (l *memLog) LastZxid() int64 {
	if len(l.recs) == 0 {
		return 0
	}
	return l.recs[len(l.recs)-1].Zxid
}

func (l *memLog) Scan(after int64, fn func(int64, []byte) error) error {
	for _, r := range l.recs {
		if r.Zxid > after {
			if err := fn(r.Zxid, r.Data); err != nil {
				return err
			}
		}
	}
	return nil
}

type emptyState struct{}

func (emptyState) Snapshot() (int64, []byte, error) { return 0, nil, nil }

// A standalone server is an ensemble of one: the same pipeline, with a
// quorum of one. The host carries out each Ready in order: durable state,
// then appends (and Persisted), then messages, then applying.
func Example() {
	q, _ := quorum.NewMajority(1)
	log := &memLog{}
	z, err := zab.New(zab.Config{
		ID: 1, Quorum: q, Peers: []uint64{1},
		InitLimit: 10, SyncLimit: 5, PingInterval: 2,
		Log: log, Snapshots: emptyState{},
	}, zab.Durable{})
	if err != nil {
		panic(err)
	}
	handle := func() {
		for z.HasReady() {
			rd := z.Ready()
			if rd.AcceptedEpoch != 0 {
				fmt.Println("store accepted epoch", rd.AcceptedEpoch)
			}
			if rd.CurrentEpoch != 0 {
				fmt.Println("store current epoch", rd.CurrentEpoch)
			}
			if len(rd.Entries) > 0 {
				log.recs = append(log.recs, rd.Entries...) // and fsync
				z.Persisted(rd.Entries[len(rd.Entries)-1].Zxid)
			}
			for _, e := range rd.Committed {
				fmt.Printf("apply %#x %s\n", e.Zxid, e.Data)
			}
			if rd.PhaseChanged {
				fmt.Println(z.Role(), z.Phase())
			}
		}
	}
	z.Lead()
	handle()
	z.Propose([]byte("create /a"))
	z.Propose([]byte("create /b"))
	handle()
	// Output:
	// store accepted epoch 1
	// store current epoch 1
	// LEADING broadcast
	// apply 0x100000001 create /a
	// apply 0x100000002 create /b
}
