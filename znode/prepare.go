package znode

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Header is what the leader knows of a write besides its body: who sent it,
// the zxid it will have, and the leader's clock.
type Header struct {
	Session int64 // the client's session id (0 for the leader's own requests)
	Cxid    int32 // the client's request id
	Zxid    int64 // the zxid the txn will have
	Time    int64 // milliseconds since the epoch, the leader's clock
}

// Errors of Prepare's caller, not of the request: Prepare made no txn.
var (
	// ErrZxidOrder: the header's zxid is not after the last prepared or
	// applied one.
	ErrZxidOrder = errors.New("znode: zxid not after the last prepared or applied")
	// ErrUnknownRequest: the request is nil or not one of this package's
	// request types.
	ErrUnknownRequest = errors.New("znode: unknown request type")
)

// Preparer is the leader-side step of the write path (ZooKeeper's
// PrepRequestProcessor): it validates a request against the tree plus the
// changes of the txns it has prepared that the tree has not applied yet
// (ZooKeeper's outstandingChanges), checks ACLs and sessions, and builds a
// complete txn: sequential names resolved, new versions computed, the time
// and session filled in, the expected digest attached. Many writes can be
// in flight and still get the right sequence numbers and version checks.
//
// A request that fails validation still becomes a txn, an ErrorTxn (or, for
// a multi, a MultiTxn with error records), as in ZooKeeper: it takes a
// zxid, is proposed and logged like any write, and its reply leaves in
// order with the session's other replies. Prepare's error is only for
// calls that cannot make a txn at all.
//
// The caller tells the Preparer when the tree has applied txns (Applied),
// so their changes are read from the tree again, and forgets everything
// on a change of leader (Reset). A Preparer is not safe for concurrent use;
// the tree it reads is.
type Preparer struct {
	t         *Tree
	zxid      int64 // the txn being prepared
	last      int64 // the last prepared zxid
	digest    uint64
	byPath    map[string]*change
	bySession map[int64]*change
	log       []*change // in zxid order; entries before head are gone
	head      int
	// During a multi: how to undo its changes if an op fails.
	inMulti     bool
	undoPaths   []pathUndo
	undoSession []sessionUndo
	undoLog     int
	undoDigest  uint64
}

// change is a change in flight: the new value of a znode (nil: deleted) or
// of a session.
type change struct {
	zxid      int64
	path      string
	n         *node
	isSession bool
	session   int64
	timeout   int32
	live      bool
}

type pathUndo struct {
	path string
	prev *change
}

type sessionUndo struct {
	id   int64
	prev *change
}

// NewPreparer returns a Preparer for the tree, with nothing in flight.
func NewPreparer(t *Tree) *Preparer {
	p := &Preparer{t: t}
	p.Reset()
	return p
}

// Reset forgets every change in flight, as a new leader must: txns prepared
// by an old leader that were not committed are gone.
func (p *Preparer) Reset() {
	p.byPath = make(map[string]*change)
	p.bySession = make(map[int64]*change)
	clear(p.log)
	p.log, p.head = p.log[:0], 0
	p.t.mu.RLock()
	p.digest = p.t.digest
	p.last = p.t.lastZxid
	p.t.mu.RUnlock()
}

// Applied tells the Preparer that the tree has applied every txn up to
// zxid, so their changes are now read from the tree.
func (p *Preparer) Applied(zxid int64) {
	for p.head < len(p.log) && p.log[p.head].zxid <= zxid {
		c := p.log[p.head]
		if c.isSession {
			if p.bySession[c.session] == c {
				delete(p.bySession, c.session)
			}
		} else if p.byPath[c.path] == c {
			delete(p.byPath, c.path)
		}
		p.log[p.head] = nil
		p.head++
	}
	if p.head == len(p.log) {
		p.log, p.head = p.log[:0], 0
		p.t.mu.RLock()
		p.digest = p.t.digest
		p.t.mu.RUnlock()
	} else if p.head > 1024 && p.head > len(p.log)/2 {
		n := copy(p.log, p.log[p.head:])
		clear(p.log[n:])
		p.log, p.head = p.log[:n], 0
	}
}

// Outstanding returns the number of changes in flight (znodes and sessions
// touched by txns prepared and not yet applied).
func (p *Preparer) Outstanding() int { return len(p.log) - p.head }

