package session

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ensemble-go/ensemble/znode"
	"github.com/stretchr/testify/require"
)

// This file is a model of ZooKeeper 3.9's watch handling as its sources
// describe it: two tables (data watches and child watches), each mapping
// path → watchers and watcher → path → a set of modes (WatchManager with
// WatchStats), the DataTree routing events to them (createNode, deleteNode
// with suppression, setData), addWatch putting persistent watches in both
// tables and recursive ones in the data table only, and containsWatcher /
// removeWatch by WatcherType. Watches, which keeps one table, must agree
// with it on every delivery, every check and every removal.

const (
	zkStandard  = 1
	zkPersist   = 2
	zkRecursive = 4
	zkAnyMode   = 0 // ZooKeeper passes a null mode for "any"
)

type zkManager struct {
	table        map[string]map[WatcherID]bool
	w2p          map[WatcherID]map[string]int
	recursiveQty int
}

func newZKManager() *zkManager {
	return &zkManager{table: map[string]map[WatcherID]bool{}, w2p: map[WatcherID]map[string]int{}}
}

func (z *zkManager) add(path string, w WatcherID, mode int) bool {
	if z.table[path] == nil {
		z.table[path] = map[WatcherID]bool{}
	}
	z.table[path][w] = true
	if z.w2p[w] == nil {
		z.w2p[w] = map[string]int{}
	}
	stats := z.w2p[w][path]
	if stats|mode == stats {
		return false
	}
	z.w2p[w][path] = stats | mode
	if mode == zkRecursive {
		z.recursiveQty++
	}
	return true
}

// trigger returns the watchers the event reaches, before suppression.
func (z *zkManager) trigger(path string) map[WatcherID]bool {
	out := map[WatcherID]bool{}
	level := 0
	for p := path; p != ""; p, level = parent(p), level+1 {
		if level > 0 && z.recursiveQty == 0 {
			break
		}
		for w := range z.table[p] {
			stats := z.w2p[w][p]
			if level == 0 {
				out[w] = true
				if stats &^= zkStandard; stats == 0 {
					delete(z.table[p], w)
					delete(z.w2p[w], p)
				} else {
					z.w2p[w][p] = stats
				}
			} else if stats&zkRecursive != 0 {
				out[w] = true
			}
		}
		if len(z.table[p]) == 0 {
			delete(z.table, p)
		}
	}
	return out
}

func (z *zkManager) contains(path string, w WatcherID, mode int) bool {
	stats, ok := z.w2p[w][path]
	return ok && (mode == zkAnyMode || stats&mode != 0)
}

func (z *zkManager) remove(path string, w WatcherID, mode int) bool {
	paths, watchers := z.w2p[w], z.table[path]
	if paths == nil || watchers == nil {
		return false
	}
	old, ok := paths[path]
	if !ok {
		return false
	}
	next := 0
	if mode != zkAnyMode {
		next = old &^ mode
	}
	if next == old {
		return false
	}
	if next == 0 {
		delete(paths, path)
		if len(paths) == 0 {
			delete(z.w2p, w)
		}
		delete(watchers, w)
		if len(watchers) == 0 {
			delete(z.table, path)
		}
	} else {
		paths[path] = next
	}
	if old&zkRecursive != 0 && next&zkRecursive == 0 {
		z.recursiveQty--
	}
	return true
}

func (z *zkManager) removeAll(w WatcherID) {
	for p, stats := range z.w2p[w] {
		delete(z.table[p], w)
		if len(z.table[p]) == 0 {
			delete(z.table, p)
		}
		if stats&zkRecursive != 0 {
			z.recursiveQty--
		}
	}
	delete(z.w2p, w)
}

func (z *zkManager) size() int {
	n := 0
	for _, ws := range z.table {
		n += len(ws)
	}
	return n
}

// zkTree is the DataTree's part: the two tables and how it uses them.
type zkTree struct{ data, child *zkManager }

