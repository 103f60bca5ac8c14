package ensemble

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/znode"
)

// Client is a session on a Node, used from the same process: every
// ZooKeeper operation, with a context on each call and errors that
// errors.Is matches against the znode.Err* codes.
//
// A Client goes through the same pipeline as a ZooKeeper client on the
// client port: writes are forwarded to the leader and answered once this
// peer has applied them, reads are served from this peer's tree. Its
// session stays alive while the Node runs; if the Node loses touch with
// the ensemble for longer than the session timeout, the leader expires
// the session, its ephemeral nodes are deleted, and Expired is closed.
type Client struct {
	n        *Node
	id       int64
	password []byte
	timeout  time.Duration
	xid      atomic.Int32

	mu         sync.Mutex
	auth       znode.Auth
	oneShot    map[watchKey][]chan znode.Event
	persistent map[string][]*eventQueue // addWatch(PERSISTENT)
	recursive  map[string][]*eventQueue // addWatch(PERSISTENT_RECURSIVE)
	closed     bool
	ended      chan struct{} // closed when the session ends
	endErr     error
}

// watchKey is one client-side one-shot watch: a path and whether it is a
// data (and exists) watch or a child watch.
type watchKey struct {
	path  string
	child bool
}

// ClientOptions configure a session.
type ClientOptions struct {
	// Timeout is the session timeout (default: the Node's
	// MaxSessionTimeout), clamped to the Node's bounds.
	Timeout time.Duration
}

// NewClient opens a new session on the Node. It waits for the Node to be
// Ready first, or for ctx to end.
func (n *Node) NewClient(ctx context.Context, opts ClientOptions) (*Client, error) {
	select {
	case <-n.readyC:
	case <-n.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = n.cfg.MaxSessionTimeout
	}
	timeout = min(max(timeout, n.cfg.MinSessionTimeout), n.cfg.MaxSessionTimeout)
	c := &Client{
		n:          n,
		timeout:    timeout,
		auth:       znode.Auth{Identities: []znode.Identity{{Scheme: "ip", ID: "127.0.0.1"}}},
		oneShot:    map[watchKey][]chan znode.Event{},
		persistent: map[string][]*eventQueue{},
		recursive:  map[string][]*eventQueue{},
		ended:      make(chan struct{}),
	}
	s, err := n.connect(ctx, wire.Handshake{Timeout: int32(timeout.Milliseconds())}, clientConn{c}, true)
	if err != nil {
		return nil, err
	}
	c.id, c.password = s.ID, s.Password
	return c, nil
}

// SessionID returns the session's id.
func (c *Client) SessionID() int64 { return c.id }

// Timeout returns the negotiated session timeout.
func (c *Client) Timeout() time.Duration { return c.timeout }

// Expired is closed when the session ends: closed by Close, expired by the
// leader, or ended by the Node stopping. Err then says which.
func (c *Client) Expired() <-chan struct{} { return c.ended }

// Err returns why the session ended, or nil while it lives:
// ErrSessionClosed after Close, znode.ErrSessionExpired when the leader
// expired it, ErrClosed when the Node stopped.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endErr
}

// Close ends the session: its ephemeral nodes are deleted on every peer
// and its watches are dropped.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	_, err := c.write(ctx, znode.CloseSessionRequest{})
	c.end(ErrSessionClosed)
	c.n.Disconnect(clientConn{c})
	if err != nil && znode.CodeOf(err) != znode.ErrSessionExpired {
		return fmt.Errorf("ensemble: closing session %#x: %w", c.id, err)
	}
	return nil
}

// end marks the session over and releases every watcher.
func (c *Client) end(reason error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	c.endErr = reason
	close(c.ended)
	for k, chans := range c.oneShot {
		for _, ch := range chans {
			close(ch)
		}
		delete(c.oneShot, k)
	}
	for _, m := range []map[string][]*eventQueue{c.persistent, c.recursive} {
		for p, qs := range m {
			for _, q := range qs {
				q.close()
			}
			delete(m, p)
		}
	}
}

// clientConn is the Client as the Node's backend sees it: a wire.Conn.
// (The Client's own Close ends the session; the Conn's closes the link.)
type clientConn struct{ c *Client }

// Deliver routes a watch event to the watchers that wait for it. It runs
// on the Node's loop and never blocks.
func (cc clientConn) Deliver(ev znode.Event) { cc.c.deliver(ev) }