// Prepare turns a request into the txn to propose. h.Zxid must be after
// every zxid prepared or applied before.
func (p *Preparer) Prepare(h Header, req Request, a Auth) (Txn, error) {
	if req == nil {
		return Txn{}, ErrUnknownRequest
	}
	p.t.mu.RLock()
	defer p.t.mu.RUnlock()
	if h.Zxid <= p.last || h.Zxid <= p.t.lastZxid {
		return Txn{}, fmt.Errorf("%w: %#x", ErrZxidOrder, h.Zxid)
	}
	p.zxid = h.Zxid
	hdr := TxnHeader{ClientID: h.Session, Cxid: h.Cxid, Zxid: h.Zxid, Time: h.Time}
	var body TxnBody
	switch r := req.(type) {
	case MultiRequest:
		hdr.Type, body = p.prepareMulti(hdr, r.Ops, a)
	case *MultiRequest:
		hdr.Type, body = p.prepareMulti(hdr, r.Ops, a)
	default:
		typ, b, code := p.prepareOp(hdr, req, a)
		if code == errUnknown {
			return Txn{}, ErrUnknownRequest
		}
		hdr.Type, body = typ, b
		if code != OK {
			hdr.Type, body = OpError, &ErrorTxn{Err: code}
		}
	}
	p.last = h.Zxid
	return Txn{Header: hdr, Body: body, Digest: TxnDigest{Version: DigestVersion, TreeDigest: p.digest}}, nil
}

// errUnknown marks a request type prepareOp does not know.
const errUnknown Code = 1

// prepareMulti prepares the ops of a multi in order against the changes of
// the ones before; on the first failure it rolls them back and marks the
// rest ErrRuntimeInconsistency, as ZooKeeper does.
func (p *Preparer) prepareMulti(hdr TxnHeader, ops []Request, a Auth) (OpCode, TxnBody) {
	for _, op := range ops {
		switch op.(type) {
		case CreateRequest, *CreateRequest, DeleteRequest, *DeleteRequest,
			SetDataRequest, *SetDataRequest, CheckRequest, *CheckRequest:
		default:
			// ZooKeeper fails to decode such a multi: MarshallingError.
			return OpError, &ErrorTxn{Err: ErrMarshallingError}
		}
	}
	p.inMulti = true
	p.undoPaths, p.undoSession = p.undoPaths[:0], p.undoSession[:0]
	p.undoLog, p.undoDigest = len(p.log), p.digest
	subs := make([]SubTxn, len(ops))
	failed := false
	for i, op := range ops {
		if failed {
			subs[i] = SubTxn{Type: OpError, Body: &ErrorTxn{Err: ErrRuntimeInconsistency}}
			continue
		}
		typ, body, code := p.prepareOp(hdr, op, a)
		if code != OK {
			failed = true
			p.rollback()
			subs[i] = SubTxn{Type: OpError, Body: &ErrorTxn{Err: code}}
			continue
		}
		subs[i] = SubTxn{Type: typ, Body: body}
	}
	p.inMulti = false
	clear(p.undoPaths)
	clear(p.undoSession)
	return OpMulti, &MultiTxn{Txns: subs}
}

// rollback undoes the changes of the multi being prepared.
func (p *Preparer) rollback() {
	for i := len(p.undoPaths) - 1; i >= 0; i-- {
		u := p.undoPaths[i]
		if u.prev == nil {
			delete(p.byPath, u.path)
		} else {
			p.byPath[u.path] = u.prev
		}
	}
	for i := len(p.undoSession) - 1; i >= 0; i-- {
		u := p.undoSession[i]
		if u.prev == nil {
			delete(p.bySession, u.id)
		} else {
			p.bySession[u.id] = u.prev
		}
	}
	clear(p.log[p.undoLog:])
	p.log = p.log[:p.undoLog]
	p.digest = p.undoDigest
	p.undoPaths, p.undoSession = p.undoPaths[:0], p.undoSession[:0]
}

