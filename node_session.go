package ensemble

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/zab"
	"github.com/ensemble-go/ensemble/znode"
)

// ErrNotServing is returned when a session is opened on a peer that has no
// established leader: it is electing one, or syncing with it.
var ErrNotServing = errors.New("ensemble: this peer is not serving: no established leader")

// passwordSecret derives session passwords from session ids. Like
// ZooKeeper's, a session password is a function of the id that every peer
// can recompute, so a session can move between peers without the password
// being replicated; it guards against mistakes, not attackers.
var passwordSecret = []byte("ensemble session password v1")

// attached is a session whose client is connected to this peer.
type attached struct {
	conn    wire.Conn
	timeout int32
	// keepAlive marks in-process sessions: their client is the host
	// process itself, alive as long as the Node, so the Node touches them
	// every tick.
	keepAlive bool
}

// Connect opens or reattaches a session for c (wire.Backend).
func (n *Node) Connect(ctx context.Context, h wire.Handshake, c wire.Conn) (wire.Session, error) {
	return n.connect(ctx, h, c, false)
}

func (n *Node) connect(ctx context.Context, h wire.Handshake, c wire.Conn, keepAlive bool) (wire.Session, error) {
	// A ZooKeeper client that reaches a peer with no established leader
	// is refused and tries another peer. An in-process client has no other
	// peer to try: its session's creation waits in the backlog instead.
	if !keepAlive && !n.Serving() {
		return wire.Session{}, ErrNotServing
	}
	// A client that has seen a later zxid than this peer has applied must
	// try another peer, or it could read the past (ZooKeeper refuses it
	// the same way, new session or not).
	if h.LastZxidSeen > n.applied.Load() {
		return wire.Session{}, wire.ErrClientAhead
	}
	if h.SessionID != 0 {
		return n.reattach(h, c, keepAlive)
	}
	n.idMu.Lock()
	id := n.idGen.Next()
	n.idMu.Unlock()
	res := make(chan znode.Result, 1)
	// The connection is attached before the session exists anywhere, so
	// nothing can fire for it unseen; it only receives events once it has
	// watches, which needs the session.
	n.Write(wire.Caller{Session: id}, 0, znode.CreateSessionRequest{Timeout: h.Timeout}, func(r znode.Result) { res <- r })
	var r znode.Result
	select {
	case r = <-res:
	case <-ctx.Done():
		return wire.Session{}, ctx.Err()
	}
	if r.Code != znode.OK {
		return wire.Session{}, fmt.Errorf("ensemble: creating a session: %w", r.Code)
	}
	n.mu.Lock()
	n.attach(id, c, h.Timeout, keepAlive)
	n.mu.Unlock()
	n.Touch(id)
	return wire.Session{ID: id, Password: session.Password(id, passwordSecret), Timeout: h.Timeout}, nil
}

// reattach moves an existing session to connection c.
func (n *Node) reattach(h wire.Handshake, c wire.Conn, keepAlive bool) (wire.Session, error) {
	if !session.CheckPassword(h.SessionID, h.Password, passwordSecret) {
		return wire.Session{}, znode.ErrSessionExpired
	}
	n.mu.Lock()
	if h.LastZxidSeen > n.tree.LastZxid() {
		n.mu.Unlock()
		return wire.Session{}, wire.ErrClientAhead
	}
	if _, live := n.tree.Session(h.SessionID); !live {
		n.mu.Unlock()
		return wire.Session{}, znode.ErrSessionExpired
	}
	if old := n.sessions[h.SessionID]; old != nil && old.conn != c {
		old.conn.Close(znode.ErrSessionMoved)
		n.watchMu.Lock()
		n.watches.RemoveAll(session.WatcherID(h.SessionID))
		n.watchMu.Unlock()
	}
	n.attach(h.SessionID, c, h.Timeout, keepAlive)
	n.mu.Unlock()
	n.Touch(h.SessionID)
	return wire.Session{ID: h.SessionID, Password: session.Password(h.SessionID, passwordSecret), Timeout: h.Timeout}, nil
}

// attach records c as the session's connection. n.mu must be held.
func (n *Node) attach(id int64, c wire.Conn, timeout int32, keepAlive bool) {
	n.sessions[id] = &attached{conn: c, timeout: timeout, keepAlive: keepAlive}
}

// Disconnect forgets connection c (wire.Backend): its session's watches
// here go with it; the session lives on until it expires or is closed.
func (n *Node) Disconnect(c wire.Conn) {
	id := c.Session()
	n.mu.Lock()
	defer n.mu.Unlock()
	if a := n.sessions[id]; a != nil && a.conn == c {
		delete(n.sessions, id)
		n.watchMu.Lock()
		n.watches.RemoveAll(session.WatcherID(id))
		n.watchMu.Unlock()
	}
}

// Touch records that a session is alive (wire.Backend). The loop reports
// touched sessions to the leader once per tick.
func (n *Node) Touch(id int64) {
	n.mu.RLock()
	a := n.sessions[id]
	n.mu.RUnlock()
	if a == nil {
		return
	}
	n.touchMu.Lock()
	n.touched.Touch(id, a.timeout)
	n.touchMu.Unlock()
}