// Close is called by the Node when the session ends without the client
// asking: the leader expired it, or the Node stopped.
func (cc clientConn) Close(reason error) { cc.c.end(reason) }

// Session returns the session id.
func (cc clientConn) Session() int64 { return cc.c.id }

// RemoteAddr returns a loopback address: the client is in-process.
func (cc clientConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// deliver routes a watch event to the Client's watchers.
func (c *Client) deliver(ev znode.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	fire := func(k watchKey) {
		for _, ch := range c.oneShot[k] {
			ch <- ev // buffered: one event per one-shot watch
			close(ch)
		}
		delete(c.oneShot, k)
	}
	switch ev.Type {
	case znode.EventNodeCreated, znode.EventNodeDataChanged:
		fire(watchKey{ev.Path, false})
	case znode.EventNodeChildrenChanged:
		fire(watchKey{ev.Path, true})
	case znode.EventNodeDeleted:
		fire(watchKey{ev.Path, false})
		fire(watchKey{ev.Path, true})
	}
	for _, q := range c.persistent[ev.Path] {
		q.push(ev)
	}
	if ev.Type != znode.EventNodeChildrenChanged {
		for p := ev.Path; ; p = parentOf(p) {
			for _, q := range c.recursive[p] {
				q.push(ev)
			}
			if p == "/" {
				break
			}
		}
	}
}

// parentOf returns the parent of an absolute path.
func parentOf(p string) string {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] == '/' {
			return p[:i]
		}
	}
	return "/"
}

// caller is who the Client's requests come from.
func (c *Client) caller() wire.Caller {
	c.mu.Lock()
	defer c.mu.Unlock()
	return wire.Caller{Session: c.id, Auth: c.auth}
}

// write sends a write through the pipeline and waits for its result.
func (c *Client) write(ctx context.Context, req znode.Request) (znode.Result, error) {
	if err := c.alive(); err != nil {
		return znode.Result{}, err
	}
	done := make(chan znode.Result, 1)
	c.n.Write(c.caller(), c.xid.Add(1), req, func(r znode.Result) { done <- r })
	select {
	case r := <-done:
		if r.Code != znode.OK {
			return r, r.Code
		}
		return r, nil
	case <-ctx.Done():
		return znode.Result{}, ctx.Err()
	}
}

// alive fails once the session has ended.
func (c *Client) alive() error {
	select {
	case <-c.ended:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.endErr
	default:
		return nil
	}
}

// local serves reads and watch changes from this peer's tree.
func (c *Client) local(ctx context.Context, ops ...wire.LocalOp) ([]wire.LocalResult, error) {
	if err := c.alive(); err != nil {
		return nil, err
	}
	res := make([]wire.LocalResult, len(ops))
	c.n.Local(ctx, c.caller(), ops, res)
	return res, nil
}

// Create makes a znode and returns its path, which for sequential modes
// carries the sequence number. A nil acl means znode.OpenACL.
func (c *Client) Create(ctx context.Context, path string, data []byte, mode znode.CreateMode, acl []znode.ACL) (string, error) {
	p, _, err := c.CreateStat(ctx, path, data, mode, acl, 0)
	return p, err
}

// CreateStat is Create that also returns the new znode's Stat (ZooKeeper's
// create2), and takes the TTL of the TTL modes.
func (c *Client) CreateStat(ctx context.Context, path string, data []byte, mode znode.CreateMode, acl []znode.ACL, ttl time.Duration) (string, znode.Stat, error) {
	if acl == nil {
		acl = znode.OpenACL
	}
	r, err := c.write(ctx, znode.CreateRequest{Path: path, Data: data, ACL: acl, Mode: mode, TTL: ttl.Milliseconds()})
	if err != nil {
		return "", znode.Stat{}, fmt.Errorf("ensemble: create %s: %w", path, err)
	}
	return r.Path, r.Stat, nil
}

// Delete deletes a znode if its version is version (-1: any version).
func (c *Client) Delete(ctx context.Context, path string, version int32) error {
	if _, err := c.write(ctx, znode.DeleteRequest{Path: path, Version: version}); err != nil {
		return fmt.Errorf("ensemble: delete %s: %w", path, err)
	}
	return nil
}