func (t zkTree) fire(e znode.Event) []WatcherID {
	var got map[WatcherID]bool
	switch e.Type {
	case znode.EventNodeCreated, znode.EventNodeDataChanged:
		got = t.data.trigger(e.Path)
	case znode.EventNodeDeleted:
		got = t.data.trigger(e.Path)
		for w := range t.child.trigger(e.Path) { // delivered unless suppressed
			got[w] = true
		}
	case znode.EventNodeChildrenChanged:
		got = t.child.trigger(e.Path)
	}
	var out []WatcherID
	for w := range got {
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}

func (t zkTree) contains(path string, typ WatcherType, w WatcherID) bool {
	switch typ {
	case WatcherChildren:
		return t.child.contains(path, w, zkStandard)
	case WatcherData:
		return t.data.contains(path, w, zkStandard)
	case WatcherPersistent:
		return t.data.contains(path, w, zkPersist)
	case WatcherPersistentRecursive:
		return t.data.contains(path, w, zkRecursive)
	case WatcherAny:
		return t.child.contains(path, w, zkAnyMode) || t.data.contains(path, w, zkAnyMode)
	}
	return false
}

func (t zkTree) remove(path string, typ WatcherType, w WatcherID) bool {
	switch typ {
	case WatcherChildren:
		return t.child.remove(path, w, zkStandard)
	case WatcherData:
		return t.data.remove(path, w, zkStandard)
	case WatcherPersistent:
		c := t.child.remove(path, w, zkPersist)
		d := t.data.remove(path, w, zkPersist)
		return c || d
	case WatcherPersistentRecursive:
		return t.data.remove(path, w, zkRecursive)
	case WatcherAny:
		c := t.child.remove(path, w, zkAnyMode)
		d := t.data.remove(path, w, zkAnyMode)
		return c || d
	}
	return false
}

// kinds translates the model's state of (w, path) into Kinds.
func (t zkTree) kinds(w WatcherID, path string) Kind {
	d, c := t.data.w2p[w][path], t.child.w2p[w][path]
	var k Kind
	if d&zkStandard != 0 {
		k |= DataWatch
	}
	if c&zkStandard != 0 {
		k |= ChildWatch
	}
	if d&zkPersist != 0 || c&zkPersist != 0 {
		k |= PersistentWatch
	}
	if d&zkRecursive != 0 {
		k |= RecursiveWatch
	}
	return k
}

func TestWatchesMatchZooKeeperModel(t *testing.T) {
	paths := []string{"/", "/a", "/a/b", "/a/b/c", "/ab", "/b", "/b/a"}
	types := []znode.EventType{znode.EventNodeCreated, znode.EventNodeDeleted,
		znode.EventNodeDataChanged, znode.EventNodeChildrenChanged}
	deliveries := 0
	for seed := range uint64(40) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x3a7c4))
			m := NewWatches()
			zk := zkTree{newZKManager(), newZKManager()}
			for step := range 2000 {
				w := WatcherID(rng.IntN(4) + 1)
				path := paths[rng.IntN(len(paths))]
				switch r := rng.IntN(100); {
				case r < 15:
					zk.data.add(path, w, zkStandard) // getData, exists
					m.Add(w, path, DataWatch)
				case r < 25:
					zk.child.add(path, w, zkStandard) // getChildren
					m.Add(w, path, ChildWatch)
				case r < 30:
					zk.data.add(path, w, zkPersist) // addWatch mode 0
					zk.child.add(path, w, zkPersist)
					require.NoError(t, m.AddWatch(w, path, AddWatchPersistent))
				case r < 33:
					zk.data.add(path, w, zkRecursive) // addWatch mode 1
					require.NoError(t, m.AddWatch(w, path, AddWatchPersistentRecursive))
				case r < 75:
					e := znode.Event{Type: types[rng.IntN(len(types))], Path: path, Zxid: int64(step)}
					want := zk.fire(e)
					var got []WatcherID
					for _, d := range m.Trigger(e) {
						got = append(got, d.Watcher)
					}
					require.Equal(t, want, got, "step %d: %v %s", step, e.Type, e.Path)
					deliveries += len(got)
				case r < 85:
					typ := WatcherType(rng.IntN(5) + 1)
					require.Equal(t, zk.contains(path, typ, w), m.Check(w, path, typ) == nil,
						"step %d: check %d %s %s", step, w, path, typ)
				case r < 97:
					typ := WatcherType(rng.IntN(5) + 1)
					require.Equal(t, zk.remove(path, typ, w), m.Remove(w, path, typ) == nil,
						"step %d: remove %d %s %s", step, w, path, typ)
				default:
					zk.data.removeAll(w)
					zk.child.removeAll(w)
					m.RemoveAll(w)
				}
				require.Equal(t, zk.data.size()+zk.child.size(), m.Count(), "step %d: watch count", step)
				for _, p := range paths {
					for w := range WatcherID(5) {
						require.Equal(t, zk.data.w2p[w][p]&zkPersist != 0, zk.child.w2p[w][p]&zkPersist != 0,
							"step %d: ZooKeeper keeps a persistent watch in both tables", step)
						require.Equal(t, zk.kinds(w, p), m.Watching(w, p), "step %d: %d on %s", step, w, p)
					}
				}
			}
		})
	}
	require.Greater(t, deliveries, 1000, "the model run must deliver events")
}

