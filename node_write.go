package ensemble

import (
	"fmt"
	"slices"
	"time"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/zab"
	"github.com/ensemble-go/ensemble/znode"
)

// writeReq is a write or a sync waiting in the backlog for an established
// leader. Keeping both in one queue keeps a session's requests in order.
type writeReq struct {
	caller wire.Caller
	xid    int32
	req    znode.Request // nil for a sync
	path   string        // a sync's path
	done   func(znode.Result)
}

// pendingWrite is a write of a session attached here, sent to the leader
// and waiting to be applied.
type pendingWrite struct {
	seq  uint64 // submission order, so failures are reported in order
	done func(znode.Result)
}

// syncReq is a sync barrier waiting for the leader's answer, then for the
// apply of the zxid it names.
type syncReq struct {
	seq  uint64
	path string
	zxid int64
	done func(znode.Result)
}

// Write hands a write to the pipeline (wire.Backend). done is called
// exactly once, from the loop, after the txn is applied here; a session's
// writes complete in the order Write was called.
func (n *Node) Write(c wire.Caller, xid int32, req znode.Request, done func(znode.Result)) {
	w := &writeReq{caller: c, xid: xid, req: req, done: done}
	if !n.post(func() { n.submit(w) }) {
		done(znode.Result{Session: c.Session, Cxid: xid, Code: znode.ErrConnectionLoss, Zxid: n.applied.Load()})
	}
}

// Sync is a barrier (wire.Backend): once done is called, reads on this
// peer see every write the leader had committed when the sync reached it.
// Unlike ZooKeeper's, the leader confirms with a quorum that it still
// leads before answering, so sync followed by a read is linearizable.
func (n *Node) Sync(c wire.Caller, xid int32, path string, done func(znode.Result)) {
	w := &writeReq{caller: c, xid: xid, path: path, done: done}
	if !n.post(func() { n.submit(w) }) {
		done(znode.Result{Session: c.Session, Cxid: xid, Code: znode.ErrConnectionLoss, Zxid: n.applied.Load(), Path: path})
	}
}

// submit sends a write or sync towards the leader, or queues it until
// there is an established one.
func (n *Node) submit(w *writeReq) {
	if !n.established || len(n.backlog) > 0 {
		n.backlog = append(n.backlog, w)
		return
	}
	n.send(w)
}

// releaseBacklog submits what waited for an established leader.
func (n *Node) releaseBacklog() {
	for n.established && len(n.backlog) > 0 && !n.failed() {
		w := n.backlog[0]
		n.backlog = n.backlog[1:]
		n.send(w)
	}
}

// send forwards one write (or sync) to the leader. On the leader itself
// zab hands it straight back in Ready.Requests: one path for every write.
func (n *Node) send(w *writeReq) {
	n.seq++
	if w.req == nil {
		n.nextSyncID++
		n.syncs[n.nextSyncID] = &syncReq{seq: n.seq, path: w.path, done: w.done}
		n.zab.Sync(n.nextSyncID)
		return
	}
	key := writeKey{w.caller.Session, w.xid}
	if _, dup := n.pending[key]; dup {
		w.done(znode.Result{Session: key.session, Cxid: key.cxid, Code: znode.ErrBadArguments, Zxid: n.applied.Load()})
		return
	}
	payload, err := forwarded{session: w.caller.Session, cxid: w.xid, auth: w.caller.Auth, req: w.req}.marshal()
	if err != nil {
		w.done(znode.Result{Session: key.session, Cxid: key.cxid, Code: znode.ErrMarshallingError, Zxid: n.applied.Load()})
		return
	}
	if err := n.zab.Forward(payload); err != nil {
		// Not established after all: wait for the next leader.
		n.established = false
		n.backlog = append([]*writeReq{w}, n.backlog...)
		return
	}
	n.pending[key] = &pendingWrite{seq: n.seq, done: w.done}
}