// Set replaces a znode's data if its version is version (-1: any) and
// returns the new Stat.
func (c *Client) Set(ctx context.Context, path string, data []byte, version int32) (znode.Stat, error) {
	r, err := c.write(ctx, znode.SetDataRequest{Path: path, Data: data, Version: version})
	if err != nil {
		return znode.Stat{}, fmt.Errorf("ensemble: set %s: %w", path, err)
	}
	return r.Stat, nil
}

// SetACL replaces a znode's ACL if its ACL version is version (-1: any).
func (c *Client) SetACL(ctx context.Context, path string, acl []znode.ACL, version int32) (znode.Stat, error) {
	r, err := c.write(ctx, znode.SetACLRequest{Path: path, ACL: acl, Version: version})
	if err != nil {
		return znode.Stat{}, fmt.Errorf("ensemble: setACL %s: %w", path, err)
	}
	return r.Stat, nil
}

// Check fails unless the znode exists with version version (-1: any). It
// is a write, ordered with the session's other writes.
func (c *Client) Check(ctx context.Context, path string, version int32) error {
	if _, err := c.write(ctx, znode.CheckRequest{Path: path, Version: version}); err != nil {
		return fmt.Errorf("ensemble: check %s: %w", path, err)
	}
	return nil
}

// MultiError is the error of a multi that failed: which op failed and why,
// with every op's result as ZooKeeper reports them.
type MultiError struct {
	Index   int // the failing op
	Err     error
	Results []znode.OpResult
}

// Error says which op failed and why.
func (e *MultiError) Error() string {
	return fmt.Sprintf("ensemble: multi op %d: %v", e.Index, e.Err)
}

// Unwrap returns the failing op's error.
func (e *MultiError) Unwrap() error { return e.Err }

// Multi runs ops (CreateRequest, DeleteRequest, SetDataRequest,
// CheckRequest) as one txn: all or nothing. On failure the error is a
// *MultiError.
func (c *Client) Multi(ctx context.Context, ops ...znode.Request) ([]znode.OpResult, error) {
	r, err := c.write(ctx, znode.MultiRequest{Ops: ops})
	if err == nil {
		return r.Ops, nil
	}
	for i, op := range r.Ops {
		if op.Code != znode.OK && op.Code != znode.ErrRuntimeInconsistency {
			return r.Ops, &MultiError{Index: i, Err: op.Code, Results: r.Ops}
		}
	}
	return r.Ops, fmt.Errorf("ensemble: multi: %w", err)
}

// Sync waits until this peer has applied every write the leader had
// committed when the sync reached it. A read after Sync is linearizable.
func (c *Client) Sync(ctx context.Context, path string) error {
	if err := c.alive(); err != nil {
		return err
	}
	done := make(chan znode.Result, 1)
	c.n.Sync(c.caller(), c.xid.Add(1), path, func(r znode.Result) { done <- r })
	select {
	case r := <-done:
		if r.Code != znode.OK {
			return fmt.Errorf("ensemble: sync %s: %w", path, r.Code)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Exists reports whether a znode exists, with its Stat when it does.
func (c *Client) Exists(ctx context.Context, path string) (bool, znode.Stat, error) {
	ok, st, _, err := c.exists(ctx, path, false)
	return ok, st, err
}

// ExistsW is Exists that also sets a watch: the channel gets the node's
// next NodeCreated, NodeDataChanged or NodeDeleted, then is closed.
func (c *Client) ExistsW(ctx context.Context, path string) (bool, znode.Stat, <-chan znode.Event, error) {
	return c.exists(ctx, path, true)
}

func (c *Client) exists(ctx context.Context, path string, watch bool) (bool, znode.Stat, <-chan znode.Event, error) {
	var ch chan znode.Event
	if watch {
		ch = c.addOneShot(watchKey{path, false})
	}
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpExists, Path: path, Watch: watch})
	if err != nil {
		return false, znode.Stat{}, nil, err
	}
	r := res[0]
	switch {
	case r.Err == nil:
		return true, r.Stat, ch, nil
	case znode.CodeOf(r.Err) == znode.ErrNoNode:
		return false, znode.Stat{}, ch, nil
	}
	c.dropOneShot(watchKey{path, false}, ch)
	return false, znode.Stat{}, nil, fmt.Errorf("ensemble: exists %s: %w", path, r.Err)
}

// Get returns a znode's data and Stat.
func (c *Client) Get(ctx context.Context, path string) ([]byte, znode.Stat, error) {
	data, st, _, err := c.get(ctx, path, false)
	return data, st, err
}

// GetW is Get that also sets a data watch.
func (c *Client) GetW(ctx context.Context, path string) ([]byte, znode.Stat, <-chan znode.Event, error) {
	return c.get(ctx, path, true)
}

func (c *Client) get(ctx context.Context, path string, watch bool) ([]byte, znode.Stat, <-chan znode.Event, error) {
	var ch chan znode.Event
	if watch {
		ch = c.addOneShot(watchKey{path, false})
	}
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpGetData, Path: path, Watch: watch})
	if err != nil {
		return nil, znode.Stat{}, nil, err
	}
	if r := res[0]; r.Err != nil {
		c.dropOneShot(watchKey{path, false}, ch)
		return nil, znode.Stat{}, nil, fmt.Errorf("ensemble: get %s: %w", path, r.Err)
	}
	return res[0].Data, res[0].Stat, ch, nil
}

