package ensemble

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ensemble-go/ensemble/election"
	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/zab"
)

// maxBatch bounds how much work the loop takes from its inbox before it
// carries out the cores' output: enough to turn many concurrent writes into
// one log append and one fsync, small enough to keep latency low.
const maxBatch = 512

// run is the loop: the one goroutine that owns the cores. Everything that
// changes them arrives here, in order: ticks, peer messages, durability
// notices from the log's syncer, and work posted by client goroutines.
func (n *Node) run() {
	defer n.shutdown()
	tick := time.NewTicker(n.coreTick())
	defer tick.Stop()
	n.elec.Start(n.zab.LastZxid(), n.zab.CurrentEpoch())
	n.setRole(Looking)
	n.drain()

	var elecEvents, quorumEvents <-chan transport.Event
	if n.elecT != nil {
		elecEvents, quorumEvents = n.elecT.Events(), n.quorumT.Events()
	}
	for !n.failed() {
		select {
		case <-n.stop:
			return
		case <-tick.C:
			n.tick()
		case ev, ok := <-elecEvents:
			if !ok {
				return
			}
			n.stepElection(ev)
		case ev, ok := <-quorumEvents:
			if !ok {
				return
			}
			n.stepZab(ev)
		case <-n.persistedSig:
			n.zab.Persisted(n.persistedTo.Load())
		case f := <-n.inbox:
			f()
			// Take what else is waiting, so that concurrent writes share
			// one log append and one fsync.
			for i := 1; i < maxBatch; i++ {
				select {
				case f := <-n.inbox:
					f()
					continue
				default:
				}
				break
			}
		}
		n.drain()
	}
}

// coreTick is the period of one core tick.
func (n *Node) coreTick() time.Duration {
	d := n.cfg.TickTime / ticksPerTickTime
	if d < time.Millisecond {
		d = time.Millisecond
	}
	return d
}

// post hands f to the loop. It reports false once the Node is stopping.
func (n *Node) post(f func()) bool {
	select {
	case n.inbox <- f:
		return true
	case <-n.done:
		return false
	}
}

// tick advances the cores' clocks, and once per tickTime the session
// tracker's, the liveness report, container cleanup and autopurge.
func (n *Node) tick() {
	n.elec.Tick()
	n.zab.Tick()
	n.coreTicks++
	if n.coreTicks%ticksPerTickTime != 0 {
		return
	}
	n.sessionTick()
	if n.role == Leading && n.established {
		n.cleanupContainers()
	}
	if n.cfg.PurgeInterval > 0 && time.Since(n.lastPurge) >= n.cfg.PurgeInterval {
		n.lastPurge = time.Now()
		n.purge()
	}
}

// stepElection feeds an election message to the election core.
func (n *Node) stepElection(ev transport.Event) {
	if ev.Kind != transport.Message {
		return
	}
	msg, err := election.UnmarshalNotification(ev.Payload)
	if err != nil {
		n.log.Warn("dropping a bad election message", "from", ev.Peer, "err", err)
		return
	}
	if msg.From != ev.Peer || msg.To != n.id {
		n.log.Warn("dropping a misaddressed election message", "from", ev.Peer, "says_from", msg.From, "to", msg.To)
		return
	}
	n.elec.Step(msg)
}

// stepZab feeds a quorum message or a broken connection to the zab core.
func (n *Node) stepZab(ev transport.Event) {
	switch ev.Kind {
	case transport.Disconnected:
		delete(n.hellos, ev.Peer)
		n.zab.Disconnected(ev.Peer)
	case transport.Message:
		msg, err := zab.UnmarshalMessage(ev.Payload)
		if err != nil {
			n.log.Warn("dropping a bad quorum message", "from", ev.Peer, "err", err)
			return
		}
		if msg.From != ev.Peer || msg.To != n.id {
			n.log.Warn("dropping a misaddressed quorum message", "from", ev.Peer, "says_from", msg.From, "to", msg.To)
			return
		}
		if (msg.Type == zab.FollowerInfo || msg.Type == zab.ObserverInfo) && n.zab.Role() == zab.Looking {
			// A learner decided before this peer did. ZooKeeper's learner
			// keeps trying to connect until the leader accepts; here the
			// transport is already connected, so the hello waits in an
			// accept backlog until this peer's election decides.
			n.hellos[msg.From] = msg
			return
		}
		n.zab.Step(msg)
	}
}

// drain carries out the cores' output until both are quiet.
func (n *Node) drain() {
	for i := 0; i < 1000 && !n.failed(); i++ {
		er := n.elec.Ready()
		n.sendElection(er.Messages)
		if er.Decision != nil {
			n.decided(*er.Decision)
		}
		zr := n.zab.Ready()
		if zr.IsEmpty() && len(er.Messages) == 0 && er.Decision == nil {
			return
		}
		n.handleReady(zr)
	}
}

// sendElection sends election notifications.
func (n *Node) sendElection(msgs []election.Notification) {
	for _, m := range msgs {
		b, err := m.MarshalBinary()
		if err != nil {
			n.fail(fmt.Errorf("ensemble: encoding an election message: %w", err))
			return
		}
		if n.elecT != nil {
			if err := n.elecT.Send(m.To, b); err != nil && !errors.Is(err, transport.ErrQueueFull) {
				n.log.Debug("election send failed", "to", m.To, "err", err)
			}
		}
	}
}

