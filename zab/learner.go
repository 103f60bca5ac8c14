package zab

import (
	"fmt"
	"slices"
)

// stage is how far a learner has come with its leader.
type stage int

const (
	lsFlush     stage = iota // earlier records still being persisted: FOLLOWERINFO waits
	lsInfo                   // FOLLOWERINFO sent; waiting for LEADERINFO
	lsEpoch                  // ACKEPOCH sent; waiting for DIFF, TRUNC or SNAP
	lsSync                   // receiving the leader's history; waiting for NEWLEADER
	lsNewLeader              // NEWLEADER received; ACK once the history is durable
	lsAcked                  // NEWLEADER acknowledged; waiting for UPTODATE
	lsBroadcast              // established: proposals, commits, pings
)

// learnerState is what only a follower or observer keeps.
type learnerState struct {
	observer  bool
	stage     stage
	newEpoch  int64 // the leader's epoch, from LEADERINFO
	syncPoint int64 // the history sent before NEWLEADER ends here
	acked     int64 // ACKs sent up to here
	lastHeard int64 // tick of the leader's last message
	liveness  []byte
	syncs     []uint64 // barriers forwarded to the leader
}

// startLearning begins discovery with leader.
func (z *Zab) startLearning(leader uint64, observer bool) {
	if leader == z.id || !z.isPeer(leader) {
		z.goLooking(fmt.Errorf("%w: cannot follow peer %d", ErrInvalidConfig, leader))
		return
	}
	r := Following
	if observer {
		r = Observing
	}
	z.setRole(r, Discovery, leader)
	z.ln = &learnerState{observer: observer, lastHeard: z.tick}
	z.maybeStartDiscovery()
}

// maybeStartDiscovery sends FOLLOWERINFO once every record handed to the
// host is durable. Until then a TRUNC or SNAP could race with appends still
// in flight, and a late Persisted could vouch for records that replaced
// the ones it was about.
func (z *Zab) maybeStartDiscovery() {
	ln := z.ln
	if ln.stage != lsFlush || z.persisted < z.lastZxid {
		return
	}
	t := FollowerInfo
	if ln.observer {
		t = ObserverInfo
	}
	z.send(Message{Type: t, To: z.leader, Zxid: MakeZxid(z.acceptedEpoch, 0), Epoch: z.acceptedEpoch})
	ln.stage = lsInfo
}

// violation sends the peer back to election: the leader broke the protocol,
// and nothing doubtful may be applied.
func (z *Zab) violation(format string, args ...any) {
	z.fail(fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...))
}

func (z *Zab) learnerStep(m Message) {
	ln := z.ln
	if m.From != z.leader {
		return
	}
	ln.lastHeard = z.tick
	if ln.stage < lsEpoch {
		// Before LEADERINFO anything else is left over from an earlier
		// connection to the same leader.
		if ln.stage == lsInfo && m.Type == LeaderInfo {
			z.onLeaderInfo(m)
		}
		return
	}
	switch m.Type {
	case LeaderInfo:
		if m.Epoch != ln.newEpoch {
			z.violation("LEADERINFO for epoch %d while in epoch %d", m.Epoch, ln.newEpoch)
		}
		// Else a duplicate answering an earlier FOLLOWERINFO: nothing to do.
	case Diff, Trunc, Snap:
		z.onSyncStart(m)
	case Proposal:
		z.onProposal(m)
	case Commit:
		z.onCommit(m)
	case Inform:
		z.onInform(m)
	case NewLeader:
		z.onNewLeader(m)
	case UpToDate:
		z.onUpToDate(m)
	case Ping:
		z.send(Message{Type: Ping, To: z.leader, Zxid: z.lastZxid, ID: m.ID, Data: ln.liveness})
		ln.liveness = nil
	case Sync:
		if i := slices.Index(ln.syncs, m.ID); i >= 0 {
			ln.syncs = slices.Delete(ln.syncs, i, i+1)
			z.rd.Synced = append(z.rd.Synced, SyncDone{ID: m.ID, Zxid: m.Zxid})
		}
	case Revalidate:
		z.rd.Revalidates = append(z.rd.Revalidates, Forwarded{From: m.From, Data: m.Data})
	}
}