// prepareOp validates one request, in ZooKeeper's order of checks so that
// a request with several faults fails with the same code, builds its txn
// record and applies it to the overlay.
func (p *Preparer) prepareOp(hdr TxnHeader, req Request, a Auth) (OpCode, TxnBody, Code) {
	var (
		typ  OpCode
		body TxnBody
		code Code
	)
	switch r := req.(type) {
	case CreateRequest:
		typ, body, code = p.prepareCreate(hdr, &r, a)
	case *CreateRequest:
		typ, body, code = p.prepareCreate(hdr, r, a)
	case DeleteRequest:
		typ, body, code = p.prepareDelete(hdr, &r, a)
	case *DeleteRequest:
		typ, body, code = p.prepareDelete(hdr, r, a)
	case SetDataRequest:
		typ, body, code = p.prepareSetData(hdr, &r, a)
	case *SetDataRequest:
		typ, body, code = p.prepareSetData(hdr, r, a)
	case SetACLRequest:
		typ, body, code = p.prepareSetACL(hdr, &r, a)
	case *SetACLRequest:
		typ, body, code = p.prepareSetACL(hdr, r, a)
	case CheckRequest:
		typ, body, code = p.prepareCheck(hdr, &r, a)
	case *CheckRequest:
		typ, body, code = p.prepareCheck(hdr, r, a)
	case DeleteContainerRequest:
		typ, body, code = p.prepareDeleteContainer(hdr, r.Path)
	case *DeleteContainerRequest:
		typ, body, code = p.prepareDeleteContainer(hdr, r.Path)
	case CreateSessionRequest:
		typ, body, code = p.prepareCreateSession(hdr, r.Timeout)
	case *CreateSessionRequest:
		typ, body, code = p.prepareCreateSession(hdr, r.Timeout)
	case CloseSessionRequest, *CloseSessionRequest:
		typ, body, code = OpCloseSession, &CloseSessionTxn{Paths2Delete: p.sessionEphemerals(hdr.ClientID)}, OK
	default:
		return 0, nil, errUnknown
	}
	if code != OK {
		return typ, nil, code
	}
	if r := applyOp(p, hdr, typ, body, nil); r.Code != OK {
		// Validation and apply disagree: a bug, but a txn that would fail
		// on the replicas must not be proposed as a success.
		return typ, nil, r.Code
	}
	return typ, body, OK
}

// live reports whether a session may write: known to the tree or created
// in flight, and not closing.
func (p *Preparer) live(id int64) bool {
	_, ok := p.session(id)
	return ok
}

// parentOf returns the parent path of a create or delete as ZooKeeper
// computes it: everything before the last "/", the root for "". ok is false
// when there is no "/" or there is a NUL.
func parentOf(path string) (string, bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || strings.IndexByte(path, 0) >= 0 {
		return "", false
	}
	if i == 0 {
		return "/", true
	}
	return path[:i], true
}

func checkVersion(current, expected int32) Code {
	if expected != -1 && expected != current {
		return ErrBadVersion
	}
	return OK
}

func (p *Preparer) prepareCreate(hdr TxnHeader, r *CreateRequest, a Auth) (OpCode, TxnBody, Code) {
	typ := r.Op()
	if !r.Mode.Valid() {
		return typ, nil, ErrBadArguments
	}
	if r.Mode.IsTTL() {
		if !p.t.opts.TTLEnabled {
			return typ, nil, ErrUnimplemented
		}
		if r.TTL <= 0 || r.TTL > MaxTTL {
			return typ, nil, ErrBadArguments
		}
	}
	if !p.live(hdr.ClientID) {
		return typ, nil, ErrSessionExpired
	}
	if len(r.Data) > p.t.opts.maxData() {
		return typ, nil, ErrBadArguments
	}
	parentPath, ok := parentOf(r.Path)
	if !ok {
		return typ, nil, ErrBadArguments
	}
	acl, err := fixupACL(r.ACL, a)
	if err != nil {
		return typ, nil, ErrInvalidACL
	}
	parent := p.lookup(parentPath)
	if parent == nil {
		return typ, nil, ErrNoNode
	}
	if !p.t.opts.allowed(parent.acl, PermCreate, a) {
		return typ, nil, ErrNoAuth
	}
	path := r.Path
	if r.Mode.IsSequential() {
		path += sequenceSuffix(parent.cversion)
	}
	if reason, _ := pathProblem(path); reason != "" {
		return typ, nil, ErrBadArguments
	}
	if p.lookup(path) != nil {
		return typ, nil, ErrNodeExists
	}
	if parent.kind == kindEphemeral {
		return typ, nil, ErrNoChildrenForEphemerals
	}
	cv := parent.cversion + 1
	switch {
	case r.Mode.IsContainer():
		return typ, &CreateContainerTxn{Path: path, Data: r.Data, ACL: acl, ParentCVersion: cv}, OK
	case r.Mode.IsTTL():
		return typ, &CreateTTLTxn{Path: path, Data: r.Data, ACL: acl, ParentCVersion: cv, TTL: r.TTL}, OK
	}
	return typ, &CreateTxn{Path: path, Data: r.Data, ACL: acl, Ephemeral: r.Mode.IsEphemeral(), ParentCVersion: cv}, OK
}

