package zab

// The Sync barrier. ZooKeeper's sync only makes a server catch up with
// whatever its leader has, which a deposed leader may not know is stale
// (Jepsen, 2019). Here the leader notes its last zxid when the barrier
// reaches it, then waits for a PING round started after that moment to be
// answered by a quorum: a quorum still following it proves no other leader
// can have committed anything in between (a newer leader needs a quorum to
// accept its epoch, and a learner that accepted it ignores this leader).
// The answer is sent once that zxid is committed.

// pendingSync is a barrier waiting at the leader.
type pendingSync struct {
	from  uint64 // learner that forwarded it; 0: this peer's own Sync
	id    uint64
	zxid  int64  // the leader's last zxid when the barrier arrived
	round uint64 // the PING round that must be confirmed
}

// leaderSync registers a barrier from a learner (or from this peer, from 0).
func (z *Zab) leaderSync(from, id uint64) {
	z.ld.syncs = append(z.ld.syncs, pendingSync{from: from, id: id, zxid: z.lastZxid, round: z.needRound()})
	z.checkSyncs()
}

// needRound returns a PING round whose PINGs have not left yet: the current
// one if its PINGs are still in the pending Ready, else a new one.
func (z *Zab) needRound() uint64 {
	if !z.ld.roundInBatch {
		z.startRound()
	}
	return z.ld.round
}

// startRound sends a PING of a new round to every learner that has its
// LEADERINFO.
func (z *Zab) startRound() {
	ld := z.ld
	ld.round++
	ld.roundInBatch = true
	ld.lastPing = z.tick
	for _, p := range ld.learners {
		z.send(Message{Type: Ping, To: p.id, Zxid: z.lastZxid, ID: ld.round})
	}
}

// onPingReply records a learner's answer to a PING round and its session
// liveness payload.
func (z *Zab) onPingReply(p *learnerPeer, m Message) {
	if len(m.Data) > 0 {
		z.rd.Liveness = append(z.rd.Liveness, Forwarded{From: p.id, Data: m.Data})
	}
	if m.ID > p.echo && m.ID <= z.ld.round {
		p.echo = m.ID
		z.checkSyncs()
	}
}

// confirmedRound returns the highest PING round a quorum of synced voters
// (the leader included) has answered.
func (z *Zab) confirmedRound() uint64 {
	ld := z.ld
	best := uint64(0)
	consider := func(r uint64) {
		if r <= best {
			return
		}
		ids := append(ld.ids[:0], z.id)
		for _, p := range ld.learners {
			if p.stage == stageSynced && p.echo >= r {
				ids = append(ids, p.id)
			}
		}
		ld.ids = ids
		if z.cfg.Quorum.HasQuorum(ids) {
			best = r
		}
	}
	consider(ld.round)
	for _, p := range ld.learners {
		consider(p.echo)
	}
	return best
}

// checkSyncs answers every barrier whose round is confirmed and whose zxid
// is committed.
func (z *Zab) checkSyncs() {
	ld := z.ld
	if len(ld.syncs) == 0 {
		return
	}
	confirmed := z.confirmedRound()
	keep := ld.syncs[:0]
	for _, s := range ld.syncs {
		switch {
		case s.round > confirmed || s.zxid > z.committed:
			keep = append(keep, s)
		case s.from == 0:
			z.rd.Synced = append(z.rd.Synced, SyncDone{ID: s.id, Zxid: s.zxid})
		default:
			z.send(Message{Type: Sync, To: s.from, ID: s.id, Zxid: s.zxid})
		}
	}
	clear(ld.syncs[len(keep):])
	ld.syncs = keep
}

// failSyncs fails this peer's own barriers (learners' barriers fail at the
// learner when it loses its leader).
func (z *Zab) failSyncs(err error) {
	for _, s := range z.ld.syncs {
		if s.from == 0 {
			z.rd.Synced = append(z.rd.Synced, SyncDone{ID: s.id, Err: err})
		}
	}
	z.ld.syncs = nil
}
