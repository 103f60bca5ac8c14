package election

import (
	"math"
	"slices"
)

// Election is one peer's FastLeaderElection state machine. It is not safe
// for concurrent use: the host calls it from one goroutine.
type Election struct {
	cfg    Config
	peers  []uint64 // sorted; the tables below are indexed alike
	voters []uint64 // sorted; who a broadcast goes to
	me     int      // index of cfg.ID in peers
	voter  bool     // whether this peer votes

	started  bool
	state    State
	clock    int64 // logical clock: the election epoch of the current round
	self     Vote  // this round's own vote (observerVote for observers)
	proposal Vote  // the best vote seen this round
	current  Decision

	recv    table // votes of this round (ZooKeeper's recvset)
	outside table // FOLLOWING/LEADING votes of any round (outofelection)

	finalizing    bool
	finalizeLeft  int
	finalizeVote  Vote
	finalizeClock int64

	idle     int // ticks since the last notification from a voter
	interval int // ticks of silence before the next re-broadcast

	out      []Notification
	decision *Decision
	scratch  []uint64 // ids agreeing on a vote, reused by every count
}

// Ready is what the host must carry out: notifications to send and, once
// per round, the decision. The host owns the returned slice.
type Ready struct {
	Messages []Notification
	Decision *Decision // non-nil exactly once per round, when the round ends
}

// Decision is the outcome of a round.
type Decision struct {
	Leader        uint64
	State         State // Leading, Following or Observing
	Vote          Vote
	ElectionEpoch int64
}

// New returns an Election for cfg, not yet started: it ignores
// notifications and ticks until Start.
func New(cfg Config) (*Election, error) {
	peers, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	cfg.Peers = peers
	me, _ := slices.BinarySearch(peers, cfg.ID)
	return &Election{
		cfg:     cfg,
		peers:   peers,
		voters:  cfg.Quorum.Voters(),
		me:      me,
		voter:   cfg.Quorum.IsVoter(cfg.ID),
		recv:    make(table, len(peers)),
		outside: make(table, len(peers)),
		scratch: make([]uint64, 0, len(peers)),
	}, nil
}

// Start begins (or restarts) a round: LOOKING, logical clock incremented,
// vote for self (observers: no self vote, they only learn), broadcast.
// lastZxid and currentEpoch are the peer's durable state at that moment. A
// decision of an earlier round not yet taken from Ready is dropped. An
// ensemble of one decides within Start (or after FinalizeWait ticks).
func (e *Election) Start(lastZxid, currentEpoch int64) {
	e.started = true
	e.state = Looking
	if e.clock < math.MaxInt64 {
		e.clock++
	}
	e.self = observerVote
	if e.voter {
		e.self = Vote{Leader: e.cfg.ID, Zxid: lastZxid, PeerEpoch: currentEpoch}
	}
	e.proposal = e.self
	e.current = Decision{}
	e.decision = nil
	e.recv.clear()
	e.outside.clear()
	e.finalizing = false
	e.idle = 0
	e.interval = e.cfg.ResendInterval
	e.broadcast()
	e.checkFinalize()
}

// Tick advances election time by one tick: it ends a finalize wait and
// re-broadcasts after ResendInterval ticks without news. It does nothing
// once the round has ended.
func (e *Election) Tick() {
	if !e.started || e.state != Looking {
		return
	}
	if e.finalizing {
		e.finalizeLeft--
		if e.finalizeLeft <= 0 {
			e.finalizing = false
			if e.quorumFor(e.recv, ballot{vote: e.proposal, epoch: e.clock, state: Looking}) {
				e.decide(e.proposal, e.clock)
				return
			}
		}
	}
	e.idle++
	if e.idle < e.interval {
		return
	}
	e.idle = 0
	if limit := e.cfg.MaxResendInterval; limit > e.interval {
		e.interval = min(2*e.interval, limit)
	}
	e.broadcast()
	e.checkFinalize()
}

// State returns the peer's current state: Looking until a round ends, then
// the decided state until the next Start.
func (e *Election) State() State { return e.state }

// LogicalClock returns the election epoch of the current (or last) round.
func (e *Election) LogicalClock() int64 { return e.clock }

// Vote returns the vote this peer stands by: its proposal while LOOKING
// (for an observer, a vote for NoLeader), the decided vote after.
func (e *Election) Vote() Vote {
	if e.state == Looking {
		return e.proposal
	}
	return e.current.Vote
}

// SetPeerEpoch records the epoch zab established under the decided leader
// (ZooKeeper's QuorumPeer.updateElectionVote), so that answers to LOOKING
// peers name it. Call it on every peer as it makes the epoch current: a
// joining peer counts settled votes that name the same leader and peer
// epoch, and peers that decided in different rounds answer with different
// epochs unless each names the one zab established, so without it a
// joiner can wait forever (internal/sim found this: seed 416 with
// -sim.nopeerepoch). It has no effect while LOOKING.
func (e *Election) SetPeerEpoch(epoch int64) {
	if e.started && e.state != Looking {
		e.current.Vote.PeerEpoch = epoch
	}
}

// Ready returns what to send and, once, the decision of the current round;
// it clears them.
func (e *Election) Ready() Ready {
	r := Ready{Messages: e.out, Decision: e.decision}
	e.out, e.decision = nil, nil
	return r
}

// broadcast sends our proposal to every voter and, for a voter, records it
// as our own vote in this round, which is what ZooKeeper's notification to
// itself does.
func (e *Election) broadcast() {
	for _, v := range e.voters {
		if v != e.cfg.ID {
			e.send(v, Looking, e.proposal, e.clock)
		}
	}
	if e.voter {
		e.recv[e.me] = ballot{vote: e.proposal, epoch: e.clock, state: Looking, ok: true}
	}
}

func (e *Election) send(to uint64, s State, v Vote, epoch int64) {
	if e.out == nil {
		e.out = make([]Notification, 0, len(e.peers))
	}
	e.out = append(e.out, Notification{From: e.cfg.ID, To: to, State: s, Vote: v, ElectionEpoch: epoch})
}

// decide ends the round on v, decided in election epoch epoch.
func (e *Election) decide(v Vote, epoch int64) {
	s := Following
	switch {
	case !e.voter:
		s = Observing
	case v.Leader == e.cfg.ID:
		s = Leading
	}
	e.state = s
	e.current = Decision{Leader: v.Leader, State: s, Vote: v, ElectionEpoch: epoch}
	d := e.current
	e.decision = &d
	e.finalizing = false
	e.recv.clear()
	e.outside.clear()
	if e.voter {
		// Tell everyone at once: peers still LOOKING (observers, which
		// learn only from settled votes; voters whose view lacked a vote we
		// counted) would otherwise learn of it only when they next ask,
		// after a backed-off resend interval that can outlast zab's
		// patience with a leader waiting for followers.
		for _, p := range e.peers {
			if p != e.cfg.ID {
				e.send(p, s, v, epoch)
			}
		}
	}
}

func (e *Election) index(id uint64) (int, bool) { return slices.BinarySearch(e.peers, id) }