// onLeaderInfo accepts the leader's new epoch (durably, before ACKEPOCH
// leaves: Ready step 1) or refuses a stale one.
func (z *Zab) onLeaderInfo(m Message) {
	ln := z.ln
	e := m.Epoch
	ack := Message{Type: AckEpoch, To: z.leader, Zxid: z.lastZxid, Epoch: z.currentEpoch}
	switch {
	case e <= 0 || EpochOf(MakeZxid(e, 0)) != e:
		z.violation("LEADERINFO with epoch %d", e)
		return
	case e < z.acceptedEpoch:
		z.violation("leader %d offers epoch %d, below the accepted epoch %d", z.leader, e, z.acceptedEpoch)
		return
	case e == z.acceptedEpoch:
		// Accepted before (from this leader, or from a rival that chose
		// the same number): say so, so that it does not count twice.
		ack.Epoch = -1
	default:
		z.acceptedEpoch = e
		z.rd.AcceptedEpoch = e
	}
	z.send(ack)
	ln.newEpoch = e
	ln.stage = lsEpoch
	z.setPhase(Synchronization)
}

// onSyncStart handles DIFF, TRUNC and SNAP. From here to UPTODATE nothing is
// applied.
func (z *Zab) onSyncStart(m Message) {
	ln := z.ln
	if ln.stage != lsEpoch {
		z.violation("%v during synchronization", m.Type)
		return
	}
	switch m.Type {
	case Trunc:
		t := m.Zxid
		switch {
		case t < z.committed:
			z.violation("TRUNC to %#x would drop committed %#x", t, z.committed)
			return
		case t > z.lastZxid:
			z.violation("TRUNC to %#x, beyond the last zxid %#x", t, z.lastZxid)
			return
		}
		ok, err := z.hasRecord(t)
		switch {
		case err != nil:
			z.fail(err)
			return
		case !ok:
			z.violation("TRUNC to %#x, which is not in the log", t)
			return
		}
		if t < z.lastZxid {
			z.truncateAfter(t)
		}
	case Snap:
		switch {
		case m.Zxid < 0 || EpochOf(m.Zxid) > ln.newEpoch:
			z.violation("SNAP at %#x in epoch %d", m.Zxid, ln.newEpoch)
			return
		case m.Zxid < z.committed:
			// The log would go and leave this peer's disk without txns a
			// quorum may count on it for.
			z.violation("SNAP at %#x, below the committed %#x", m.Zxid, z.committed)
			return
		}
		z.installSnapshot(m.Zxid, m.Data)
	}
	ln.stage = lsSync
}

// onProposal appends a record: the leader's history during synchronization,
// the epoch's proposals after NEWLEADER. A record that does not follow the
// last one exactly is a hole (ZOOKEEPER-4925): never accepted.
func (z *Zab) onProposal(m Message) {
	ln := z.ln
	switch {
	case ln.stage < lsSync:
		z.violation("PROPOSAL %#x before DIFF, TRUNC or SNAP", m.Zxid)
	case ln.observer && ln.stage != lsSync:
		z.violation("PROPOSAL %#x to an observer", m.Zxid)
	case EpochOf(m.Zxid) > ln.newEpoch || (ln.stage >= lsNewLeader && EpochOf(m.Zxid) != ln.newEpoch):
		z.violation("PROPOSAL %#x in epoch %d", m.Zxid, ln.newEpoch)
	case !follows(z.lastZxid, m.Zxid):
		z.violation("PROPOSAL %#x does not follow %#x", m.Zxid, z.lastZxid)
	default:
		z.appendEntry(m.Zxid, m.Data)
	}
}

// onCommit: the leader says every record up to m.Zxid is committed.
func (z *Zab) onCommit(m Message) {
	if z.ln.stage < lsSync || m.Zxid > z.lastZxid {
		z.violation("COMMIT %#x, but the log ends at %#x", m.Zxid, z.lastZxid)
		return
	}
	z.committed = max(z.committed, m.Zxid)
	z.apply()
}