// sessionTick runs once per tickTime on the loop: the sessions seen alive
// here go to the leader's tracker (directly, or in the next PING reply),
// and the leader expires the sessions whose time is up.
func (n *Node) sessionTick() {
	n.mu.RLock()
	for id, a := range n.sessions {
		if a.keepAlive {
			n.touchMu.Lock()
			n.touched.Touch(id, a.timeout)
			n.touchMu.Unlock()
		}
	}
	n.mu.RUnlock()
	n.touchMu.Lock()
	touched := n.touched.Touched()
	n.touchMu.Unlock()
	if !n.established {
		n.endOutOfTouchSessions()
		return
	}
	n.lastContact = time.Now()
	if n.tracker == nil {
		if len(touched) > 0 {
			n.zab.SetLiveness(session.AppendTouches(nil, touched))
		}
		return
	}
	n.tracker.TouchAll(touched)
	for _, id := range n.tracker.Tick() {
		n.log.Info("session expired", "session", fmt.Sprintf("%#x", id))
		n.propose(znode.Header{Session: id}, znode.CloseSessionRequest{}, znode.Auth{})
	}
}

// startTracking gives a new leader a tracker holding every live session
// with a full timeout from now, as ZooKeeper's new leaders do: sessions
// outlive a change of leader.
func (n *Node) startTracking() {
	t, err := session.NewTracker(n.cfg.TickTime.Milliseconds())
	if err != nil {
		n.fail(fmt.Errorf("ensemble: session tracker: %w", err))
		return
	}
	for id, timeout := range n.tree.Sessions() {
		t.Add(id, timeout)
	}
	n.tracker = t
}

// liveness takes a learner's report of the sessions alive on it.
func (n *Node) liveness(l zab.Forwarded) {
	if n.tracker == nil {
		return
	}
	touches, err := session.DecodeTouches(l.Data)
	if err != nil {
		n.log.Warn("dropping a malformed liveness report", "from", l.From, "err", err)
		return
	}
	n.tracker.TouchAll(touches)
}

// sessionApplied keeps the leader's tracker in step with the session txns
// the tree applies. It runs before the txn's watches and reply.
func (n *Node) sessionApplied(txn znode.Txn, res znode.Result) {
	if n.tracker == nil || res.Code != znode.OK {
		return
	}
	switch b := txn.Body.(type) {
	case *znode.CreateSessionTxn:
		n.tracker.Add(txn.Header.ClientID, b.TimeOut)
	case *znode.CloseSessionTxn:
		n.tracker.Remove(txn.Header.ClientID)
	}
}

// ErrSessionClosed is why a session ended when its own client closed it.
var ErrSessionClosed = errors.New("ensemble: session closed")

// afterSessionApplied forgets a closed session here. A session its own
// client closed (own: the closeSession was its write, already answered)
// keeps its connection until the reply has gone out; one the leader
// expired has its connection closed with znode.ErrSessionExpired. n.mu is
// held.
func (n *Node) afterSessionApplied(txn znode.Txn, res znode.Result, own bool) {
	if txn.Header.Type != znode.OpCloseSession || res.Code != znode.OK {
		return
	}
	id := txn.Header.ClientID
	a := n.sessions[id]
	if a == nil {
		return
	}
	delete(n.sessions, id)
	n.watchMu.Lock()
	n.watches.RemoveAll(session.WatcherID(id))
	n.watchMu.Unlock()
	if own {
		// The client asked: its connection sends the reply, then closes
		// itself, as ZooKeeper's does.
		return
	}
	a.conn.Close(znode.ErrSessionExpired)
}

// endOutOfTouchSessions ends, here, the in-process sessions whose timeout
// has passed since this peer last had an established leader. Nothing on
// this peer has reached the leader since, so the leader has expired them
// or is about to: a holder of a lock or of leadership must learn it now,
// not when the partition heals (a ZooKeeper client learns it from its own
// clock, as Curator's LOST).
func (n *Node) endOutOfTouchSessions() {
	if n.lastContact.IsZero() {
		return
	}
	out := time.Since(n.lastContact)
	n.mu.Lock()
	defer n.mu.Unlock()
	for id, a := range n.sessions {
		if !a.keepAlive || out <= time.Duration(a.timeout)*time.Millisecond {
			continue
		}
		n.log.Info("session out of touch with any leader for its timeout: ending it here", "session", fmt.Sprintf("%#x", id))
		delete(n.sessions, id)
		n.watchMu.Lock()
		n.watches.RemoveAll(session.WatcherID(id))
		n.watchMu.Unlock()
		a.conn.Close(znode.ErrSessionExpired)
	}
}

// dropClientConnections closes the connections of ZooKeeper clients when
// the peer loses its leader, as a ZooKeeper server does: the clients
// reconnect to a peer that serves, where their sessions live on.
func (n *Node) dropClientConnections() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for id, a := range n.sessions {
		if a.keepAlive {
			continue
		}
		delete(n.sessions, id)
		n.watchMu.Lock()
		n.watches.RemoveAll(session.WatcherID(id))
		n.watchMu.Unlock()
		a.conn.Close(znode.ErrConnectionLoss)
	}
}