// decided hands an election's decision to zab.
func (n *Node) decided(d election.Decision) {
	n.log.Info("election decided", "leader", d.Leader, "state", d.State, "election_epoch", d.ElectionEpoch)
	hellos := n.hellos
	n.hellos = map[uint64]zab.Message{}
	switch d.State {
	case election.Leading:
		n.zab.Lead()
		for _, m := range hellos {
			n.zab.Step(m)
		}
	case election.Following:
		n.zab.Follow(d.Leader)
	case election.Observing:
		n.zab.Observe(d.Leader)
	}
}

// handleReady carries out one zab Ready in the order zab's doc.go
// requires: durable state first, then the log append (asynchronous),
// messages, applying committed txns, and the information for the host.
func (n *Node) handleReady(rd zab.Ready) {
	ctx := context.Background()
	if rd.Err != nil {
		n.log.Warn("zab went back to election", "err", rd.Err)
	}
	if rd.AcceptedEpoch != 0 {
		if err := n.wal.SetAcceptedEpoch(ctx, rd.AcceptedEpoch); err != nil {
			n.fail(fmt.Errorf("ensemble: storing the accepted epoch: %w", err))
			return
		}
	}
	if rd.Snapshot != nil {
		n.syncing = syncSnap
		if err := n.installSnapshot(ctx, rd.Snapshot); err != nil {
			n.fail(err)
			return
		}
	}
	if rd.TruncateAfter >= 0 {
		if n.syncing != syncSnap {
			n.syncing = syncTrunc
		}
		n.diskMu.Lock()
		err := n.wal.Truncate(ctx, rd.TruncateAfter)
		n.diskMu.Unlock()
		if err != nil {
			n.fail(fmt.Errorf("ensemble: truncating the log after %#x: %w", rd.TruncateAfter, err))
			return
		}
	}
	if rd.CurrentEpoch != 0 {
		if err := n.wal.SetCurrentEpoch(ctx, rd.CurrentEpoch); err != nil {
			n.fail(fmt.Errorf("ensemble: storing the current epoch: %w", err))
			return
		}
		// Election answers late joiners with the epoch zab established
		// (ZooKeeper's updateElectionVote, ZOOKEEPER-1732).
		n.elec.SetPeerEpoch(rd.CurrentEpoch)
	}
	if len(rd.Entries) > 0 {
		n.appendEntries(rd.Entries)
	}
	for _, m := range rd.Messages {
		n.sendQuorum(m)
	}
	if len(rd.Committed) > 0 {
		n.applyCommitted(rd.Committed)
	}
	for _, r := range rd.Requests {
		n.prepareForwarded(r)
	}
	for _, l := range rd.Liveness {
		n.liveness(l)
	}
	for _, s := range rd.Synced {
		n.synced(s)
	}
	if rd.RoleChanged {
		n.roleChanged()
	}
	n.checkEstablished()
	n.releaseBacklog()
}

// appendEntries hands entries to the log's syncer. Persisted reaches the
// core through the loop once they are durable. A failed append is fatal:
// the log cannot say what is on disk any more, and a peer that went on
// could acknowledge what it does not have.
func (n *Node) appendEntries(entries []zab.Entry) {
	recs := make([]wal.Record, len(entries))
	for i, e := range entries {
		recs[i] = wal.Record{Zxid: e.Zxid, Data: e.Data}
	}
	last := entries[len(entries)-1].Zxid
	n.wal.AppendAsync(recs, func(err error) {
		if err != nil {
			n.fail(fmt.Errorf("ensemble: appending to the txn log: %w", err))
			n.post(func() {}) // wake the loop so it sees the failure
			return
		}
		n.persistedTo.Store(last)
		select {
		case n.persistedSig <- struct{}{}:
		default:
		}
	})
}

// sendQuorum sends one zab message.
func (n *Node) sendQuorum(m zab.Message) {
	if n.quorumT == nil {
		return
	}
	b, err := m.MarshalBinary()
	if err != nil {
		n.fail(fmt.Errorf("ensemble: encoding a %v message: %w", m.Type, err))
		return
	}
	if err := n.quorumT.Send(m.To, b); err != nil && !errors.Is(err, transport.ErrQueueFull) {
		n.log.Debug("quorum send failed", "to", m.To, "type", m.Type, "err", err)
	}
}

// roleChanged follows zab into a new role.
func (n *Node) roleChanged() {
	r := Role(n.zab.Role())
	was := n.role
	n.established = false
	n.servingNow.Store(false)
	n.leaderNow.Store(n.zab.Leader())
	n.syncing = syncNone
	n.tracker = nil
	n.prep.Reset()
	if r == Looking {
		// Writes in flight may or may not commit under the next leader;
		// their sessions learn the outcome the way ZooKeeper's clients do,
		// by a lost connection and a read after reconnecting.
		n.failPending()
		n.dropClientConnections()
		// What the peer offers in the election: zab's view of its history,
		// as zab's doc.go says.
		n.elec.Start(n.zab.LastZxid(), n.zab.CurrentEpoch())
	}
	if r != was {
		n.log.Info("role changed", "from", was, "to", r)
		n.setRole(r)
	}
}

// shutdown runs when the loop exits.
func (n *Node) shutdown() {
	if err := n.Err(); err == nil {
		n.errMu.Lock()
		n.err = ErrClosed
		n.errMu.Unlock()
	}
	n.failPending()
	close(n.done)
	n.roleMu.Lock()
	for _, c := range n.roleWatchers {
		close(c)
	}
	n.roleWatchers = nil
	n.roleMu.Unlock()
	n.mu.Lock()
	for _, a := range n.sessions {
		a.conn.Close(ErrClosed)
	}
	n.mu.Unlock()
}
