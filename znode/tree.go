package znode

import (
	"sort"
	"strings"
	"sync"

	"github.com/google/btree"
)

// btreeDegree trades lookup depth against the cost of copying a btree node
// after a Clone; 32 keeps 1M znodes four levels deep.
const btreeDegree = 32

// item is an index entry: the key (parent path, last component) and the
// znode. Ordering by parent first makes the children of a znode one
// contiguous, sorted range, and puts every parent before its children.
type item struct {
	parent string
	name   string
	n      *node
}

func itemLess(a, b item) bool {
	if a.parent != b.parent {
		return a.parent < b.parent
	}
	return a.name < b.name
}

// ephKey indexes ephemeral znodes by owning session.
type ephKey struct {
	owner int64
	path  string
}

func ephLess(a, b ephKey) bool {
	if a.owner != b.owner {
		return a.owner < b.owner
	}
	return a.path < b.path
}

// sessionEntry is a live session and its timeout in milliseconds.
type sessionEntry struct {
	id      int64
	timeout int32
}

func sessionLess(a, b sessionEntry) bool { return a.id < b.id }

// Tree is the znode tree of one replica: znodes, the live sessions, the
// last applied zxid and the running digest. It changes only through Apply.
//
// A Tree is safe for concurrent use: reads may run in parallel with each
// other and are serialized with Apply. The values it returns are copies.
type Tree struct {
	opts Options

	mu       sync.RWMutex
	nodes    *btree.BTreeG[item]
	root     *node // the root is kept outside the index: it has no parent
	sessions *btree.BTreeG[sessionEntry]
	// Derived indexes, rebuilt from the znodes when a snapshot is read.
	ephemerals *btree.BTreeG[ephKey]
	containers *btree.BTreeG[string]
	ttls       *btree.BTreeG[string]
	acls       map[string]*aclEntry
	keyBuf     []byte
	journal    []undo // changes of the multi being applied, to roll back
	journaling bool
	lastZxid   int64
	digest     uint64
}

// New returns a tree as a new ZooKeeper 3.8 server has it: "/",
// "/zookeeper", "/zookeeper/quota" and "/zookeeper/config" (readable by
// anyone, writable by none but super), all with zeroed stats, at zxid 0.
func New(opts Options) *Tree {
	t := newEmpty(opts)
	open := t.intern(OpenACL)
	t.put("/", nil, (&node{acl: open, numChildren: 1}).seal("/"))
	t.put("/zookeeper", nil, (&node{acl: open, numChildren: 2}).seal("/zookeeper"))
	t.put("/zookeeper/quota", nil, (&node{acl: open}).seal("/zookeeper/quota"))
	// ZooKeeper sets the config node's ACL with version -1, which is
	// stored as its aversion (ZOOKEEPER-2014).
	t.put("/zookeeper/config", nil, (&node{acl: t.intern(ReadACL), aversion: -1}).seal("/zookeeper/config"))
	return t
}

func newEmpty(opts Options) *Tree {
	return &Tree{
		opts:       opts,
		nodes:      btree.NewG(btreeDegree, itemLess),
		sessions:   btree.NewG(btreeDegree, sessionLess),
		ephemerals: btree.NewG(btreeDegree, ephLess),
		containers: btree.NewG(btreeDegree, btree.Less[string]()),
		ttls:       btree.NewG(btreeDegree, btree.Less[string]()),
		acls:       make(map[string]*aclEntry),
	}
}

// lookup returns the znode at path, or nil. Any string is accepted: one
// that is not a path finds nothing.
func (t *Tree) lookup(path string) *node {
	if path == "/" {
		return t.root
	}
	parent, name, ok := splitPath(path)
	if !ok {
		return nil
	}
	it, found := t.nodes.Get(item{parent: parent, name: name})
	if !found {
		return nil
	}
	return it.n
}

