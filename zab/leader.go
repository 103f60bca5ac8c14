package zab

import (
	"fmt"
	"math"
	"slices"
)

// learnerStage is how far the leader has brought one learner.
type learnerStage int

const (
	stageInfo       learnerStage = iota // FOLLOWERINFO received; LEADERINFO sent once the epoch is chosen
	stageEpochAcked                     // ACKEPOCH received; synced once a quorum acknowledged the epoch
	stageSyncing                        // DIFF/TRUNC/SNAP, proposals and NEWLEADER sent; it gets the broadcast stream
	stageSynced                         // NEWLEADER acknowledged: its ACKs count
)

// learnerPeer is the leader's view of one learner connection.
type learnerPeer struct {
	id            uint64
	observer      bool // gets INFORMs, never counts
	stage         learnerStage
	acceptedEpoch int64  // from FOLLOWERINFO
	epochCounted  bool   // its ACKEPOCH counts toward establishing the epoch
	currentEpoch  int64  // from ACKEPOCH (-1: had already accepted the epoch)
	lastZxid      int64  // from ACKEPOCH
	syncPoint     int64  // the history it was sent before NEWLEADER ends here
	acked         int64  // it has every proposal up to acked durably
	lastHeard     int64  // tick of its last message
	echo          uint64 // last PING round it answered
}

// leaderState is what only a leader keeps.
type leaderState struct {
	start       int64          // tick of Lead
	newEpoch    int64          // 0 until a quorum sent FOLLOWERINFO
	epochAcked  bool           // a quorum acknowledged newEpoch: sync learners
	established bool           // a quorum acknowledged NEWLEADER: broadcast
	initialLast int64          // the initial history (the leader's own) ends here
	learners    []*learnerPeer // sorted by id, so output is deterministic

	round        uint64 // last PING round started
	roundInBatch bool   // round's PINGs are still in the pending Ready
	lastPing     int64  // tick of the last round
	syncs        []pendingSync

	ids []uint64 // scratch for quorum checks
}