func (p *Preparer) prepareDelete(hdr TxnHeader, r *DeleteRequest, a Auth) (OpCode, TxnBody, Code) {
	if !p.live(hdr.ClientID) {
		return OpDelete, nil, ErrSessionExpired
	}
	parentPath, ok := parentOf(r.Path)
	if !ok || isSpecialPath(r.Path) {
		return OpDelete, nil, ErrBadArguments
	}
	parent := p.lookup(parentPath)
	if parent == nil {
		return OpDelete, nil, ErrNoNode
	}
	if !p.t.opts.allowed(parent.acl, PermDelete, a) {
		return OpDelete, nil, ErrNoAuth
	}
	n := p.lookup(r.Path)
	if n == nil {
		return OpDelete, nil, ErrNoNode
	}
	if c := checkVersion(n.version, r.Version); c != OK {
		return OpDelete, nil, c
	}
	if n.numChildren > 0 {
		return OpDelete, nil, ErrNotEmpty
	}
	return OpDelete, &DeleteTxn{Path: r.Path}, OK
}

func (p *Preparer) prepareSetData(hdr TxnHeader, r *SetDataRequest, a Auth) (OpCode, TxnBody, Code) {
	if !p.live(hdr.ClientID) {
		return OpSetData, nil, ErrSessionExpired
	}
	if len(r.Data) > p.t.opts.maxData() {
		return OpSetData, nil, ErrBadArguments
	}
	if reason, _ := pathProblem(r.Path); reason != "" {
		return OpSetData, nil, ErrBadArguments
	}
	n := p.lookup(r.Path)
	if n == nil {
		return OpSetData, nil, ErrNoNode
	}
	if !p.t.opts.allowed(n.acl, PermWrite, a) {
		return OpSetData, nil, ErrNoAuth
	}
	if c := checkVersion(n.version, r.Version); c != OK {
		return OpSetData, nil, c
	}
	return OpSetData, &SetDataTxn{Path: r.Path, Data: r.Data, Version: n.version + 1}, OK
}

func (p *Preparer) prepareSetACL(hdr TxnHeader, r *SetACLRequest, a Auth) (OpCode, TxnBody, Code) {
	if !p.live(hdr.ClientID) {
		return OpSetACL, nil, ErrSessionExpired
	}
	if reason, _ := pathProblem(r.Path); reason != "" {
		return OpSetACL, nil, ErrBadArguments
	}
	acl, err := fixupACL(r.ACL, a)
	if err != nil {
		return OpSetACL, nil, ErrInvalidACL
	}
	n := p.lookup(r.Path)
	if n == nil {
		return OpSetACL, nil, ErrNoNode
	}
	if !p.t.opts.allowed(n.acl, PermAdmin, a) {
		return OpSetACL, nil, ErrNoAuth
	}
	if c := checkVersion(n.aversion, r.Version); c != OK {
		return OpSetACL, nil, c
	}
	return OpSetACL, &SetACLTxn{Path: r.Path, ACL: acl, Version: n.aversion + 1}, OK
}

