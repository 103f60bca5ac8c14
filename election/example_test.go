package election_test

import (
	"fmt"

	"github.com/ensemble-go/ensemble/election"
	"github.com/ensemble-go/ensemble/quorum"
)

// Three peers in one process: the host loop starts them, carries their
// notifications (through the wire encoding) and ticks them until every
// peer has decided. Peer 2 has the newest log, so it leads.
func Example() {
	voters, _ := quorum.NewMajority(1, 2, 3)
	peers := map[uint64]*election.Election{}
	for _, id := range []uint64{1, 2, 3} {
		e, err := election.New(election.Config{
			ID: id, Quorum: voters, Peers: []uint64{1, 2, 3},
			FinalizeWait: 2, ResendInterval: 10,
		})
		if err != nil {
			panic(err)
		}
		peers[id] = e
	}

	var wire [][]byte // in flight, oldest first
	decided := map[uint64]bool{}
	ready := func(id uint64) {
		rd := peers[id].Ready()
		for _, n := range rd.Messages {
			b, _ := n.MarshalBinary()
			wire = append(wire, b)
		}
		if d := rd.Decision; d != nil {
			decided[id] = true
			fmt.Printf("peer %d: %v, leader %d, zxid %#x\n", id, d.State, d.Leader, d.Vote.Zxid)
		}
	}

	lastZxid := map[uint64]int64{1: 0x1_0000_0007, 2: 0x1_0000_0009, 3: 0x1_0000_0008}
	for _, id := range []uint64{1, 2, 3} {
		peers[id].Start(lastZxid[id], 1)
		ready(id)
	}
	for len(decided) < 3 {
		for len(wire) > 0 {
			n, err := election.UnmarshalNotification(wire[0])
			wire = wire[1:]
			if err != nil {
				panic(err)
			}
			peers[n.To].Step(n)
			ready(n.To)
		}
		for _, id := range []uint64{1, 2, 3} {
			peers[id].Tick()
			ready(id)
		}
	}
	// Output:
	// peer 1: FOLLOWING, leader 2, zxid 0x100000009
	// peer 2: LEADING, leader 2, zxid 0x100000009
	// peer 3: FOLLOWING, leader 2, zxid 0x100000009
}