func (ld *leaderState) learner(id uint64) *learnerPeer {
	i, ok := slices.BinarySearchFunc(ld.learners, id, func(p *learnerPeer, id uint64) int {
		switch {
		case p.id < id:
			return -1
		case p.id > id:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	return ld.learners[i]
}

func (ld *leaderState) put(p *learnerPeer) {
	i, ok := slices.BinarySearchFunc(ld.learners, p.id, func(q *learnerPeer, id uint64) int {
		switch {
		case q.id < id:
			return -1
		case q.id > id:
			return 1
		}
		return 0
	})
	if ok {
		ld.learners[i] = p
		return
	}
	ld.learners = slices.Insert(ld.learners, i, p)
}

// startLeading begins discovery with this peer as leader. Its initial
// history is its own log: the election chose it for having the most recent
// (currentEpoch, lastZxid) of a quorum, so it holds every committed txn.
func (z *Zab) startLeading() {
	z.setRole(Leading, Discovery, z.id)
	z.ld = &leaderState{start: z.tick, initialLast: z.lastZxid}
	z.leaderAdvance()
}

func (z *Zab) leaderStep(m Message) {
	ld := z.ld
	if m.Type == FollowerInfo || m.Type == ObserverInfo {
		z.onLearnerInfo(m)
		return
	}
	p := ld.learner(m.From)
	if p == nil {
		return // not connected (any more): it must start with FOLLOWERINFO
	}
	p.lastHeard = z.tick
	switch m.Type {
	case AckEpoch:
		z.onAckEpoch(p, m)
	case Ack:
		z.onAck(p, m)
	case Ping:
		z.onPingReply(p, m)
	case Request:
		if ld.established && p.stage == stageSynced {
			z.rd.Requests = append(z.rd.Requests, Forwarded{From: p.id, Data: m.Data})
		}
	case Revalidate:
		if ld.established && p.stage == stageSynced {
			z.rd.Revalidates = append(z.rd.Revalidates, Forwarded{From: p.id, Data: m.Data})
		}
	case Sync:
		if ld.established && p.stage == stageSynced {
			z.leaderSync(p.id, m.ID)
		}
	}
}

// onLearnerInfo starts (or restarts) a learner's connection.
func (z *Zab) onLearnerInfo(m Message) {
	ld := z.ld
	z.forgetLearner(m.From) // a new connection: whatever it had is gone
	p := &learnerPeer{
		id:            m.From,
		observer:      m.Type == ObserverInfo || !z.cfg.Quorum.IsVoter(m.From),
		acceptedEpoch: m.Epoch,
		lastHeard:     z.tick,
	}
	ld.put(p)
	if ld.newEpoch != 0 {
		if m.Epoch > ld.newEpoch {
			// The learner promised a later epoch (to a leader that then
			// failed) and must refuse this one: it could never join. Step
			// down, and accept its epoch too: refusing more is always safe,
			// and whichever leader comes next hears of it from this peer or
			// from the learner and picks an epoch above it.
			a := m.Epoch
			z.goLooking(fmt.Errorf("%w: learner %d accepted epoch %d, above this leader's %d",
				ErrLearnerAhead, m.From, a, ld.newEpoch))
			if a <= math.MaxInt32 {
				z.acceptedEpoch = a
				z.rd.AcceptedEpoch = a
			}
			return
		}
		z.sendLeaderInfo(p)
		return
	}
	z.leaderAdvance()
}

func (z *Zab) sendLeaderInfo(p *learnerPeer) {
	e := z.ld.newEpoch
	z.send(Message{Type: LeaderInfo, To: p.id, Zxid: MakeZxid(e, 0), Epoch: e})
}

// forgetLearner drops a learner: it must rediscover.
func (z *Zab) forgetLearner(id uint64) {
	ld := z.ld
	ld.learners = slices.DeleteFunc(ld.learners, func(p *learnerPeer) bool { return p.id == id })
	ld.syncs = slices.DeleteFunc(ld.syncs, func(s pendingSync) bool { return s.from == id })
}

func (z *Zab) onAckEpoch(p *learnerPeer, m Message) {
	ld := z.ld
	if ld.newEpoch == 0 || p.stage != stageInfo || EpochOf(m.Zxid) > ld.newEpoch {
		z.forgetLearner(p.id) // out of order: it will time out and rediscover
		return
	}
	p.stage = stageEpochAcked
	p.currentEpoch, p.lastZxid = m.Epoch, m.Zxid
	if ld.epochAcked {
		z.syncLearner(p)
		return
	}
	// Observers never count, and nothing committed depends on what they
	// hold: one ahead of the leader is simply truncated once synced.
	if m.Epoch >= 0 && !p.observer { // -1: it had already accepted newEpoch, so it must not count twice
		if m.Epoch > z.currentEpoch || (m.Epoch == z.currentEpoch && m.Zxid > z.lastZxid) {
			z.goLooking(fmt.Errorf("%w: learner %d has (epoch %d, zxid %#x), leader %d has (epoch %d, zxid %#x)",
				ErrLearnerAhead, p.id, m.Epoch, m.Zxid, z.id, z.currentEpoch, z.lastZxid))
			return
		}
		p.epochCounted = true
	}
	z.leaderAdvance()
}

func (z *Zab) onAck(p *learnerPeer, m Message) {
	ld := z.ld
	switch {
	case p.stage == stageSyncing && m.Zxid == MakeZxid(ld.newEpoch, 0):
		p.stage = stageSynced
		p.acked = p.syncPoint
		if !ld.established {
			z.leaderAdvance()
			return
		}
		z.sendUpToDate(p)
		z.tryCommit()
	case p.stage == stageSynced && ld.established && !p.observer:
		if m.Zxid > p.acked && m.Zxid <= z.lastZxid {
			p.acked = m.Zxid
			z.tryCommit()
		}
	}
}

// leaderAdvance moves the leader through discovery and synchronization as
// far as the learners it has heard from allow.
func (z *Zab) leaderAdvance() {
	ld := z.ld
	if ld.newEpoch == 0 {
		ids := append(ld.ids[:0], z.id)
		for _, p := range ld.learners {
			ids = append(ids, p.id)
		}
		if !z.cfg.Quorum.HasQuorum(ids) {
			return
		}
		e := max(z.acceptedEpoch, z.currentEpoch, EpochOf(z.lastZxid))
		for _, p := range ld.learners {
			e = max(e, p.acceptedEpoch)
		}
		e++
		if e > math.MaxInt32 {
			z.goLooking(fmt.Errorf("%w: epoch %d does not fit a zxid", ErrInconsistentState, e))
			return
		}
		// Durable before LEADERINFO leaves (ZOOKEEPER-1291): Ready step 1.
		ld.newEpoch = e
		z.acceptedEpoch = e
		z.rd.AcceptedEpoch = e
		for _, p := range ld.learners {
			z.sendLeaderInfo(p)
		}
		ld.lastPing = z.tick
	}
	if !ld.epochAcked {
		ids := append(ld.ids[:0], z.id)
		for _, p := range ld.learners {
			if p.epochCounted {
				ids = append(ids, p.id)
			}
		}
		if !z.cfg.Quorum.HasQuorum(ids) {
			return
		}
		ld.epochAcked = true
		z.setPhase(Synchronization)
		for _, p := range slices.Clone(ld.learners) {
			if p.stage == stageEpochAcked {
				z.syncLearner(p)
			}
		}
	}
	if !ld.established {
		ids := ld.ids[:0]
		if z.persisted >= ld.initialLast {
			ids = append(ids, z.id) // the leader's own history is durable
		}
		for _, p := range ld.learners {
			if p.stage == stageSynced {
				ids = append(ids, p.id)
			}
		}
		if !z.cfg.Quorum.HasQuorum(ids) {
			return
		}
		z.establish()
	}
}

// syncLearner sends a learner the leader's history (DIFF, TRUNC or SNAP,
// then proposals) and NEWLEADER. From then on it gets the broadcast stream.
func (z *Zab) syncLearner(p *learnerPeer) {
	msgs, err := z.planSync(p)
	if err != nil {
		z.forgetLearner(p.id)
		if z.rd.Err == nil {
			z.rd.Err = fmt.Errorf("syncing learner %d: %w", p.id, err)
		}
		return
	}
	z.rd.Messages = append(z.rd.Messages, msgs...)
	e := z.ld.newEpoch
	z.send(Message{Type: NewLeader, To: p.id, Zxid: MakeZxid(e, 0), Epoch: e})
	p.stage = stageSyncing
	p.syncPoint = z.lastZxid
}

// establish: a quorum has the initial history durably and acknowledged
// NEWLEADER, so the history is committed and the leader serves.
func (z *Zab) establish() {
	ld := z.ld
	ld.established = true
	z.setPhase(Broadcast)
	if z.currentEpoch != ld.newEpoch {
		z.currentEpoch = ld.newEpoch
		z.rd.CurrentEpoch = ld.newEpoch
	}
	z.committed = max(z.committed, ld.initialLast)
	for _, p := range ld.learners {
		if p.stage == stageSynced {
			z.sendUpToDate(p)
		}
	}
	z.apply()
}

func (z *Zab) sendUpToDate(p *learnerPeer) {
	z.send(Message{Type: UpToDate, To: p.id, Zxid: z.committed})
}

// propose appends the next txn of the epoch and sends it to the followers.
func (z *Zab) propose(data []byte) (int64, error) {
	next := MakeZxid(z.ld.newEpoch, 1)
	if EpochOf(z.lastZxid) == z.ld.newEpoch {
		next = z.lastZxid + 1
	}
	if CounterOf(next) == maxCounter {
		z.goLooking(ErrZxidExhausted)
		return 0, ErrZxidExhausted
	}
	z.appendEntry(next, data)
	for _, p := range z.ld.learners {
		if p.stage >= stageSyncing && !p.observer {
			z.send(Message{Type: Proposal, To: p.id, Zxid: next, Data: data})
		}
	}
	return next, nil
}

// tryCommit commits up to the highest proposal a quorum has durably: the
// leader counts itself only for what it has Persisted.
func (z *Zab) tryCommit() {
	best := z.committed
	consider := func(c int64) {
		if c <= best || c > z.lastZxid {
			return
		}
		ids := z.ld.ids[:0]
		if z.persisted >= c {
			ids = append(ids, z.id)
		}
		for _, p := range z.ld.learners {
			if p.stage == stageSynced && !p.observer && p.acked >= c {
				ids = append(ids, p.id)
			}
		}
		z.ld.ids = ids
		if z.cfg.Quorum.HasQuorum(ids) {
			best = c
		}
	}
	consider(z.persisted)
	for _, p := range z.ld.learners {
		consider(p.acked)
	}
	if best > z.committed {
		z.commitTo(best)
	}
}

// commitTo sends COMMIT (followers) or INFORM (observers) for every proposal
// up to c, in order, then applies.
func (z *Zab) commitTo(c int64) {
	old := z.committed
	z.committed = c
	// Proposals in flight are all in the tail (trimTail keeps what is not
	// committed), so this never reads the Log.
	es, ok := z.tailAfter(old)
	if !ok {
		z.fail(fmt.Errorf("%w: committing %#x, the proposals after %#x are not in memory", ErrLog, c, old))
		return
	}
	prev := old
	for _, e := range es {
		if e.Zxid > c {
			break
		}
		if !follows(prev, e.Zxid) {
			z.fail(fmt.Errorf("%w: proposal %#x does not follow %#x", ErrLog, e.Zxid, prev))
			return
		}
		prev = e.Zxid
		for _, p := range z.ld.learners {
			switch {
			case p.stage < stageSyncing:
			case p.observer:
				z.send(Message{Type: Inform, To: p.id, Zxid: e.Zxid, Data: e.Data})
			default:
				z.send(Message{Type: Commit, To: p.id, Zxid: e.Zxid})
			}
		}
	}
	z.checkSyncs()
	z.apply()
}

func (z *Zab) leaderPersisted() {
	if z.ld.established {
		z.tryCommit()
		return
	}
	z.leaderAdvance()
}

// leaderTick: the InitLimit deadline, silent learners, PING rounds, and the
// quorum check that makes a partitioned leader step down.
func (z *Zab) leaderTick() {
	ld := z.ld
	if !ld.established && z.tick-ld.start > int64(z.cfg.InitLimit) {
		z.goLooking(fmt.Errorf("%w: epoch not established within InitLimit (%d ticks)", ErrTimeout, z.cfg.InitLimit))
		return
	}
	for i := 0; i < len(ld.learners); {
		p := ld.learners[i]
		limit := int64(z.cfg.InitLimit)
		if p.stage == stageSynced {
			limit = int64(z.cfg.SyncLimit)
		}
		if z.tick-p.lastHeard > limit {
			z.forgetLearner(p.id) // removes ld.learners[i]
			continue
		}
		i++
	}
	if ld.newEpoch != 0 && z.tick-ld.lastPing >= int64(z.cfg.PingInterval) {
		z.startRound()
	}
	if !ld.established {
		return
	}
	ids := append(ld.ids[:0], z.id)
	for _, p := range ld.learners {
		if p.stage == stageSynced && z.tick-p.lastHeard <= int64(z.cfg.SyncLimit) {
			ids = append(ids, p.id)
		}
	}
	if !z.cfg.Quorum.HasQuorum(ids) {
		z.goLooking(fmt.Errorf("%w: heard from %v within SyncLimit (%d ticks)", ErrQuorumLost, ids, z.cfg.SyncLimit))
	}
}
