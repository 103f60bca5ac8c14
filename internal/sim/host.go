package sim

import (
	"bytes"
	"fmt"

	"github.com/ensemble-go/ensemble/zab"
)

// handleZab carries out one zab Ready exactly as the contract orders it:
// epochs, snapshot and truncation durably first; entries appended (synced
// later, which is when Persisted is called); messages sent; committed txns
// applied. Every step is checked against the invariants as it happens.
func (c *Cluster) handleZab(p *Peer, r zab.Ready) {
	fail := func(rule, format string, args ...any) {
		c.setErr(&Violation{Rule: rule, Peer: p.ID, Step: c.now, Msg: fmt.Sprintf(format, args...)})
	}
	if r.RoleChanged {
		c.roleChanged(p)
	}

	// Step 1: durable, synchronous, before any message leaves.
	if e := r.AcceptedEpoch; e != 0 {
		if e < p.Disk.AcceptedEpoch {
			fail(RuleEpochs, "acceptedEpoch goes back from %d to %d", p.Disk.AcceptedEpoch, e)
			return
		}
		p.Disk.AcceptedEpoch = e
		c.log(event{peer: p.ID, what: "accepted", epoch: e})
	}
	if s := r.Snapshot; s != nil {
		ch, err := UnmarshalChain(s.Data)
		if err != nil {
			fail(RuleReadyContract, "SNAP: %v", err)
			return
		}
		if ch.Zxid != s.Zxid {
			fail(RuleReadyContract, "SNAP says zxid %s, its state is at %s", zxidString(s.Zxid), zxidString(ch.Zxid))
			return
		}
		if ch.Zxid < p.SM.Zxid {
			// Clients of this peer would see time go backwards.
			fail(RuleMonotonic, "SNAP at %s takes the state machine back from %s", zxidString(ch.Zxid), zxidString(p.SM.Zxid))
			return
		}
		if err := c.check.Reset(p.ID, ch, "SNAP"); err != nil {
			c.setErr(err)
			return
		}
		p.SM = ch
		if c.Bug == BugVolatileSnap {
			old := p.Disk.Snap
			p.Disk.InstallSnapshot(ch)
			p.Disk.Snap = old
		} else {
			p.Disk.InstallSnapshot(ch)
		}
		p.fsyncs = p.fsyncs[:0]
		c.log(event{peer: p.ID, what: "snapshot", zxid: ch.Zxid, note: "installed SNAP"})
	}
	if t := r.TruncateAfter; t >= 0 {
		var dropped []int64
		_ = p.Disk.Scan(t, func(z int64, _ []byte) error { dropped = append(dropped, z); return nil })
		if err := c.check.Truncate(p.ID, t, dropped); err != nil {
			c.setErr(err)
			return
		}
		p.Disk.Truncate(t)
		k := 0
		for _, f := range p.fsyncs {
			f.upto = min(f.upto, t)
			if k > 0 && p.fsyncs[k-1].upto >= f.upto {
				continue
			}
			p.fsyncs[k] = f
			k++
		}
		p.fsyncs = p.fsyncs[:k]
		c.log(event{peer: p.ID, what: "truncate", zxid: t, n: int64(len(dropped))})
	}
	if e := r.CurrentEpoch; e != 0 {
		switch {
		case e < p.Disk.CurrentEpoch:
			fail(RuleEpochs, "currentEpoch goes back from %d to %d", p.Disk.CurrentEpoch, e)
			return
		case e > p.Disk.AcceptedEpoch:
			fail(RuleEpochs, "currentEpoch %d above acceptedEpoch %d", e, p.Disk.AcceptedEpoch)
			return
		case p.learner() && !c.TrustAcks && !c.syncedDurable(p):
			// The history synced before NEWLEADER must be durable before
			// the epoch is (ZOOKEEPER-4643).
			fail(RuleAckDurable, "currentEpoch %d stored while synced txn %s (of history up to %s) is not durable",
				e, zxidString(firstUnsynced(p.Disk)), zxidString(p.syncPoint))
			return
		}
		if c.Bug == BugEpochAfterSend {
			c.Defer(func() {
				if p.Up {
					p.Disk.CurrentEpoch = max(p.Disk.CurrentEpoch, e)
				}
			})
		} else {
			p.Disk.CurrentEpoch = e
		}
		c.log(event{peer: p.ID, what: "current", epoch: e})
	}

	// Step 2: append; the fsync completes later (Step calls Persisted).
	if len(r.Entries) > 0 {
		for _, e := range r.Entries {
			if err := p.Disk.Append(e.Zxid, e.Data); err != nil {
				fail(RuleReadyContract, "%v", err)
				return
			}
		}
		last := r.Entries[len(r.Entries)-1].Zxid
		c.log(event{peer: p.ID, what: "append", zxid: last, n: int64(len(r.Entries))})
		at := c.now + 1 + c.rng.Int64N(p.diskLatency)
		if c.opt.FsyncExact {
			at = c.now + p.diskLatency
		}
		if n := len(p.fsyncs); n > 0 {
			at = max(at, p.fsyncs[n-1].at)
		}
		p.fsyncs = append(p.fsyncs, fsync{upto: last, at: at})
		if c.Bug == BugEarlyPersisted {
			p.early = true
			p.zab.Persisted(last) // the lie; the real sync still completes later
		}
	}

	// Step 3: send.
	for _, m := range r.Messages {
		c.sendZab(p, m)
		if c.err != nil {
			return
		}
	}

	// Step 4: apply.
	for _, e := range r.Committed {
		if err := c.check.Apply(p.ID, e.Zxid, e.Data); err != nil {
			c.setErr(err)
			return
		}
		p.SM = p.SM.Apply(e.Zxid, e.Data)
		c.log(event{peer: p.ID, what: "apply", zxid: e.Zxid, note: string(e.Data)})
		if w, ok := c.payloads[string(e.Data)]; ok && w.by == p.ID && !w.acked {
			w.acked, w.zxid = true, e.Zxid
			c.acked++
		}
	}

	for _, s := range r.Synced {
		need, ok := c.syncs[s.ID]
		if !ok {
			fail(RuleSync, "sync %d answered but never asked (or answered twice)", s.ID)
			return
		}
		delete(c.syncs, s.ID)
		c.syncsDone++
		c.log(event{peer: p.ID, what: "synced", n: int64(s.ID), zxid: s.Zxid, note: errNote(s.Err)})
		if s.Err == nil && s.Zxid < need {
			fail(RuleSync, "sync %d answered with %s, but %s was committed before it was asked",
				s.ID, zxidString(s.Zxid), zxidString(need))
			return
		}
	}
	if r.Err != nil {
		c.log(event{peer: p.ID, what: "zab-error", note: r.Err.Error()})
	}
	for _, f := range r.Requests {
		c.propose(p, f.Data)
	}
	if p.role != zab.Looking && p.zab.Phase() == zab.Broadcast && p.el.Vote().PeerEpoch != p.zab.CurrentEpoch() && !c.opt.SkipPeerEpoch {
		// ZooKeeper's updateElectionVote (ZOOKEEPER-1732): once in the
		// established epoch, the decided vote names it, so that a peer
		// that joins later sees every member of the ensemble agree.
		p.el.SetPeerEpoch(p.zab.CurrentEpoch())
	}
	if r.RoleChanged && p.role == zab.Looking {
		c.startElection(p)
	}
}

