package wiretest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// Options configure a Backend.
type Options struct {
	// TickTime is the tick of session expiry (default 2s).
	TickTime time.Duration
	// ServerID goes into the top byte of session ids (default 1).
	ServerID uint64
	// Tree configures the data tree: super digest, TTL nodes, data size.
	Tree znode.Options
	// Conf is what the conf four-letter word prints.
	Conf []wire.KeyValue
}

// Backend implements wire.Backend over one in-process tree.
type Backend struct {
	opts   Options
	secret []byte

	mu      sync.Mutex
	tree    *znode.Tree
	prep    *znode.Preparer
	tracker *session.Tracker
	ids     *session.IDGenerator
	watches *session.Watches
	conns   map[int64]wire.Conn // the connection of each session on this server
	buf     []session.Delivery

	stop chan struct{}
	done chan struct{}
}

var _ wire.Backend = (*Backend)(nil)

// New returns a Backend with an empty tree and starts its tick loop.
func New(opts Options) (*Backend, error) {
	if opts.TickTime == 0 {
		opts.TickTime = 2 * time.Second
	}
	if opts.ServerID == 0 {
		opts.ServerID = 1
	}
	tracker, err := session.NewTracker(opts.TickTime.Milliseconds())
	if err != nil {
		return nil, err
	}
	ids, err := session.NewIDGenerator(opts.ServerID, time.Now().UnixMilli())
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	tree := znode.New(opts.Tree)
	b := &Backend{
		opts:    opts,
		secret:  secret,
		tree:    tree,
		prep:    znode.NewPreparer(tree),
		tracker: tracker,
		ids:     ids,
		watches: session.NewWatches(),
		conns:   make(map[int64]wire.Conn),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go b.tickLoop()
	return b, nil
}

// Close stops the tick loop and waits for it. Sessions stay as they are.
func (b *Backend) Close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
}

// Tree returns the data tree, for tests to inspect.
func (b *Backend) Tree() *znode.Tree { return b.tree }

func (b *Backend) tickLoop() {
	defer close(b.done)
	t := time.NewTicker(b.opts.TickTime)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			for _, id := range b.tracker.Tick() {
				b.expireLocked(id)
			}
			b.mu.Unlock()
		}
	}
}

// Expire ends a session now, as its expiry would: its ephemerals go and
// its connection is closed.
func (b *Backend) Expire(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tracker.SetClosing(id) {
		b.expireLocked(id)
	}
}

func (b *Backend) expireLocked(id int64) {
	b.applyLocked(znode.Header{Session: id}, znode.CloseSessionRequest{}, znode.Auth{})
	b.endSessionLocked(id, znode.ErrSessionExpired)
}

// endSessionLocked forgets a closed session and closes its connection.
func (b *Backend) endSessionLocked(id int64, reason error) {
	b.tracker.Remove(id)
	b.watches.RemoveAll(session.WatcherID(id))
	if c, ok := b.conns[id]; ok {
		delete(b.conns, id)
		c.Close(reason)
	}
}

// applyLocked prepares and applies one request, delivers the events it
// fires (before the caller completes the request: the Backend's rule 2),
// and returns the result.
func (b *Backend) applyLocked(h znode.Header, req znode.Request, a znode.Auth) znode.Result {
	h.Zxid = b.tree.LastZxid() + 1
	h.Time = time.Now().UnixMilli()
	txn, err := b.prep.Prepare(h, req, a)
	if err != nil {
		return znode.Result{Zxid: b.tree.LastZxid(), Code: znode.CodeOf(err)}
	}
	res, events := b.tree.Apply(txn)
	b.prep.Applied(h.Zxid)
	for _, ev := range events {
		b.buf = b.watches.AppendTrigger(b.buf[:0], ev)
		for _, d := range b.buf {
			if c, ok := b.conns[int64(d.Watcher)]; ok {
				c.Deliver(d.Event)
			}
		}
	}
	return res
}

// Connect implements wire.Backend.
func (b *Backend) Connect(ctx context.Context, h wire.Handshake, c wire.Conn) (wire.Session, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h.LastZxidSeen > b.tree.LastZxid() {
		return wire.Session{}, wire.ErrClientAhead
	}
	id := h.SessionID
	if id == 0 {
		id = b.ids.Next()
		res := b.applyLocked(znode.Header{Session: id}, znode.CreateSessionRequest{Timeout: h.Timeout}, znode.Auth{})
		if res.Code != znode.OK {
			return wire.Session{}, res.Code
		}
		b.tracker.Add(id, h.Timeout)
	} else {
		if !session.CheckPassword(id, h.Password, b.secret) || !b.tracker.TouchTimeout(id, h.Timeout) {
			return wire.Session{}, znode.ErrSessionExpired
		}
		if old, ok := b.conns[id]; ok && old != c {
			old.Close(fmt.Errorf("wiretest: session %#x reconnected", id))
			b.watches.RemoveAll(session.WatcherID(id))
		}
	}
	b.conns[id] = c
	return wire.Session{ID: id, Password: session.Password(id, b.secret), Timeout: h.Timeout}, nil
}

// Disconnect implements wire.Backend.
func (b *Backend) Disconnect(c wire.Conn) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := c.Session()
	if b.conns[id] == c {
		delete(b.conns, id)
		b.watches.RemoveAll(session.WatcherID(id))
	}
}

// Touch implements wire.Backend.
func (b *Backend) Touch(id int64) {
	b.mu.Lock()
	b.tracker.Touch(id)
	b.mu.Unlock()
}