// Children returns a znode's children, sorted, and its Stat.
func (c *Client) Children(ctx context.Context, path string) ([]string, znode.Stat, error) {
	kids, st, _, err := c.children(ctx, path, false)
	return kids, st, err
}

// ChildrenW is Children that also sets a child watch.
func (c *Client) ChildrenW(ctx context.Context, path string) ([]string, znode.Stat, <-chan znode.Event, error) {
	return c.children(ctx, path, true)
}

func (c *Client) children(ctx context.Context, path string, watch bool) ([]string, znode.Stat, <-chan znode.Event, error) {
	var ch chan znode.Event
	if watch {
		ch = c.addOneShot(watchKey{path, true})
	}
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpGetChildren2, Path: path, Watch: watch})
	if err != nil {
		return nil, znode.Stat{}, nil, err
	}
	if r := res[0]; r.Err != nil {
		c.dropOneShot(watchKey{path, true}, ch)
		return nil, znode.Stat{}, nil, fmt.Errorf("ensemble: children %s: %w", path, r.Err)
	}
	return res[0].Children, res[0].Stat, ch, nil
}

// GetACL returns a znode's ACL and Stat.
func (c *Client) GetACL(ctx context.Context, path string) ([]znode.ACL, znode.Stat, error) {
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpGetACL, Path: path})
	if err != nil {
		return nil, znode.Stat{}, err
	}
	if r := res[0]; r.Err != nil {
		return nil, znode.Stat{}, fmt.Errorf("ensemble: getACL %s: %w", path, r.Err)
	}
	return res[0].ACL, res[0].Stat, nil
}

// AllChildrenNumber returns how many descendants a znode has.
func (c *Client) AllChildrenNumber(ctx context.Context, path string) (int, error) {
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpGetAllChildrenNumber, Path: path})
	if err != nil {
		return 0, err
	}
	if r := res[0]; r.Err != nil {
		return 0, fmt.Errorf("ensemble: getAllChildrenNumber %s: %w", path, r.Err)
	}
	return int(res[0].Count), nil
}

// Ephemerals returns the session's ephemeral nodes whose path starts with
// prefix, sorted.
func (c *Client) Ephemerals(ctx context.Context, prefix string) ([]string, error) {
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpGetEphemerals, Path: prefix})
	if err != nil {
		return nil, err
	}
	return res[0].Children, res[0].Err
}

// ReadOp is one read of a MultiRead: a getData, or a getChildren when
// Children is set.
type ReadOp struct {
	Path     string
	Children bool
}

// ReadResult is the outcome of one ReadOp.
type ReadResult struct {
	Data     []byte
	Children []string
	Stat     znode.Stat
	Err      error
}

// MultiRead runs reads as one step that no write interleaves with
// (ZooKeeper's multiRead). Each op succeeds or fails on its own.
func (c *Client) MultiRead(ctx context.Context, ops ...ReadOp) ([]ReadResult, error) {
	local := make([]wire.LocalOp, len(ops))
	for i, op := range ops {
		local[i] = wire.LocalOp{Op: znode.OpGetData, Path: op.Path}
		if op.Children {
			local[i].Op = znode.OpGetChildren
		}
	}
	res, err := c.local(ctx, local...)
	if err != nil {
		return nil, err
	}
	out := make([]ReadResult, len(res))
	for i, r := range res {
		out[i] = ReadResult{Data: r.Data, Children: r.Children, Stat: r.Stat, Err: r.Err}
	}
	return out, nil
}

