package session

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ensemble-go/ensemble/znode"
)

// Watches is one server's watch manager: which watcher watches which path,
// how, and who gets each event. It does what ZooKeeper 3.9's pair of
// WatchManagers (data and child) inside DataTree do, as one table.
//
// Watches are not replicated: each server keeps the watches of its own
// clients, and a client moving to another server sends them again
// (Reattach). A Watches is not safe for concurrent use.
type Watches struct {
	byPath    map[string]map[WatcherID]Kind
	byWatcher map[WatcherID]map[string]struct{}

	recursive int // (watcher, path) pairs holding a RecursiveWatch
	pairs     int // (watcher, path) pairs holding any watch
	dataPairs int // pairs in ZooKeeper's data table
	kidPairs  int // pairs in ZooKeeper's child table
}

// Delivery is an event for one watcher.
type Delivery struct {
	Watcher WatcherID
	Event   znode.Event
}

// NewWatches returns an empty watch manager.
func NewWatches() *Watches {
	return &Watches{
		byPath:    make(map[string]map[WatcherID]Kind),
		byWatcher: make(map[WatcherID]map[string]struct{}),
	}
}

// Add gives watcher w a watch of kind k on path, as a read with watch=true
// (DataWatch, ChildWatch) or addWatch (PersistentWatch, RecursiveWatch)
// does, and reports whether w did not already hold it. Kinds combine: a
// one-shot and a persistent watch on one path are both kept, and the
// one-shot one is used up by the first event while the persistent one
// stays (ZooKeeper 3.9, ZOOKEEPER-4466; in 3.8 the last kind set replaced
// the others). k may hold several kinds; unknown bits are ignored.
//
// The path is not validated: the host validates client input.
func (m *Watches) Add(w WatcherID, path string, k Kind) bool {
	k &= allKinds
	old := m.byPath[path][w]
	if old&k == k {
		return false
	}
	m.set(w, path, old, old|k)
	return true
}

// AddWatch serves the addWatch request: a persistent or recursive watch,
// by ZooKeeper's mode number.
func (m *Watches) AddWatch(w WatcherID, path string, mode AddWatchMode) error {
	k, err := mode.Kind()
	if err != nil {
		return err
	}
	m.Add(w, path, k)
	return nil
}

// Watching returns the kinds of watch w holds on path.
func (m *Watches) Watching(w WatcherID, path string) Kind { return m.byPath[path][w] }

// set moves (w, path) from kinds old to new, keeping both indexes and the
// counters in step. Every change goes through here.
func (m *Watches) set(w WatcherID, path string, old, new Kind) {
	if old == new {
		return
	}
	ws := m.byPath[path]
	switch {
	case new == 0:
		delete(ws, w)
		if len(ws) == 0 {
			delete(m.byPath, path)
		}
		ps := m.byWatcher[w]
		delete(ps, path)
		if len(ps) == 0 {
			delete(m.byWatcher, w)
		}
		m.pairs--
	case old == 0:
		if ws == nil {
			ws = make(map[WatcherID]Kind, 1)
			m.byPath[path] = ws
		}
		ws[w] = new
		ps := m.byWatcher[w]
		if ps == nil {
			ps = make(map[string]struct{})
			m.byWatcher[w] = ps
		}
		ps[path] = struct{}{}
		m.pairs++
	default:
		ws[w] = new
	}
	m.recursive += delta(old, new, RecursiveWatch)
	m.dataPairs += delta(old, new, dataSide)
	m.kidPairs += delta(old, new, childSide)
}

// delta is +1 if new holds a kind of side and old none, -1 for the
// reverse, else 0.
func delta(old, new, side Kind) int {
	o, n := old&side != 0, new&side != 0
	switch {
	case n && !o:
		return 1
	case o && !n:
		return -1
	}
	return 0
}

// Trigger routes ev, an event a txn fired in the tree, to the watchers
// waiting for it, uses up the one-shot watches it fires, and returns the
// deliveries in increasing watcher order. It is AppendTrigger(nil, ev).
func (m *Watches) Trigger(ev znode.Event) []Delivery { return m.AppendTrigger(nil, ev) }