func (p *Preparer) prepareCheck(hdr TxnHeader, r *CheckRequest, a Auth) (OpCode, TxnBody, Code) {
	if !p.live(hdr.ClientID) {
		return OpCheck, nil, ErrSessionExpired
	}
	if reason, _ := pathProblem(r.Path); reason != "" {
		return OpCheck, nil, ErrBadArguments
	}
	n := p.lookup(r.Path)
	if n == nil {
		return OpCheck, nil, ErrNoNode
	}
	if !p.t.opts.allowed(n.acl, PermRead, a) {
		return OpCheck, nil, ErrNoAuth
	}
	if c := checkVersion(n.version, r.Version); c != OK {
		return OpCheck, nil, c
	}
	return OpCheck, &CheckVersionTxn{Path: r.Path, Version: n.version + 1}, OK
}

// prepareDeleteContainer re-checks a cleanup candidate at the txn's time.
// ZooKeeper re-checks only that it is empty and not an ephemeral; this also
// checks that it is a container or TTL znode still due, so a TTL node
// modified since it was chosen survives.
func (p *Preparer) prepareDeleteContainer(hdr TxnHeader, path string) (OpCode, TxnBody, Code) {
	if _, ok := parentOf(path); !ok || isSpecialPath(path) {
		return OpDeleteContainer, nil, ErrBadArguments
	}
	n := p.lookup(path)
	if n == nil {
		return OpDeleteContainer, nil, ErrNoNode
	}
	if n.numChildren > 0 {
		return OpDeleteContainer, nil, ErrNotEmpty
	}
	if (n.kind != kindContainer && n.kind != kindTTL) || !p.t.opts.expired(n, hdr.Time) {
		return OpDeleteContainer, nil, ErrBadVersion
	}
	return OpDeleteContainer, &DeleteTxn{Path: path}, OK
}

func (p *Preparer) prepareCreateSession(hdr TxnHeader, timeout int32) (OpCode, TxnBody, Code) {
	if hdr.ClientID == 0 {
		return OpCreateSession, nil, ErrBadArguments
	}
	return OpCreateSession, &CreateSessionTxn{TimeOut: timeout}, OK
}

// sessionEphemerals lists, sorted, the ephemerals a session will own once
// the txns in flight are applied: the tree's, less those deleted in
// flight, plus those created in flight.
func (p *Preparer) sessionEphemerals(session int64) []string {
	set := make(map[string]struct{})
	for _, path := range p.t.ephemeralsOf(session) {
		set[path] = struct{}{}
	}
	for _, c := range p.log[p.head:] {
		if c.isSession {
			continue
		}
		if c.n == nil {
			delete(set, c.path)
		} else if c.n.kind == kindEphemeral && c.n.owner == session {
			set[c.path] = struct{}{}
		}
	}
	out := make([]string, 0, len(set))
	for path := range set {
		out = append(out, path)
	}
	slices.Sort(out)
	return out
}

// lookup implements store: the newest value in flight, else the tree's.
func (p *Preparer) lookup(path string) *node {
	if c, ok := p.byPath[path]; ok {
		return c.n
	}
	return p.t.lookup(path)
}

// put implements store.
func (p *Preparer) put(path string, old, n *node) {
	if old != nil {
		p.digest -= uint64(old.digest)
	}
	if n != nil {
		p.digest += uint64(n.digest)
	}
	c := &change{zxid: p.zxid, path: path, n: n}
	if p.inMulti {
		p.undoPaths = append(p.undoPaths, pathUndo{path: path, prev: p.byPath[path]})
	}
	p.byPath[path] = c
	p.log = append(p.log, c)
}

// intern implements store; nodes in flight need no sharing.
func (p *Preparer) intern(acl []ACL) *aclEntry { return &aclEntry{list: acl} }

// session implements store.
func (p *Preparer) session(id int64) (int32, bool) {
	if c, ok := p.bySession[id]; ok {
		return c.timeout, c.live
	}
	return p.t.session(id)
}

// putSession implements store.
func (p *Preparer) putSession(id int64, timeout int32, live bool) {
	c := &change{zxid: p.zxid, isSession: true, session: id, timeout: timeout, live: live}
	if p.inMulti {
		p.undoSession = append(p.undoSession, sessionUndo{id: id, prev: p.bySession[id]})
	}
	p.bySession[id] = c
	p.log = append(p.log, c)
}

// ephemeralsOf implements store: prepare lists them all in the txn.
func (p *Preparer) ephemeralsOf(int64) []string { return nil }

var _ store = (*Preparer)(nil)