// Write implements wire.Backend: the request is prepared, applied and
// answered before Write returns.
func (b *Backend) Write(c wire.Caller, xid int32, req znode.Request, done func(znode.Result)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tracker.Closing(c.Session) {
		done(znode.Result{Zxid: b.tree.LastZxid(), Code: znode.ErrSessionExpired})
		return
	}
	res := b.applyLocked(znode.Header{Session: c.Session, Cxid: xid}, req, c.Auth)
	if _, isClose := req.(znode.CloseSessionRequest); isClose && res.Code == znode.OK {
		b.tracker.Remove(c.Session)
		b.watches.RemoveAll(session.WatcherID(c.Session))
		delete(b.conns, c.Session)
	}
	done(res)
}

// Sync implements wire.Backend: with one server everything is in sync.
func (b *Backend) Sync(c wire.Caller, xid int32, path string, done func(znode.Result)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	done(znode.Result{Zxid: b.tree.LastZxid(), Path: path})
}

// superAuth passes every ACL check: setWatches reads Stats regardless of
// ACLs, as ZooKeeper's does.
var superAuth = znode.Auth{Identities: []znode.Identity{{Scheme: "super"}}}

type treeView struct{ t *znode.Tree }

// Exists implements session.TreeView.
func (v treeView) Exists(path string) (znode.Stat, error) { return v.t.Exists(path, superAuth) }

// Local implements wire.Backend: all ops run in one critical section, so
// no txn interleaves, and every event of an applied txn has already been
// delivered.
func (b *Backend) Local(ctx context.Context, c wire.Caller, ops []wire.LocalOp, res []wire.LocalResult) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	w := session.WatcherID(c.Session)
	for i, op := range ops {
		r := &res[i]
		switch op.Op {
		case znode.OpExists:
			r.Stat, r.Err = b.tree.Exists(op.Path, c.Auth)
			if op.Watch && (r.Err == nil || errors.Is(r.Err, znode.ErrNoNode)) {
				b.watches.Add(w, op.Path, session.DataWatch)
			}
		case znode.OpGetData:
			r.Data, r.Stat, r.Err = b.tree.Get(op.Path, c.Auth)
			if op.Watch && r.Err == nil {
				b.watches.Add(w, op.Path, session.DataWatch)
			}
		case znode.OpGetChildren, znode.OpGetChildren2:
			r.Children, r.Stat, r.Err = b.tree.Children(op.Path, c.Auth)
			if op.Watch && r.Err == nil {
				b.watches.Add(w, op.Path, session.ChildWatch)
			}
		case znode.OpGetACL:
			r.ACL, r.Stat, r.Err = b.tree.GetACL(op.Path, c.Auth)
		case znode.OpGetAllChildrenNumber:
			var n int
			n, r.Err = b.tree.AllChildrenNumber(op.Path, c.Auth)
			r.Count = int32(n)
		case znode.OpGetEphemerals:
			r.Children = b.tree.Ephemerals(c.Session, op.Path)
		case znode.OpAddWatch:
			r.Err = b.watches.AddWatch(w, op.Path, session.AddWatchMode(op.Mode))
		case znode.OpCheckWatches:
			r.Err = b.watches.Check(w, op.Path, session.WatcherType(op.Mode))
		case znode.OpRemoveWatches:
			r.Err = b.watches.Remove(w, op.Path, session.WatcherType(op.Mode))
		case znode.OpSetWatches, znode.OpSetWatches2:
			r.Err = b.setWatchesLocked(w, op.Watches)
		case znode.OpPing:
		default:
			r.Err = znode.ErrUnimplemented
		}
	}
	return b.tree.LastZxid()
}

func (b *Backend) setWatchesLocked(w session.WatcherID, sw *jute.SetWatches2) error {
	deliveries, err := b.watches.Reattach(w, session.SetWatches{
		RelativeZxid: sw.RelativeZxid,
		Data:         sw.DataWatches,
		Exist:        sw.ExistWatches,
		Child:        sw.ChildWatches,
		Persistent:   sw.PersistentWatches,
		Recursive:    sw.PersistentRecursiveWatches,
	}, treeView{b.tree})
	if err != nil {
		return err
	}
	for _, d := range deliveries {
		if c, ok := b.conns[int64(d.Watcher)]; ok {
			c.Deliver(d.Event)
		}
	}
	return nil
}

// Status implements wire.Backend.
func (b *Backend) Status(ctx context.Context, detail bool) wire.Status {
	b.mu.Lock()
	defer b.mu.Unlock()
	sum := b.watches.Summary()
	sessions := b.tree.Sessions()
	st := wire.Status{
		Serving:       true,
		Mode:          "standalone",
		Zxid:          b.tree.LastZxid(),
		NodeCount:     b.tree.NodeCount(),
		Sessions:      len(sessions),
		WatchCount:    b.watches.Count(),
		WatchSummary:  wire.WatchSummary{Connections: sum.Watchers, Paths: sum.Paths, Watches: sum.Watches},
		Conf:          slices.Clone(b.opts.Conf),
		ProposalSizes: [3]int64{-1, -1, -1},
	}
	ids := make([]int64, 0, len(sessions))
	for id := range sessions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		eph := b.tree.Ephemerals(id, "/")
		st.Ephemerals += len(eph)
		if detail && len(eph) > 0 {
			st.EphemeralsBySes = append(st.EphemeralsBySes, wire.SessionWatches{Session: id, Paths: eph})
		}
	}
	if detail {
		for _, wp := range b.watches.ByWatcher() {
			st.Watches = append(st.Watches, wire.SessionWatches{Session: int64(wp.Watcher), Paths: wp.Paths})
		}
	}
	return st
}

// DropConnection closes the connection of a session, as a network fault
// would; the session lives on. It reports whether there was one.
func (b *Backend) DropConnection(id int64) bool {
	b.mu.Lock()
	c, ok := b.conns[id]
	b.mu.Unlock()
	if ok {
		c.Close(errors.New("wiretest: connection dropped"))
	}
	return ok
}