// startElection starts a round with the vote zab's documentation names:
// its current epoch and last zxid (every record it handed to the host,
// which is what a restarted peer finds in its log).
func (c *Cluster) startElection(p *Peer) {
	last, epoch := p.zab.LastZxid(), p.zab.CurrentEpoch()
	if last != max(p.Disk.LastZxid(), p.Disk.Snap.Zxid, p.SM.Zxid) && c.Bug == NoBug {
		c.setErr(&Violation{Rule: RuleReadyContract, Peer: p.ID, Step: c.now, Msg: fmt.Sprintf(
			"zab's last zxid %s is not the disk's %s", zxidString(last), zxidString(max(p.Disk.LastZxid(), p.Disk.Snap.Zxid)))})
		return
	}
	p.el.Start(last, epoch)
	c.log(event{peer: p.ID, what: "looking", zxid: last, epoch: epoch})
}

// roleChanged closes the connections of the role the peer left: a
// ZooKeeper peer tears down its learner handlers or its leader connection
// when it changes state, and the other side sees the socket close.
func (c *Cluster) roleChanged(p *Peer) {
	old := p.role
	p.role = p.zab.Role()
	if old == p.role {
		return
	}
	c.log(event{peer: p.ID, what: "role", other: p.zab.Leader(), note: fmt.Sprintf("%s -> %s", roleName(old), roleName(p.role))})
	if old == zab.Looking || c.opt.SharedConns {
		// A looking peer has no zab connections; one opened toward it is
		// a learner connecting to its new leader role, not an old one.
		return
	}
	for _, id := range c.ids {
		if id != p.ID {
			c.net.Break(p.ID, id, false, true, c.delay())
		}
	}
}