// prepareForwarded is the leader's half of a write: it turns a forwarded
// request into a txn against the tree plus the txns still in flight, and
// proposes it.
func (n *Node) prepareForwarded(r zab.Forwarded) {
	f, err := unmarshalForwarded(r.Data)
	if err != nil {
		n.log.Warn("dropping a malformed forwarded request", "from", r.From, "err", err)
		return
	}
	if n.tracker != nil && f.session != 0 {
		n.tracker.Touch(f.session)
	}
	if _, ok := f.req.(znode.CloseSessionRequest); ok && n.tracker != nil {
		n.tracker.SetClosing(f.session)
	}
	n.propose(znode.Header{Session: f.session, Cxid: f.cxid}, f.req, f.auth)
}

// propose prepares and proposes one request on the leader.
func (n *Node) propose(h znode.Header, req znode.Request, auth znode.Auth) {
	if n.role != Leading || !n.established {
		return // the origin learns of it when its leader goes away
	}
	h.Zxid = n.nextZxid()
	h.Time = time.Now().UnixMilli()
	txn, err := n.prep.Prepare(h, req, auth)
	if err != nil {
		// Prepare only fails when it cannot make a txn at all; the client
		// still gets an answer in order, as an error txn.
		n.log.Warn("prepare failed", "session", h.Session, "cxid", h.Cxid, "err", err)
		txn = znode.Txn{
			Header: znode.TxnHeader{ClientID: h.Session, Cxid: h.Cxid, Zxid: h.Zxid, Time: h.Time, Type: znode.OpError},
			Body:   &znode.ErrorTxn{Err: znode.CodeOf(err)},
		}
	}
	data, err := txn.MarshalBinary()
	if err != nil {
		n.fail(fmt.Errorf("ensemble: encoding txn %#x: %w", h.Zxid, err))
		return
	}
	zxid, err := n.zab.Propose(data)
	if err != nil {
		n.log.Warn("propose failed", "err", err)
		n.prep.Reset()
		return
	}
	if zxid != h.Zxid {
		n.fail(fmt.Errorf("ensemble: zab gave zxid %#x to a txn prepared as %#x", zxid, h.Zxid))
	}
}

// nextZxid is the zxid zab will give the next proposal.
func (n *Node) nextZxid() int64 {
	last, epoch := n.zab.LastZxid(), n.zab.CurrentEpoch()
	if zab.EpochOf(last) == epoch {
		return last + 1
	}
	return zab.MakeZxid(epoch, 1)
}

// applyCommitted applies committed txns to the tree in zxid order. For each
// txn, the watches it fires are delivered before its write is answered, and
// only then is the next txn applied (wire's Backend rule 2).
func (n *Node) applyCommitted(entries []zab.Entry) {
	var deliveries []session.Delivery
	n.mu.Lock()
	for _, e := range entries {
		txn, err := znode.UnmarshalTxn(e.Data)
		if err != nil {
			n.mu.Unlock()
			n.fail(fmt.Errorf("ensemble: committed txn %#x does not decode: %w", e.Zxid, err))
			return
		}
		if txn.Header.Zxid != e.Zxid {
			n.mu.Unlock()
			n.fail(fmt.Errorf("ensemble: committed entry %#x holds txn %#x", e.Zxid, txn.Header.Zxid))
			return
		}
		res, events := n.tree.Apply(txn)
		n.applied.Store(e.Zxid)
		n.prep.Applied(e.Zxid)
		n.sinceSnap++
		if res.DigestMismatch {
			n.log.Error("tree digest differs from the leader's after this txn: this replica has diverged", "zxid", fmt.Sprintf("%#x", e.Zxid))
		}
		n.sessionApplied(txn, res)
		n.watchMu.Lock()
		deliveries = deliveries[:0]
		for _, ev := range events {
			deliveries = n.watches.AppendTrigger(deliveries, ev)
		}
		n.watchMu.Unlock()
		for _, d := range deliveries {
			if a := n.sessions[int64(d.Watcher)]; a != nil {
				a.conn.Deliver(d.Event)
			}
		}
		key := writeKey{txn.Header.ClientID, txn.Header.Cxid}
		p, own := n.pending[key]
		if own {
			delete(n.pending, key)
			p.done(res)
		}
		n.afterSessionApplied(txn, res, own)
	}
	n.mu.Unlock()
	n.releaseSyncs()
	n.maybeSnapshot()
}

