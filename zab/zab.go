package zab

import (
	"fmt"
)

// Zab is one peer's Zab core. It is not safe for concurrent use: the host
// calls it from one goroutine (the Log it reads may be appended to
// concurrently by the host's writer; see the package documentation).
type Zab struct {
	cfg     Config
	id      uint64
	maxDiff int

	role   Role
	phase  Phase
	leader uint64
	tick   int64 // ticks since New

	acceptedEpoch int64
	currentEpoch  int64

	// The history; see history.go.
	lastZxid  int64   // last record handed to the host (durable or not)
	persisted int64   // every record ≤ persisted is durable
	committed int64   // every record ≤ committed is committed
	applied   int64   // every record ≤ applied is in the host's state machine
	tail      []Entry // records after tailBase, in memory
	tailBase  int64   // records ≤ tailBase are read from the Log

	ld *leaderState  // non-nil while Leading
	ln *learnerState // non-nil while Following or Observing

	rd Ready
}

// New returns a core for the peer described by cfg, starting from the
// durable state d, in the Looking role. It fails with ErrInvalidConfig or
// ErrInconsistentState.
func New(cfg Config, d Durable) (*Zab, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	inconsistent := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInconsistentState}, args...)...)
	}
	first, last := cfg.Log.FirstZxid(), cfg.Log.LastZxid()
	switch {
	case d.AcceptedEpoch < 0 || d.CurrentEpoch < 0 || d.Applied < 0:
		return nil, inconsistent("negative value in %+v", d)
	case d.CurrentEpoch > d.AcceptedEpoch:
		// The accepted epoch is always stored before the current epoch
		// takes the same value (ZOOKEEPER-1653).
		return nil, inconsistent("current epoch %d above accepted epoch %d", d.CurrentEpoch, d.AcceptedEpoch)
	case first < 0 || last < first || (first == 0) != (last == 0):
		return nil, inconsistent("log spans %#x to %#x", first, last)
	case EpochOf(last) > d.AcceptedEpoch || EpochOf(d.Applied) > d.AcceptedEpoch:
		return nil, inconsistent("history reaches epoch %d beyond accepted epoch %d", max(EpochOf(last), EpochOf(d.Applied)), d.AcceptedEpoch)
	case last != 0 && last < d.Applied:
		return nil, inconsistent("log ends at %#x, before the applied %#x", last, d.Applied)
	case first != 0 && first > d.Applied && !follows(d.Applied, first):
		return nil, inconsistent("log starts at %#x, not right after the applied %#x", first, d.Applied)
	}
	maxDiff := cfg.MaxDiff
	if maxDiff == 0 {
		maxDiff = DefaultMaxDiff
	}
	cfg.Peers = append([]uint64(nil), cfg.Peers...)
	lastZxid := max(last, d.Applied)
	z := &Zab{
		cfg:           cfg,
		id:            cfg.ID,
		maxDiff:       maxDiff,
		acceptedEpoch: d.AcceptedEpoch,
		currentEpoch:  d.CurrentEpoch,
		lastZxid:      lastZxid,
		persisted:     lastZxid,
		committed:     d.Applied,
		applied:       d.Applied,
		tailBase:      lastZxid,
		rd:            Ready{TruncateAfter: -1},
	}
	return z, nil
}

// Lead starts leading, after an election chose this peer: discovery, then
// synchronization, then broadcast once a quorum has acknowledged NEWLEADER.
// A peer that is not a voter cannot lead and stays Looking.
func (z *Zab) Lead() {
	z.leave()
	if !z.cfg.Quorum.IsVoter(z.id) {
		z.goLooking(fmt.Errorf("%w: peer %d is not a voter and cannot lead", ErrInvalidConfig, z.id))
		return
	}
	z.startLeading()
}

// Follow starts following leader, after an election chose it. A peer that
// is not a voter observes instead.
func (z *Zab) Follow(leader uint64) {
	z.leave()
	z.startLearning(leader, !z.cfg.Quorum.IsVoter(z.id))
}

// Observe starts observing leader: it learns committed txns and never votes
// or acknowledges proposals.
func (z *Zab) Observe(leader uint64) {
	z.leave()
	z.startLearning(leader, true)
}

// Step processes a message from a peer. Messages not addressed to this peer,
// from unknown peers, or that make no sense in the current phase are
// ignored; messages that break the protocol send the peer back to election.
func (z *Zab) Step(m Message) {
	if m.To != z.id || m.From == z.id || !z.isPeer(m.From) {
		return
	}
	switch {
	case z.ld != nil:
		z.leaderStep(m)
	case z.ln != nil:
		z.learnerStep(m)
	}
}