// FuzzWatchesAgainstModel reads a sequence of watch operations from the
// input, on ordinary and malformed paths, and requires Watches to agree
// with the model and never panic.
func FuzzWatchesAgainstModel(f *testing.F) {
	f.Add([]byte{0, 1, 2, 6, 1, 2})
	f.Add([]byte{3, 1, 0, 4, 2, 5, 6, 1, 6, 9, 1, 3, 7, 2, 4})
	f.Add([]byte{2, 1, 3, 1, 2, 3, 6, 1, 3, 8, 1, 3, 10, 1, 3})
	paths := []string{"/", "/a", "/a/b", "/a/b/c", "/ab", "", "//", "/a/", "a", "a/b"}
	types := []znode.EventType{znode.EventNodeCreated, znode.EventNodeDeleted,
		znode.EventNodeDataChanged, znode.EventNodeChildrenChanged, znode.EventNone}
	f.Fuzz(func(t *testing.T, in []byte) {
		m := NewWatches()
		zk := zkTree{newZKManager(), newZKManager()}
		for i := 0; i+2 < len(in); i += 3 {
			w := WatcherID(in[i+1] % 4)
			path := paths[int(in[i+2])%len(paths)]
			arg := int(in[i+1] / 4)
			switch in[i] % 11 {
			case 0:
				zk.data.add(path, w, zkStandard)
				m.Add(w, path, DataWatch)
			case 1:
				zk.child.add(path, w, zkStandard)
				m.Add(w, path, ChildWatch)
			case 2:
				zk.data.add(path, w, zkPersist)
				zk.child.add(path, w, zkPersist)
				require.NoError(t, m.AddWatch(w, path, AddWatchPersistent))
			case 3:
				zk.data.add(path, w, zkRecursive)
				require.NoError(t, m.AddWatch(w, path, AddWatchPersistentRecursive))
			case 4, 5, 6:
				e := znode.Event{Type: types[arg%len(types)], Path: path}
				want := zk.fire(e)
				var got []WatcherID
				for _, d := range m.Trigger(e) {
					got = append(got, d.Watcher)
				}
				require.Equal(t, want, got, "op %d: %v %q", i/3, e.Type, path)
			case 7:
				typ := WatcherType(arg % 7) // 0 and 6 are invalid
				err := m.Check(w, path, typ)
				if typ < 1 || typ > 5 {
					require.ErrorIs(t, err, ErrInvalidWatcherType)
				} else {
					require.Equal(t, zk.contains(path, typ, w), err == nil)
				}
			case 8, 9:
				typ := WatcherType(arg % 7)
				err := m.Remove(w, path, typ)
				if typ < 1 || typ > 5 {
					require.ErrorIs(t, err, ErrInvalidWatcherType)
				} else {
					require.Equal(t, zk.remove(path, typ, w), err == nil)
				}
			case 10:
				zk.data.removeAll(w)
				zk.child.removeAll(w)
				m.RemoveAll(w)
			}
			require.Equal(t, zk.data.size()+zk.child.size(), m.Count())
		}
		for _, p := range paths {
			for w := range WatcherID(4) {
				require.Equal(t, zk.kinds(w, p), m.Watching(w, p))
			}
		}
		s := m.Summary()
		n := 0
		for _, wp := range m.ByWatcher() {
			n += len(wp.Paths)
		}
		require.Equal(t, s.Watches, n)
		require.Equal(t, s.Paths, len(m.ByPath()))
	})
}