// AddAuth adds an identity to the session, as ZooKeeper's addAuthInfo:
// scheme "digest" with "user:password". Later requests are checked
// against ACLs with it.
func (c *Client) AddAuth(ctx context.Context, scheme string, credential []byte) error {
	if scheme != "digest" {
		return fmt.Errorf("ensemble: addAuth %s: only digest is supported in-process: %w", scheme, znode.ErrAuthFailed)
	}
	id := znode.DigestIdentity(string(credential))
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := append([]znode.Identity{}, c.auth.Identities...)
	if c.n.cfg.SuperDigest != "" && id.ID == c.n.cfg.SuperDigest {
		ids = append(ids, znode.Identity{Scheme: "super"})
	}
	c.auth = znode.Auth{Identities: append(ids, id)}
	return nil
}

// AddWatch sets a persistent watch on path (recursive: on path and every
// node below it). Its events arrive on the returned channel until
// RemoveWatches or the end of the session closes it. Persistent watches
// never miss an event while the session lives: the channel is backed by
// a queue.
func (c *Client) AddWatch(ctx context.Context, path string, recursive bool) (<-chan znode.Event, error) {
	mode := session.AddWatchPersistent
	if recursive {
		mode = session.AddWatchPersistentRecursive
	}
	q := newEventQueue()
	c.mu.Lock()
	m := c.persistent
	if recursive {
		m = c.recursive
	}
	m[path] = append(m[path], q)
	c.mu.Unlock()
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpAddWatch, Path: path, Mode: int32(mode)})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		c.mu.Lock()
		m[path] = removeQueue(m[path], q)
		c.mu.Unlock()
		q.close()
		return nil, fmt.Errorf("ensemble: addWatch %s: %w", path, err)
	}
	return q.out, nil
}

// RemoveWatches removes the session's watches of the given type on path
// (ZooKeeper's removeWatches) and closes their channels.
func (c *Client) RemoveWatches(ctx context.Context, path string, t session.WatcherType) error {
	res, err := c.local(ctx, wire.LocalOp{Op: znode.OpRemoveWatches, Path: path, Mode: int32(t)})
	if err == nil {
		err = res[0].Err
	}
	if err != nil {
		return fmt.Errorf("ensemble: removeWatches %s: %w", path, err)
	}
	kinds, _ := t.Kinds()
	c.mu.Lock()
	defer c.mu.Unlock()
	if kinds.Has(session.DataWatch) {
		c.closeOneShot(watchKey{path, false})
	}
	if kinds.Has(session.ChildWatch) {
		c.closeOneShot(watchKey{path, true})
	}
	for _, kq := range []struct {
		k session.Kind
		m map[string][]*eventQueue
	}{{session.PersistentWatch, c.persistent}, {session.RecursiveWatch, c.recursive}} {
		if kinds.Has(kq.k) {
			for _, q := range kq.m[path] {
				q.close()
			}
			delete(kq.m, path)
		}
	}
	return nil
}

// addOneShot registers a client-side one-shot watch before the read that
// sets it server-side, so no event can slip between the two.
func (c *Client) addOneShot(k watchKey) chan znode.Event {
	ch := make(chan znode.Event, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		close(ch)
		return ch
	}
	c.oneShot[k] = append(c.oneShot[k], ch)
	return ch
}

// dropOneShot forgets a one-shot watch whose read failed.
func (c *Client) dropOneShot(k watchKey, ch chan znode.Event) {
	if ch == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	chans := c.oneShot[k]
	for i, x := range chans {
		if x == ch {
			c.oneShot[k] = append(chans[:i], chans[i+1:]...)
			close(ch)
			break
		}
	}
	if len(c.oneShot[k]) == 0 {
		delete(c.oneShot, k)
	}
}

// closeOneShot closes every one-shot watch on k. c.mu is held.
func (c *Client) closeOneShot(k watchKey) {
	for _, ch := range c.oneShot[k] {
		close(ch)
	}
	delete(c.oneShot, k)
}

func removeQueue(qs []*eventQueue, q *eventQueue) []*eventQueue {
	for i, x := range qs {
		if x == q {
			return append(qs[:i], qs[i+1:]...)
		}
	}
	return qs
}