// Tick advances the core's clock by one tick: the leader's PINGs, and the
// InitLimit and SyncLimit timeouts.
func (z *Zab) Tick() {
	z.tick++
	switch {
	case z.ld != nil:
		z.leaderTick()
	case z.ln != nil:
		z.learnerTick()
	}
}

// Disconnected tells the core that the transport's connection to peer
// broke: a learner whose leader it was goes back to election; a leader
// forgets the learner, which must start again with FOLLOWERINFO.
func (z *Zab) Disconnected(peer uint64) {
	switch {
	case z.ld != nil:
		z.forgetLearner(peer)
	case z.ln != nil && peer == z.leader:
		z.goLooking(nil)
	}
}

// Persisted tells the core that every Ready.Entries entry up to zxid is
// durable (and every entry of earlier Readys).
func (z *Zab) Persisted(zxid int64) {
	z.persistedTo(zxid)
	switch {
	case z.ld != nil:
		z.leaderPersisted()
	case z.ln != nil:
		z.learnerPersisted()
	}
	z.apply()
}

// Propose appends a txn to the history and sends it to the followers; it
// returns the txn's zxid. Only a leader in the broadcast phase proposes
// (else ErrNotLeader or ErrNotReady). It never waits: many proposals may be
// in flight. When the epoch's zxid counter is used up it fails with
// ErrZxidExhausted and the leader steps down, so that an election starts a
// new epoch. The core keeps data; the caller must not modify it.
func (z *Zab) Propose(data []byte) (int64, error) {
	switch {
	case z.ld == nil:
		return 0, ErrNotLeader
	case !z.ld.established:
		return 0, ErrNotReady
	}
	return z.propose(data)
}

// Forward sends a write to the leader as a REQUEST (a learner in the
// broadcast phase). On the leader itself it comes back in Ready.Requests,
// so the host has one path for writes. It fails with ErrNoLeader while
// Looking and ErrNotReady before the epoch is established.
func (z *Zab) Forward(data []byte) error {
	switch {
	case z.role == Looking:
		return ErrNoLeader
	case z.phase != Broadcast:
		return ErrNotReady
	case z.ld != nil:
		z.rd.Requests = append(z.rd.Requests, Forwarded{From: z.id, Data: data})
		return nil
	}
	z.send(Message{Type: Request, To: z.leader, Data: data})
	return nil
}

// SetLiveness sets the payload (session liveness) a learner sends with its
// next PING reply; the payload is then cleared. It replaces any payload not
// yet sent. The leader ignores it.
func (z *Zab) SetLiveness(data []byte) {
	if z.ln != nil {
		z.ln.liveness = data
	}
}

// Revalidate sends a REVALIDATE (a session moving to this server) to the
// leader; the answer comes in Ready.Revalidates. It fails like Forward.
func (z *Zab) Revalidate(data []byte) error {
	switch {
	case z.role == Looking:
		return ErrNoLeader
	case z.ln == nil:
		return ErrNotLeader // a leader revalidates locally
	case z.phase != Broadcast:
		return ErrNotReady
	}
	z.send(Message{Type: Revalidate, To: z.leader, Data: data})
	return nil
}

// AnswerRevalidate sends the leader's answer to a learner's REVALIDATE.
func (z *Zab) AnswerRevalidate(to uint64, data []byte) error {
	switch {
	case z.ld == nil:
		return ErrNotLeader
	case !z.ld.established:
		return ErrNotReady
	}
	if p := z.ld.learner(to); p != nil && p.stage >= stageSyncing {
		z.send(Message{Type: Revalidate, To: to, Data: data})
	}
	return nil
}

// Sync starts a linearizable barrier: the answer, in Ready.Synced, is a zxid
// such that once the host has applied it, reads reflect every write
// committed before Sync was called. A learner forwards the barrier to its
// leader; the leader answers once a quorum has confirmed it still leads and
// the barrier's zxid is committed. Ids are the caller's; a failure (no
// leader, the leader changed) comes back as SyncDone.Err.
func (z *Zab) Sync(id uint64) {
	switch {
	case z.role == Looking:
		z.rd.Synced = append(z.rd.Synced, SyncDone{ID: id, Err: ErrNoLeader})
	case z.phase != Broadcast:
		z.rd.Synced = append(z.rd.Synced, SyncDone{ID: id, Err: ErrNotReady})
	case z.ld != nil:
		z.leaderSync(0, id)
	default:
		z.ln.syncs = append(z.ln.syncs, id)
		z.send(Message{Type: Sync, To: z.leader, ID: id})
	}
}