func errNote(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func roleName(r zab.Role) string { return stateName(int32(r)) }

// sendZab encodes m, checks the codec and the ack rules, and queues it.
func (c *Cluster) sendZab(p *Peer, m zab.Message) {
	fail := func(rule, format string, args ...any) {
		c.setErr(&Violation{Rule: rule, Peer: p.ID, Step: c.now, Msg: fmt.Sprintf(format, args...)})
	}
	if m.To == 0 || int(m.To) >= len(c.peers) || m.To == p.ID {
		fail(RuleReadyContract, "%s to peer %d", zabTypeName(int32(m.Type)), m.To)
		return
	}
	m.From = p.ID
	b, err := m.MarshalBinary()
	if err == nil {
		var back zab.Message
		back, err = zab.UnmarshalMessage(b)
		if err == nil && (back.Type != m.Type || back.Zxid != m.Zxid || back.Epoch != m.Epoch || back.ID != m.ID || !bytes.Equal(back.Data, m.Data)) {
			err = fmt.Errorf("%s zxid %s epoch %d (%d bytes) decodes as %s zxid %s epoch %d (%d bytes)",
				zabTypeName(int32(m.Type)), zxidString(m.Zxid), m.Epoch, len(m.Data),
				zabTypeName(int32(back.Type)), zxidString(back.Zxid), back.Epoch, len(back.Data))
		}
	}
	if err != nil {
		fail(RuleCodec, "%v", err)
		return
	}
	if p.learner() && m.Type == zab.Ack && !c.TrustAcks {
		// A learner's ACK promises that what it acknowledges survives a
		// crash: every txn up to the acked zxid is durable, and an ACK of
		// NEWLEADER (zxid epoch<<32) also promises the new epoch is stored.
		if m.Zxid&0xffffffff == 0 {
			if p.Disk.CurrentEpoch < m.Zxid>>32 {
				fail(RuleEpochs, "ACKs NEWLEADER %s with currentEpoch %d on disk", zxidString(m.Zxid), p.Disk.CurrentEpoch)
				return
			}
			if max(p.Disk.LastZxid(), p.Disk.Snap.Zxid) < p.syncPoint {
				fail(RuleAckDurable, "ACKs NEWLEADER %s before logging the synced history up to %s (log ends at %s)",
					zxidString(m.Zxid), zxidString(p.syncPoint), zxidString(p.Disk.LastZxid()))
				return
			}
			if !c.syncedDurable(p) {
				fail(RuleAckDurable, "ACKs NEWLEADER %s while synced txn %s (of history up to %s) is not durable",
					zxidString(m.Zxid), zxidString(firstUnsynced(p.Disk)), zxidString(p.syncPoint))
				return
			}
		}
		if d := p.Disk.DurableZxid(); p.Disk.Unsynced() > 0 && firstUnsynced(p.Disk) <= m.Zxid {
			fail(RuleAckDurable, "ACKs %s with only %s durable", zxidString(m.Zxid), zxidString(d))
			return
		}
	}
	if p.role == zab.Leading {
		switch m.Type {
		case zab.NewLeader:
			p.newLeaderZxid = m.Zxid
		case zab.UpToDate:
			if err := c.check.Established(p.ID, p.newLeaderZxid>>32); err != nil {
				c.setErr(err)
				return
			}
		}
	}
	if c.OnZab != nil && !c.OnZab(p.ID, m) {
		c.log(event{peer: p.ID, what: "drop", plane: ZabPlane, other: m.To, typ: int32(m.Type), zxid: m.Zxid, epoch: m.Epoch, note: "(scenario)"})
		return
	}
	c.log(event{peer: p.ID, what: "send", plane: ZabPlane, other: m.To, typ: int32(m.Type), zxid: m.Zxid, epoch: m.Epoch, n: int64(len(m.Data))})
	c.net.Send(ZabPlane, p.ID, m.To, b, c.delay(), p.learner() || c.opt.SharedConns)
}

// firstUnsynced is the first record not yet synced (0 if none).
func firstUnsynced(d *Disk) int64 {
	if d.Unsynced() == 0 {
		return 0
	}
	return d.log[d.durable].zxid
}

// syncedDurable reports whether the history the leader synced (up to
// p.syncPoint) is all durable on p's disk.
func (c *Cluster) syncedDurable(p *Peer) bool {
	f := firstUnsynced(p.Disk)
	return f == 0 || f > p.syncPoint
}
