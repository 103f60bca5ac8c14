package sim

import (
	"github.com/ensemble-go/ensemble/election"
	"github.com/ensemble-go/ensemble/zab"
)

// Peer is one simulated server: the two cores, the model disk and the
// model state machine, plus what the host keeps between Ready batches.
type Peer struct {
	ID    uint64
	Voter bool
	Up    bool
	Disk  *Disk
	SM    Chain // the state machine (volatile; the disk has the snapshot)

	el   *election.Election
	zab  *zab.Zab
	role zab.Role

	fsyncs      []fsync // outstanding syncs, in order
	diskLatency int64   // steps an fsync takes at most (slow disk: large)
	tickPhase   int64
	tickEvery   int64 // this peer's clock: steps per tick

	newLeaderZxid int64 // the last NEWLEADER this peer sent as leader
	syncPoint     int64 // learner: the end of the history its leader synced before NEWLEADER
	syncing       bool  // learner: between DIFF/TRUNC/SNAP and NEWLEADER
	incarnation   int   // restarts so far
	pausedUntil   int64 // the process is stalled until this step
	early         bool  // BugEarlyPersisted: Persisted was already called
}

type fsync struct {
	upto int64 // last zxid of the batch
	at   int64 // step at which it completes
}

// Snapshot implements zab.SnapshotSource: the state machine, which only
// ever holds committed txns.
func (p *Peer) Snapshot() (int64, []byte, error) {
	b, err := p.SM.MarshalBinary()
	return p.SM.Zxid, b, err
}

// Election returns the peer's election core (nil while down).
func (p *Peer) Election() *election.Election { return p.el }

// Zab returns the peer's zab core (nil while down).
func (p *Peer) Zab() *zab.Zab { return p.zab }

// Role is the peer's zab role as the host last saw it.
func (p *Peer) Role() zab.Role { return p.role }

// Paused reports whether the peer's process is stalled at step now.
func (p *Peer) Paused(now int64) bool { return p.Up && p.pausedUntil > now }

func (p *Peer) learner() bool { return p.role == zab.Following || p.role == zab.Observing }