// put changes the znode at path from old to n (old nil: a create; n nil: a
// delete) and keeps the digest, the ACL references and the derived indexes
// in step. The caller has checked that the change is valid.
func (t *Tree) put(path string, old, n *node) {
	if t.journaling {
		t.journal = append(t.journal, undo{path: path, old: old, n: n})
	}
	if old != nil {
		t.digest -= uint64(old.digest)
	}
	if n != nil {
		t.digest += uint64(n.digest)
		t.acquire(n.acl)
	}
	if old != nil {
		t.release(old.acl)
	}
	if path == "/" {
		t.root = n
		return
	}
	parent, name, _ := splitPath(path)
	switch {
	case n == nil:
		t.nodes.Delete(item{parent: parent, name: name})
		t.unindex(path, old)
	case old == nil:
		t.nodes.ReplaceOrInsert(item{parent: parent, name: name, n: n})
		t.index(path, n)
	default:
		// The new key strings may be substrings of a child's path (a parent
		// updated by a create); that keeps at most one path alive per key.
		t.nodes.ReplaceOrInsert(item{parent: parent, name: name, n: n})
	}
}

func (t *Tree) index(path string, n *node) {
	switch n.kind {
	case kindEphemeral:
		t.ephemerals.ReplaceOrInsert(ephKey{owner: n.owner, path: path})
	case kindContainer:
		t.containers.ReplaceOrInsert(path)
	case kindTTL:
		t.ttls.ReplaceOrInsert(path)
	}
}

func (t *Tree) unindex(path string, n *node) {
	switch n.kind {
	case kindEphemeral:
		t.ephemerals.Delete(ephKey{owner: n.owner, path: path})
	case kindContainer:
		t.containers.Delete(path)
	case kindTTL:
		t.ttls.Delete(path)
	}
}

// intern returns the shared entry for an ACL list, creating it unreferenced
// if it is new; put acquires it.
func (t *Tree) intern(acl []ACL) *aclEntry {
	t.keyBuf = appendACLKey(t.keyBuf[:0], acl)
	if e, ok := t.acls[string(t.keyBuf)]; ok {
		return e
	}
	e := &aclEntry{list: append([]ACL(nil), acl...), key: string(t.keyBuf)}
	t.acls[e.key] = e
	return e
}

func (t *Tree) acquire(e *aclEntry) {
	e.refs++
}

func (t *Tree) release(e *aclEntry) {
	e.refs--
	if e.refs <= 0 {
		delete(t.acls, e.key)
	}
}

// forChildren calls f for each child of the znode at path, in name order,
// until f returns false.
func (t *Tree) forChildren(path string, f func(it item) bool) {
	t.nodes.AscendGreaterOrEqual(item{parent: path}, func(it item) bool {
		if it.parent != path {
			return false
		}
		return f(it)
	})
}

// readable looks up path and checks perm for a read.
func (t *Tree) readable(path string, perm Perm, a Auth) (*node, error) {
	n := t.lookup(path)
	if n == nil {
		return nil, ErrNoNode
	}
	if !t.opts.allowed(n.acl, perm, a) {
		return nil, ErrNoAuth
	}
	return n, nil
}

// Get returns a znode's data and Stat (ZooKeeper's getData). It needs READ.
// Null data (created with a nil slice) is returned as nil.
func (t *Tree) Get(path string, a Auth) ([]byte, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.readable(path, PermRead, a)
	if err != nil {
		return nil, Stat{}, err
	}
	return n.dataBytes(), n.stat(), nil
}

