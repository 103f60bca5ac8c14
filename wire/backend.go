package wire

import (
	"context"
	"errors"
	"net"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// Backend is the rest of ensemble as the client port sees it: sessions,
// the write pipeline, this server's tree and watch manager, and the
// figures the four-letter words print. The Node implements it; the Server
// calls it and never reaches further.
//
// # Goroutines
//
// Each client connection has two goroutines: a reader, which decodes
// requests and calls Connect, Touch, Write and Sync in the order the
// client sent them; and a writer, which calls Local and writes replies.
// Different connections call concurrently. The Server holds none of its
// locks while it calls the Backend, so the Backend may call back into a
// Conn (Deliver, Close) at any time, from any goroutine, holding its own
// locks; Conn methods never block and never call the Backend.
//
// # The ordering the Backend keeps
//
// The Server answers each session's requests in the order they were sent
// and, like ZooKeeper, lets a client see a watch event before any reply
// that shows the change that fired it. It relies on four rules:
//
//  1. Writes of one session complete in the order Write and Sync were
//     called: done is called exactly once per call, in that order, from
//     any goroutine (possibly inside Write itself), and never blocks.
//  2. For each txn the Backend applies, in zxid order: first it calls
//     Deliver on every Conn whose watches the txn fires, then it calls the
//     done of the write that made the txn (if that write came through
//     this server). Only then does it apply the next txn.
//  3. Local never observes a txn whose events have not all been
//     delivered, and the zxid it returns is the last txn it could observe.
//  4. Events are delivered to a Conn in zxid order. Events that are not a
//     txn's (the ones setWatches replays) carry Zxid -1 and are delivered
//     inside the Local call that serves the setWatches.
//
// With those, the Server writes a connection's events and replies merged
// by zxid: an event goes out before every reply whose zxid is at or after
// the event's, and after every reply computed before it. A read's watch is
// therefore always set on the client before its first event arrives.
//
// A read (Local) is executed only after every earlier request of the
// session has completed, so a session always reads its own writes; the
// Backend does not need to wait for anything in Local. Reads and writes
// of different sessions are not ordered by the Server at all.
type Backend interface {
	// Connect opens a new session (h.SessionID == 0) or reattaches one by
	// id and password, for the connection c. h.Timeout is already
	// clamped to the server's bounds. On success the Backend routes the
	// session's watch events to c, and closes (Conn.Close) any other
	// connection the session had on this server, as ZooKeeper does.
	//
	// Errors: one matching znode.ErrSessionExpired (an unknown or expired
	// session, or a wrong password) is answered with a zero session and
	// the connection is closed; ErrClientAhead (h.LastZxidSeen is after
	// this server's last zxid) and any other error close the connection
	// without an answer, so the client tries another server.
	Connect(ctx context.Context, h Handshake, c Conn) (Session, error)

	// Disconnect says c is closed: the Backend drops the watches c's
	// session holds here, if c is still that session's connection (a
	// newer connection of the same session keeps them). The session
	// itself lives on until it expires or is closed.
	Disconnect(c Conn)

	// Touch records that the session is alive: called for every request
	// and ping it sends.
	Touch(session int64)

	// Write hands a write to the pipeline: req is a *znode.CreateRequest,
	// DeleteRequest, SetDataRequest, SetACLRequest, CheckRequest,
	// MultiRequest or CloseSessionRequest (as values). xid is the
	// client's request id (the txn's cxid). done receives the result:
	// Zxid, Code and Path, Stat or Ops as the request needs; a request
	// refused before it became a txn has Code set and Zxid the last zxid
	// applied. See rule 1 and 2 above.
	Write(c Caller, xid int32, req znode.Request, done func(znode.Result))

	// Sync makes the next reads of the session see every write the leader
	// had committed when the sync arrived. done is called like Write's,
	// in order with the session's writes, with Path set to path.
	Sync(c Caller, xid int32, path string, done func(znode.Result))

	// Local serves ops that this server answers from its own state, in
	// order, as one step that no txn interleaves with: reads, watch
	// registration and removal, setWatches, pings. It fills res[i] for
	// ops[i] and returns the last applied zxid (rule 3). Watches are the
	// connection's; the Backend knows the Conn from Connect. ctx is
	// cancelled if the connection closes.
	Local(ctx context.Context, c Caller, ops []LocalOp, res []LocalResult) (zxid int64)

	// Status returns the figures the four-letter words print. detail asks
	// for the expensive parts too (watch lists, ephemerals by session),
	// needed by wchc, wchp and dump only.
	Status(ctx context.Context, detail bool) Status
}

// ErrClientAhead is what Connect returns when the client has seen a zxid
// this server has not applied yet. The Server closes the connection
// without an answer, and the client tries another server, as with
// ZooKeeper.
var ErrClientAhead = errors.New("wire: client has seen a later zxid than this server")

// Conn is a client connection as the Backend sees it.
type Conn interface {
	// Deliver queues a watch event for the client (see Backend's rules 2
	// and 4). It never blocks; after Close it does nothing.
	Deliver(ev znode.Event)
	// Close closes the connection, for instance because its session
	// expired or moved. It never blocks.
	Close(reason error)
	// Session returns the connection's session id (0 before Connect
	// returns).
	Session() int64
	// RemoteAddr returns the client's address.
	RemoteAddr() net.Addr
}

// Handshake is a client's ConnectRequest, as the Backend needs it.
type Handshake struct {
	SessionID    int64  // 0 for a new session
	Password     []byte // the session's password, when reattaching
	Timeout      int32  // milliseconds, clamped to the server's bounds
	LastZxidSeen int64
	ReadOnly     bool // the client accepts a read-only server
	Remote       net.Addr
}

// Session is an open session, as Connect returns it.
type Session struct {
	ID       int64
	Password []byte // 16 bytes
	Timeout  int32  // the negotiated timeout, milliseconds
	ReadOnly bool   // this server is read-only
}

// Caller is who a request comes from: the session and the identities its
// connection has authenticated as (ip, digest, super, x509). Auth's slice
// is never modified after the Server hands it out.
type Caller struct {
	Session int64
	Auth    znode.Auth
}

// LocalOp is one op that Local serves.
//
//   - OpExists, OpGetData, OpGetChildren, OpGetChildren2, OpGetACL: a read
//     of Path; Watch sets a watch as ZooKeeper does (exists on a missing
//     node sets one too; getData and getChildren on one do not).
//   - OpGetAllChildrenNumber: the number of descendants of Path.
//   - OpGetEphemerals: the session's ephemeral nodes whose path starts
//     with Path (the prefix), sorted.
//   - OpAddWatch: a persistent (Mode 0) or persistent-recursive (Mode 1)
//     watch on Path.
//   - OpCheckWatches, OpRemoveWatches: Mode is the watcher type (1 to 5).
//   - OpSetWatches, OpSetWatches2: re-register Watches, replaying the
//     events missed after Watches.RelativeZxid through Conn.Deliver.
//   - OpPing: nothing to do; the reply carries the returned zxid.
type LocalOp struct {
	Op      znode.OpCode
	Path    string
	Watch   bool
	Mode    int32
	Watches *jute.SetWatches2
}

// LocalResult is the outcome of one LocalOp. Err is nil or matches a
// znode.Code (znode.CodeOf gives the code to send).
type LocalResult struct {
	Err      error
	Data     []byte     // getData
	Stat     znode.Stat // exists, getData, getChildren2, getACL
	Children []string   // getChildren, getChildren2; getEphemerals' paths
	ACL      []znode.ACL
	Count    int32 // getAllChildrenNumber
}