// AppendTrigger is Trigger appending to dst, so a host can reuse one
// buffer for every txn.
//
// The host calls it for every event of every applied txn, in zxid order and
// in the order the tree fired them (for a create, NodeCreated of the node
// then NodeChildrenChanged of its parent; for a delete, NodeDeleted then
// NodeChildrenChanged of the parent; for setData, NodeDataChanged), so each
// watcher receives its events in zxid order. The rules are ZooKeeper 3.9's
// (DataTree.createNode, deleteNode, setData over WatchManager.triggerWatch):
//
//   - NodeCreated and NodeDataChanged fire DataWatch, PersistentWatch and
//     RecursiveWatch on the path and RecursiveWatch on every ancestor.
//   - NodeDeleted fires all of those and ChildWatch on the path.
//   - NodeChildrenChanged fires ChildWatch and PersistentWatch on the path
//     only; recursive watches never get it.
//   - A fired DataWatch or ChildWatch is removed, persistent and recursive
//     ones stay. NodeDeleted uses up both one-shot kinds.
//   - A watcher gets at most one delivery per event however many of its
//     watches match.
//   - Other event types fire nothing.
//
// Trigger does not check ACLs. ZooKeeper (3.8.4 and 3.9.2 on, for
// CVE-2024-23944) drops at delivery an event on a node the watcher may not
// READ, after the watch is used up; the host does that check with the ACL
// of the node the event names.
func (m *Watches) AppendTrigger(dst []Delivery, ev znode.Event) []Delivery {
	var fire, consume Kind
	ancestors := false
	switch ev.Type {
	case znode.EventNodeCreated, znode.EventNodeDataChanged:
		fire, consume, ancestors = dataSide, DataWatch, true
	case znode.EventNodeDeleted:
		fire, consume, ancestors = allKinds, DataWatch|ChildWatch, true
	case znode.EventNodeChildrenChanged:
		fire, consume = childSide, ChildWatch
	default:
		return dst
	}
	if ev.Path == "" {
		// Not a path; ZooKeeper's PathParentIterator yields nothing for it.
		return dst
	}
	start := len(dst)
	for w, k := range m.byPath[ev.Path] {
		if k&fire == 0 {
			continue
		}
		dst = append(dst, Delivery{Watcher: w, Event: ev})
		// Deleting the current entry of a map being ranged over is allowed.
		m.set(w, ev.Path, k, k&^consume)
	}
	dupes := false
	if ancestors && m.recursive > 0 {
		for p := parent(ev.Path); p != ""; p = parent(p) {
			for w, k := range m.byPath[p] {
				if k&RecursiveWatch != 0 {
					dst = append(dst, Delivery{Watcher: w, Event: ev})
					dupes = true
				}
			}
		}
	}
	out := dst[start:]
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b Delivery) int { return cmp.Compare(a.Watcher, b.Watcher) })
		if dupes {
			out = slices.CompactFunc(out, func(a, b Delivery) bool { return a.Watcher == b.Watcher })
			dst = dst[:start+len(out)]
		}
	}
	return dst
}

// parent returns the parent of path, "/" for a top-level node and "" for
// "/" (ZooKeeper's PathParentIterator). It terminates on any string.
func parent(path string) string {
	i := strings.LastIndexByte(path, '/')
	switch {
	case i < 0 || path == "/":
		return ""
	case i == 0:
		return "/"
	}
	return path[:i]
}

// Check serves checkWatches: nil if w holds a watch of type t on path,
// else an error matching znode.ErrNoWatcher (or ErrInvalidWatcherType).
// Nothing changes.
func (m *Watches) Check(w WatcherID, path string, t WatcherType) error {
	sel, err := t.Kinds()
	if err != nil {
		return err
	}
	if m.byPath[path][w]&sel == 0 {
		return errNoWatcher(path, t)
	}
	return nil
}

// Remove serves removeWatches: it removes w's watches of type t on path,
// or fails with an error matching znode.ErrNoWatcher if there are none
// (or ErrInvalidWatcherType). Removing Children or Data leaves a persistent
// watch in place (ZooKeeper 3.9, ZOOKEEPER-4471 and 4472).
func (m *Watches) Remove(w WatcherID, path string, t WatcherType) error {
	sel, err := t.Kinds()
	if err != nil {
		return err
	}
	old := m.byPath[path][w]
	if old&sel == 0 {
		return errNoWatcher(path, t)
	}
	m.set(w, path, old, old&^sel)
	return nil
}

// RemoveAll removes every watch of w, when its session closes or its
// connection goes, and returns the number of paths it watched.
func (m *Watches) RemoveAll(w WatcherID) int {
	ps := m.byWatcher[w]
	n := len(ps)
	for path := range ps {
		m.set(w, path, m.byPath[path][w], 0)
	}
	return n
}