// onInform: an observer learns a committed txn (or, for a record it got
// during synchronization, that it is committed).
func (z *Zab) onInform(m Message) {
	ln := z.ln
	switch {
	case !ln.observer:
		z.violation("INFORM %#x to a follower", m.Zxid)
		return
	case ln.stage < lsSync:
		z.violation("INFORM %#x before DIFF, TRUNC or SNAP", m.Zxid)
		return
	case m.Zxid > z.lastZxid:
		if EpochOf(m.Zxid) > ln.newEpoch || !follows(z.lastZxid, m.Zxid) {
			z.violation("INFORM %#x does not follow %#x", m.Zxid, z.lastZxid)
			return
		}
		z.appendEntry(m.Zxid, m.Data)
	}
	z.committed = max(z.committed, m.Zxid)
	z.apply()
}

// onNewLeader: the leader's history is complete. The ACK waits until all of
// it is durable and the current epoch is stored (ZOOKEEPER-2678/3911/4646,
// 4643: records, then current epoch, then ACK).
func (z *Zab) onNewLeader(m Message) {
	ln := z.ln
	if ln.stage != lsSync || m.Zxid != MakeZxid(ln.newEpoch, 0) {
		z.violation("NEWLEADER %#x in epoch %d", m.Zxid, ln.newEpoch)
		return
	}
	ln.syncPoint = z.lastZxid
	ln.stage = lsNewLeader
	z.learnerAck()
}

// onUpToDate: the epoch is established; the synced history is committed up
// to m.Zxid, and the learner serves.
func (z *Zab) onUpToDate(m Message) {
	ln := z.ln
	if ln.stage != lsAcked || m.Zxid > z.lastZxid {
		z.violation("UPTODATE %#x before NEWLEADER was acknowledged or beyond the log (%#x)", m.Zxid, z.lastZxid)
		return
	}
	ln.stage = lsBroadcast
	z.setPhase(Broadcast)
	z.committed = max(z.committed, m.Zxid)
	z.apply()
}

// learnerAck sends what durability allows: NEWLEADER's ACK once the synced
// history is durable (after storing the current epoch), then one ACK per
// later proposal, in order. A follower never acknowledges a proposal before
// NEWLEADER (ZOOKEEPER-4685).
func (z *Zab) learnerAck() {
	ln := z.ln
	if ln.stage == lsNewLeader && z.persisted >= ln.syncPoint {
		if z.currentEpoch != ln.newEpoch {
			z.currentEpoch = ln.newEpoch
			z.rd.CurrentEpoch = ln.newEpoch // Ready step 1: before the ACK leaves
		}
		z.send(Message{Type: Ack, To: z.leader, Zxid: MakeZxid(ln.newEpoch, 0)})
		ln.stage = lsAcked
		ln.acked = ln.syncPoint
	}
	if ln.stage < lsAcked || ln.observer || z.persisted <= ln.acked {
		return
	}
	for _, e := range z.tail[z.tailIndex(ln.acked):] {
		if e.Zxid > z.persisted {
			break
		}
		z.send(Message{Type: Ack, To: z.leader, Zxid: e.Zxid})
	}
	ln.acked = z.persisted
}

func (z *Zab) learnerPersisted() {
	z.maybeStartDiscovery()
	z.learnerAck()
}

// learnerTick goes back to election when the leader has been silent too
// long: InitLimit ticks until UPTODATE, SyncLimit ticks after.
func (z *Zab) learnerTick() {
	ln := z.ln
	limit := int64(z.cfg.InitLimit)
	if ln.stage == lsBroadcast {
		limit = int64(z.cfg.SyncLimit)
	}
	if z.tick-ln.lastHeard > limit {
		z.goLooking(fmt.Errorf("%w: nothing from leader %d for %d ticks", ErrTimeout, z.leader, z.tick-ln.lastHeard))
	}
}