// synced records the leader's answer to a sync barrier.
func (n *Node) synced(s zab.SyncDone) {
	req, ok := n.syncs[s.ID]
	if !ok {
		return
	}
	delete(n.syncs, s.ID)
	if s.Err != nil {
		req.done(znode.Result{Code: znode.ErrConnectionLoss, Zxid: n.applied.Load(), Path: req.path})
		return
	}
	req.zxid = s.Zxid
	n.syncWaits = append(n.syncWaits, req)
	n.releaseSyncs()
}

// releaseSyncs answers the syncs whose zxid has been applied.
func (n *Node) releaseSyncs() {
	applied := n.applied.Load()
	kept := n.syncWaits[:0]
	for _, s := range n.syncWaits {
		if s.zxid <= applied {
			s.done(znode.Result{Zxid: applied, Path: s.path, Type: znode.OpSync})
			continue
		}
		kept = append(kept, s)
	}
	n.syncWaits = kept
}

// failPending answers every write and sync in flight with ConnectionLoss,
// in submission order: the peer lost its leader (or is stopping), and
// whether those writes commit is for the next leader to say.
func (n *Node) failPending() {
	type failing struct {
		seq  uint64
		done func(znode.Result)
		path string
	}
	var all []failing
	for _, p := range n.pending {
		all = append(all, failing{seq: p.seq, done: p.done})
	}
	for _, s := range n.syncs {
		all = append(all, failing{seq: s.seq, done: s.done, path: s.path})
	}
	for _, s := range n.syncWaits {
		all = append(all, failing{seq: s.seq, done: s.done, path: s.path})
	}
	slices.SortFunc(all, func(a, b failing) int { return int(a.seq - b.seq) })
	applied := n.applied.Load()
	for _, f := range all {
		f.done(znode.Result{Code: znode.ErrConnectionLoss, Zxid: applied, Path: f.path})
	}
	clear(n.pending)
	clear(n.syncs)
	n.syncWaits = nil
	for _, w := range n.backlog {
		w.done(znode.Result{Code: znode.ErrConnectionLoss, Zxid: applied, Path: w.path})
	}
	n.backlog = nil
}

// checkEstablished notices when zab enters its broadcast phase: the peer
// may serve from then on.
func (n *Node) checkEstablished() {
	if n.established || n.zab.Phase() != zab.Broadcast {
		return
	}
	n.established = true
	n.lastContact = time.Now()
	n.servingNow.Store(true)
	n.leaderNow.Store(n.zab.Leader())
	if n.role != Leading {
		if n.syncing == syncNone {
			n.syncing = syncDiff
		}
		n.lastSync.Store(int32(n.syncing))
	}
	n.log.Info("serving", "role", n.role, "leader", n.zab.Leader(), "epoch", n.zab.CurrentEpoch(), "synced_by", n.syncing)
	n.syncing = syncNone
	if n.role == Leading {
		n.startTracking()
	}
	n.readyOnce.Do(func() { close(n.readyC) })
	n.releaseBacklog()
}

// cleanupContainers proposes the deletion of empty containers and expired
// TTL nodes, at most ContainerMaxPerMinute per minute.
func (n *Node) cleanupContainers() {
	now := time.Now()
	if now.Sub(n.lastCleanup) < n.cfg.ContainerCheckInterval {
		return
	}
	n.lastCleanup = now
	max := int(int64(n.cfg.ContainerMaxPerMinute) * int64(n.cfg.ContainerCheckInterval) / int64(time.Minute))
	if max < 1 {
		max = 1
	}
	for _, path := range n.tree.CleanupCandidates(now.UnixMilli(), max) {
		n.propose(znode.Header{}, znode.DeleteContainerRequest{Path: path}, znode.Auth{Identities: []znode.Identity{{Scheme: "super"}}})
	}
}