// Exists returns a znode's Stat, or ErrNoNode. Since ZooKeeper 3.8.4
// (ZOOKEEPER-2590) exists needs READ on an existing znode, and a path with
// a NUL character is ErrBadArguments rather than ErrNoNode.
func (t *Tree) Exists(path string, a Auth) (Stat, error) {
	if strings.IndexByte(path, 0) >= 0 {
		return Stat{}, ErrBadArguments
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.readable(path, PermRead, a)
	if err != nil {
		return Stat{}, err
	}
	return n.stat(), nil
}

// Children returns the names of a znode's children, sorted, and its Stat
// (ZooKeeper's getChildren2; getChildren is the same without the Stat). It
// needs READ.
func (t *Tree) Children(path string, a Auth) ([]string, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.readable(path, PermRead, a)
	if err != nil {
		return nil, Stat{}, err
	}
	names := make([]string, 0, n.numChildren)
	t.forChildren(path, func(it item) bool {
		names = append(names, it.name)
		return true
	})
	return names, n.stat(), nil
}

// GetACL returns a znode's ACL and Stat. As in ZooKeeper 3.8 it needs READ
// or ADMIN, and a caller without ADMIN sees digest ids with the hash
// replaced by "x".
func (t *Tree) GetACL(path string, a Auth) ([]ACL, Stat, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	n, err := t.readable(path, PermRead|PermAdmin, a)
	if err != nil {
		return nil, Stat{}, err
	}
	if !t.opts.allowed(n.acl, PermAdmin, a) {
		return maskACL(n.acl.list), n.stat(), nil
	}
	return append([]ACL(nil), n.acl.list...), n.stat(), nil
}

// AllChildrenNumber returns the number of a znode's descendants (not
// counting itself; ZooKeeper's getAllChildrenNumber). It needs READ.
func (t *Tree) AllChildrenNumber(path string, a Auth) (int, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if _, err := t.readable(path, PermRead, a); err != nil {
		return 0, err
	}
	if path == "/" {
		return t.nodes.Len(), nil
	}
	count := 0
	t.forChildren(path, func(item) bool { count++; return true })
	// Deeper descendants have parents starting with path+"/": one range,
	// ending before path+"0" ('0' follows '/').
	lo, hi := path+"/", path+"0"
	t.nodes.AscendRange(item{parent: lo}, item{parent: hi}, func(item) bool {
		count++
		return true
	})
	return count, nil
}

// Ephemerals returns the paths of a session's ephemeral znodes that start
// with prefix, sorted (ZooKeeper's getEphemerals: a blank prefix or "/"
// means all; the match is on the string, not on path components).
func (t *Tree) Ephemerals(session int64, prefix string) []string {
	if p := strings.TrimSpace(prefix); p == "" || p == "/" {
		prefix = ""
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []string
	t.ephemerals.AscendGreaterOrEqual(ephKey{owner: session, path: prefix}, func(k ephKey) bool {
		if k.owner != session || !strings.HasPrefix(k.path, prefix) {
			return false
		}
		out = append(out, k.path)
		return true
	})
	return out
}

// LastZxid returns the zxid of the last applied txn.
func (t *Tree) LastZxid() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.lastZxid
}

// Digest returns the tree's digest: equal on replicas that applied the same
// txns, and equal to ZooKeeper's digest of the same tree.
func (t *Tree) Digest() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.digest
}

// NodeCount returns the number of znodes, each counted once: 4 in a new
// tree. (ZooKeeper's zk_znode_count also counts the root's alias "", so it
// reads one more.)
func (t *Tree) NodeCount() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.nodes.Len() + 1
}

// Session reports whether session id is live and, if so, its timeout in
// milliseconds: Sessions for one id, without copying the table.
func (t *Tree) Session(id int64) (timeout int32, ok bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	e, ok := t.sessions.Get(sessionEntry{id: id})
	return e.timeout, ok
}

// Sessions returns the live sessions and their timeouts in milliseconds,
// for the session tracker to rebuild its table after a snapshot load.
func (t *Tree) Sessions() map[int64]int32 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[int64]int32, t.sessions.Len())
	t.sessions.Ascend(func(s sessionEntry) bool {
		out[s.id] = s.timeout
		return true
	})
	return out
}

// CleanupCandidates returns, sorted, up to max (all if max <= 0) znodes that
// ZooKeeper's ContainerManager would delete at time now (milliseconds): a
// container with no children that has had one (or, with
// Options.ContainerMaxNeverUsed, that has been unmodified that long), and a
// TTL znode with no children unmodified for longer than its TTL. The leader
// turns each into a DeleteContainerRequest, which re-checks it.
func (t *Tree) CleanupCandidates(now int64, max int) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	var out []string
	full := func() bool { return max > 0 && len(out) >= max }
	t.containers.Ascend(func(p string) bool {
		if n := t.lookup(p); n != nil && t.opts.expired(n, now) {
			out = append(out, p)
		}
		return !full()
	})
	if !full() {
		t.ttls.Ascend(func(p string) bool {
			if n := t.lookup(p); n != nil && t.opts.expired(n, now) {
				out = append(out, p)
			}
			return !full()
		})
	}
	sort.Strings(out)
	return out
}

// expired reports whether a container or TTL znode is due for deletion at
// now, by ContainerManager.getCandidates's rules.
func (o Options) expired(n *node, now int64) bool {
	if n.numChildren != 0 {
		return false
	}
	switch n.kind {
	case kindContainer:
		if n.cversion > 0 {
			return true
		}
		return o.ContainerMaxNeverUsed != 0 && now-n.mtime > o.ContainerMaxNeverUsed
	case kindTTL:
		ttl := ttlOf(n.owner)
		return ttl != 0 && now-n.mtime > ttl
	}
	return false
}