// Role returns the peer's role.
func (z *Zab) Role() Role { return z.role }

// Phase returns the Zab phase; only in Broadcast may the peer serve.
func (z *Zab) Phase() Phase { return z.phase }

// Leader returns the leader's id (this peer's own while leading), or 0 if
// there is none.
func (z *Zab) Leader() uint64 { return z.leader }

// LastZxid returns the last zxid of the history, durable or not: with
// CurrentEpoch, what the peer offers in an election.
func (z *Zab) LastZxid() int64 { return z.lastZxid }

// CurrentEpoch returns the epoch of the last history this peer
// acknowledged (or established as leader).
func (z *Zab) CurrentEpoch() int64 { return z.currentEpoch }

// AcceptedEpoch returns the last epoch this peer accepted.
func (z *Zab) AcceptedEpoch() int64 { return z.acceptedEpoch }

// Status is a snapshot of a core's state, for the host's monitoring.
type Status struct {
	ID            uint64
	Role          Role
	Phase         Phase
	Leader        uint64
	AcceptedEpoch int64
	CurrentEpoch  int64
	LastZxid      int64 // last record of the history
	Persisted     int64 // last record known durable
	Committed     int64 // last record known committed
	Applied       int64 // last record emitted in Committed
	Learners      int   // leader: learners synced and acknowledged
}

// Status returns the core's state.
func (z *Zab) Status() Status {
	s := Status{
		ID: z.id, Role: z.role, Phase: z.phase, Leader: z.leader,
		AcceptedEpoch: z.acceptedEpoch, CurrentEpoch: z.currentEpoch,
		LastZxid: z.lastZxid, Persisted: z.persisted, Committed: z.committed, Applied: z.applied,
	}
	if z.ld != nil {
		for _, p := range z.ld.learners {
			if p.stage == stageSynced {
				s.Learners++
			}
		}
	}
	return s
}

// Ready returns and clears the pending output. The host carries it out as
// the package documentation says before it calls the core again.
func (z *Zab) Ready() Ready {
	rd := z.rd
	// The host keeps the returned slices (entries are persisted while the
	// core goes on), so they are never reused.
	z.rd = Ready{TruncateAfter: -1}
	if z.ld != nil {
		z.ld.roundInBatch = false
	}
	return rd
}

// HasReady reports whether Ready would return anything to do.
func (z *Zab) HasReady() bool { return !z.rd.IsEmpty() }

// send queues a message from this peer.
func (z *Zab) send(m Message) {
	m.From = z.id
	z.rd.Messages = append(z.rd.Messages, m)
}

func (z *Zab) isPeer(id uint64) bool {
	for _, p := range z.cfg.Peers {
		if p == id {
			return true
		}
	}
	return false
}

// setRole changes role and phase and tells the host the role changed.
func (z *Zab) setRole(r Role, p Phase, leader uint64) {
	z.role, z.leader = r, leader
	z.rd.RoleChanged = true
	z.setPhase(p)
}

// setPhase changes the phase and tells the host.
func (z *Zab) setPhase(p Phase) {
	z.phase = p
	z.rd.PhaseChanged = true
}

// leave ends the current role (without going through Looking): pending
// barriers fail, leader or learner state is dropped.
func (z *Zab) leave() {
	if z.ld != nil {
		z.failSyncs(ErrNotLeader)
		z.ld = nil
	}
	if z.ln != nil {
		for _, id := range z.ln.syncs {
			z.rd.Synced = append(z.rd.Synced, SyncDone{ID: id, Err: ErrNoLeader})
		}
		z.ln = nil
	}
}

// goLooking drops the role and asks the host for an election. err, if any,
// says why (for the host's log).
func (z *Zab) goLooking(err error) {
	z.leave()
	if err != nil && z.rd.Err == nil {
		z.rd.Err = err
	}
	z.setRole(Looking, Election, 0)
	// Committed records still get applied as they become durable: being
	// committed does not depend on the role.
	z.apply()
}

// fail goes back to election because of err; while already Looking it only
// reports err.
func (z *Zab) fail(err error) {
	if z.role == Looking {
		if z.rd.Err == nil {
			z.rd.Err = err
		}
		return
	}
	z.goLooking(err)
}
