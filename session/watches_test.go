package session

import (
	"testing"

	"github.com/ensemble-go/ensemble/znode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reg is a watch to set before a scenario.
type reg struct {
	w    WatcherID
	path string
	kind Kind
}

// fired is an event and the watchers expected to receive it, in order.
type fired struct {
	ev   znode.Event
	want []WatcherID
}

func ev(typ znode.EventType, path string, zxid int64) znode.Event {
	return znode.Event{Type: typ, Path: path, Zxid: zxid}
}

var (
	created  = znode.EventNodeCreated
	deleted  = znode.EventNodeDeleted
	changed  = znode.EventNodeDataChanged
	children = znode.EventNodeChildrenChanged
)

func fire(typ znode.EventType, path string, want ...WatcherID) fired {
	return fired{ev: ev(typ, path, 0), want: want}
}

func TestTriggerRules(t *testing.T) {
	tests := []struct {
		name   string
		regs   []reg
		events []fired
		left   []reg // every watch still set afterwards
	}{
		// One-shot data and exists watches (getData, exists).
		{"a data watch fires on NodeDataChanged, once",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(changed, "/a", 1), fire(changed, "/a")}, nil},
		{"a data watch fires on NodeDeleted",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(deleted, "/a", 1), fire(created, "/a")}, nil},
		{"an exists watch on a missing node fires on NodeCreated",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(created, "/a", 1), fire(deleted, "/a")}, nil},
		{"a data watch ignores NodeChildrenChanged of its node",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(children, "/a")}, []reg{{1, "/a", DataWatch}}},
		{"a data watch ignores its node's children and its parent",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(changed, "/a/b"), fire(created, "/a/b"), fire(deleted, "/a/b"), fire(changed, "/")},
			[]reg{{1, "/a", DataWatch}}},

		// One-shot child watches (getChildren).
		{"a child watch fires on NodeChildrenChanged, once",
			[]reg{{1, "/a", ChildWatch}},
			[]fired{fire(children, "/a", 1), fire(children, "/a")}, nil},
		{"a child watch fires on NodeDeleted of its node",
			[]reg{{1, "/a", ChildWatch}},
			[]fired{fire(deleted, "/a", 1), fire(children, "/a")}, nil},
		{"a child watch ignores NodeDataChanged and NodeCreated",
			[]reg{{1, "/a", ChildWatch}},
			[]fired{fire(changed, "/a"), fire(created, "/a")}, []reg{{1, "/a", ChildWatch}}},
		{"a child watch on the root sees top-level nodes come and go",
			[]reg{{1, "/", ChildWatch}},
			[]fired{fire(created, "/a"), fire(children, "/", 1)}, nil},

		// Persistent watches (addWatch mode 0).
		{"a persistent watch fires on every event of its node and stays",
			[]reg{{1, "/a", PersistentWatch}},
			[]fired{fire(created, "/a", 1), fire(changed, "/a", 1), fire(children, "/a", 1),
				fire(changed, "/a", 1), fire(deleted, "/a", 1)},
			[]reg{{1, "/a", PersistentWatch}}},
		{"a persistent watch ignores events below its node",
			[]reg{{1, "/a", PersistentWatch}},
			[]fired{fire(created, "/a/b"), fire(changed, "/a/b"), fire(deleted, "/a/b"), fire(children, "/a/b")},
			[]reg{{1, "/a", PersistentWatch}}},

		// Persistent recursive watches (addWatch mode 1).
		{"a recursive watch fires for its node and every node below, and stays",
			[]reg{{1, "/a", RecursiveWatch}},
			[]fired{fire(created, "/a", 1), fire(created, "/a/b", 1), fire(changed, "/a/b/c/d", 1),
				fire(deleted, "/a/b", 1), fire(changed, "/a", 1), fire(deleted, "/a", 1)},
			[]reg{{1, "/a", RecursiveWatch}}},
		{"a recursive watch never gets NodeChildrenChanged (ZOOKEEPER-4475)",
			[]reg{{1, "/a", RecursiveWatch}},
			[]fired{fire(children, "/a"), fire(children, "/a/b")}, []reg{{1, "/a", RecursiveWatch}}},
		{"a recursive watch ignores siblings that share a prefix",
			[]reg{{1, "/a", RecursiveWatch}},
			[]fired{fire(created, "/ab"), fire(changed, "/"), fire(deleted, "/b/a")}, []reg{{1, "/a", RecursiveWatch}}},
		{"a recursive watch on the root sees every node",
			[]reg{{1, "/", RecursiveWatch}},
			[]fired{fire(created, "/x", 1), fire(changed, "/", 1), fire(deleted, "/zookeeper/config", 1)},
			[]reg{{1, "/", RecursiveWatch}}},

		// At most one delivery per watcher per event.
		{"data and child watch on one node: one NodeDeleted, both used up",
			[]reg{{1, "/a", DataWatch}, {1, "/a", ChildWatch}},
			[]fired{fire(deleted, "/a", 1)}, nil},
		{"data and persistent watch on one node: one event, the data watch used up (ZOOKEEPER-4466)",
			[]reg{{1, "/a", DataWatch}, {1, "/a", PersistentWatch}},
			[]fired{fire(changed, "/a", 1)}, []reg{{1, "/a", PersistentWatch}}},
		{"child and persistent watch on one node: one event, the child watch used up",
			[]reg{{1, "/a", ChildWatch}, {1, "/a", PersistentWatch}},
			[]fired{fire(children, "/a", 1)}, []reg{{1, "/a", PersistentWatch}}},
		{"every kind on one node: NodeDeleted gives one event, uses up both one-shots",
			[]reg{{1, "/a", DataWatch}, {1, "/a", ChildWatch}, {1, "/a", PersistentWatch}, {1, "/a", RecursiveWatch}},
			[]fired{fire(deleted, "/a", 1)}, []reg{{1, "/a", PersistentWatch | RecursiveWatch}}},
		{"recursive watches at several ancestors and a data watch: one event",
			[]reg{{1, "/", RecursiveWatch}, {1, "/a", RecursiveWatch}, {1, "/a/b", DataWatch}},
			[]fired{fire(changed, "/a/b", 1), fire(changed, "/a/b", 1)},
			[]reg{{1, "/", RecursiveWatch}, {1, "/a", RecursiveWatch}}},
		{"a recursive watch on the parent and a one-shot on the node: the one-shot is still used",
			[]reg{{1, "/a", RecursiveWatch}, {1, "/a/b", DataWatch}},
			[]fired{fire(changed, "/a/b", 1)}, []reg{{1, "/a", RecursiveWatch}}},

		// Several watchers.
		{"each watcher gets the event once, in increasing watcher order",
			[]reg{{30, "/a", DataWatch}, {-2, "/a", PersistentWatch}, {7, "/", RecursiveWatch}, {7, "/a", DataWatch},
				{5, "/a", ChildWatch}, {9, "/b", DataWatch}},
			[]fired{fire(changed, "/a", -2, 7, 30)},
			[]reg{{7, "/", RecursiveWatch}, {-2, "/a", PersistentWatch}, {5, "/a", ChildWatch}, {9, "/b", DataWatch}}},
		{"a create: NodeCreated to the node's watchers, NodeChildrenChanged to the parent's",
			[]reg{{1, "/a/b", DataWatch}, {2, "/a", ChildWatch}, {3, "/a", DataWatch}, {4, "/a", RecursiveWatch}},
			[]fired{fire(created, "/a/b", 1, 4), fire(children, "/a", 2)},
			[]reg{{3, "/a", DataWatch}, {4, "/a", RecursiveWatch}}},
		{"a delete: NodeDeleted to the node's watchers, NodeChildrenChanged to the parent's",
			[]reg{{1, "/a/b", DataWatch}, {2, "/a/b", ChildWatch}, {3, "/a", ChildWatch}, {4, "/a", PersistentWatch}},
			[]fired{fire(deleted, "/a/b", 1, 2), fire(children, "/a", 3, 4)},
			[]reg{{4, "/a", PersistentWatch}}},

		// Events no watch waits for.
		{"None and the watch-removed types fire nothing and use nothing up",
			[]reg{{1, "/a", DataWatch | ChildWatch | PersistentWatch}, {2, "/", RecursiveWatch}},
			[]fired{fire(znode.EventNone, "/a"), fire(znode.EventDataWatchRemoved, "/a"),
				fire(znode.EventChildWatchRemoved, "/a"), fire(znode.EventPersistentWatchRemoved, "/a"), fire(0, "/a")},
			[]reg{{2, "/", RecursiveWatch}, {1, "/a", DataWatch | ChildWatch | PersistentWatch}}},
		{"an event on a path nobody watches",
			[]reg{{1, "/a", DataWatch}},
			[]fired{fire(changed, "/b"), fire(changed, "")}, []reg{{1, "/a", DataWatch}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewWatches()
			for _, r := range tt.regs {
				m.Add(r.w, r.path, r.kind)
			}
			for i, f := range tt.events {
				var got []WatcherID
				for _, d := range m.Trigger(f.ev) {
					assert.Equal(t, f.ev, d.Event, "a delivery carries the event as fired")
					got = append(got, d.Watcher)
				}
				assert.Equal(t, f.want, got, "event %d: %v %s", i, f.ev.Type, f.ev.Path)
			}
			assert.Equal(t, tt.left, watchesLeft(m))
		})
	}
}

// watchesLeft lists every watch of m, by path then watcher.
func watchesLeft(m *Watches) []reg {
	var out []reg
	for _, pw := range m.ByPath() {
		for _, w := range pw.Watchers {
			out = append(out, reg{w, pw.Path, m.Watching(w, pw.Path)})
		}
	}
	return out
}

func TestTriggerKeepsZxidOrder(t *testing.T) {
	m := NewWatches()
	m.Add(1, "/app", RecursiveWatch)
	m.Add(1, "/app", ChildWatch)
	m.Add(2, "/app", PersistentWatch)
	// The events of four txns, as the tree fires them.
	txns := []znode.Event{
		ev(created, "/app/x", 10), ev(children, "/app", 10),
		ev(changed, "/app/x", 11),
		ev(deleted, "/app/x", 12), ev(children, "/app", 12),
		ev(changed, "/app", 13),
	}
	var got []Delivery
	for _, e := range txns {
		got = m.AppendTrigger(got, e)
	}
	want := []Delivery{
		{1, ev(created, "/app/x", 10)},
		{1, ev(children, "/app", 10)}, {2, ev(children, "/app", 10)},
		{1, ev(changed, "/app/x", 11)},
		{1, ev(deleted, "/app/x", 12)},
		{2, ev(children, "/app", 12)}, // 1's child watch was used up at zxid 10
		{1, ev(changed, "/app", 13)}, {2, ev(changed, "/app", 13)},
	}
	assert.Equal(t, want, got)
	for i := 1; i < len(got); i++ {
		assert.LessOrEqual(t, got[i-1].Event.Zxid, got[i].Event.Zxid)
	}
}

func TestAppendTriggerAppends(t *testing.T) {
	m := NewWatches()
	m.Add(2, "/a", DataWatch)
	m.Add(1, "/", RecursiveWatch)
	prefix := []Delivery{{Watcher: 99, Event: ev(changed, "/z", 1)}}
	got := m.AppendTrigger(prefix, ev(changed, "/a", 2))
	assert.Equal(t, []Delivery{prefix[0], {1, ev(changed, "/a", 2)}, {2, ev(changed, "/a", 2)}}, got,
		"what was in dst stays first and is not sorted with the rest")
}

func TestAddReportsNewWatches(t *testing.T) {
	m := NewWatches()
	assert.True(t, m.Add(1, "/a", DataWatch))
	assert.False(t, m.Add(1, "/a", DataWatch), "already set")
	assert.True(t, m.Add(1, "/a", PersistentWatch), "a new kind on the same path")
	assert.True(t, m.Add(1, "/a", ChildWatch|PersistentWatch), "partly new")
	assert.False(t, m.Add(1, "/a", DataWatch|ChildWatch))
	assert.True(t, m.Add(2, "/a", DataWatch), "another watcher")
	assert.False(t, m.Add(3, "/a", 0), "no kind")
	assert.False(t, m.Add(3, "/a", 0x80), "unknown kinds are ignored")
	assert.Equal(t, Kind(0), m.Watching(3, "/a"))
	assert.Equal(t, DataWatch|ChildWatch|PersistentWatch, m.Watching(1, "/a"))
}

func TestAddWatchModes(t *testing.T) {
	tests := []struct {
		mode AddWatchMode
		want Kind
		err  error
	}{
		{AddWatchPersistent, PersistentWatch, nil},
		{AddWatchPersistentRecursive, RecursiveWatch, nil},
		{2, 0, ErrInvalidWatchMode},
		{-1, 0, ErrInvalidWatchMode},
	}
	for _, tt := range tests {
		m := NewWatches()
		err := m.AddWatch(1, "/a", tt.mode)
		assert.Equal(t, tt.want, m.Watching(1, "/a"), "mode %d", tt.mode)
		if tt.err == nil {
			assert.NoError(t, err)
			continue
		}
		assert.ErrorIs(t, err, tt.err)
		assert.ErrorIs(t, err, znode.ErrMarshallingError, "ZooKeeper answers MARSHALLINGERROR")
		assert.Equal(t, znode.ErrMarshallingError, znode.CodeOf(err))
	}
}

func TestRemoveAndCheckWatches(t *testing.T) {
	const all = DataWatch | ChildWatch | PersistentWatch | RecursiveWatch
	tests := []struct {
		name  string
		have  Kind // w1's watches on /a before
		typ   WatcherType
		err   error // nil: found
		after Kind  // w1's watches on /a after Remove
	}{
		{"Data removes the data watch", DataWatch, WatcherData, nil, 0},
		{"Data leaves the persistent watch (ZOOKEEPER-4472)", DataWatch | PersistentWatch, WatcherData, nil, PersistentWatch},
		{"Data finds nothing when only a persistent watch is set", PersistentWatch, WatcherData, znode.ErrNoWatcher, PersistentWatch},
		{"Data finds nothing when only a child watch is set", ChildWatch, WatcherData, znode.ErrNoWatcher, ChildWatch},
		{"Children removes the child watch", ChildWatch | DataWatch, WatcherChildren, nil, DataWatch},
		{"Children leaves the persistent watch firing child events (ZOOKEEPER-4471)", ChildWatch | PersistentWatch, WatcherChildren, nil, PersistentWatch},
		{"Children finds nothing when only a recursive watch is set", RecursiveWatch, WatcherChildren, znode.ErrNoWatcher, RecursiveWatch},
		{"Persistent removes only the persistent watch", PersistentWatch | DataWatch | RecursiveWatch, WatcherPersistent, nil, DataWatch | RecursiveWatch},
		{"Persistent finds nothing on a recursive watch", RecursiveWatch, WatcherPersistent, znode.ErrNoWatcher, RecursiveWatch},
		{"PersistentRecursive removes only the recursive watch", all, WatcherPersistentRecursive, nil, DataWatch | ChildWatch | PersistentWatch},
		{"PersistentRecursive finds nothing on a persistent watch", PersistentWatch, WatcherPersistentRecursive, znode.ErrNoWatcher, PersistentWatch},
		{"Any removes every kind", all, WatcherAny, nil, 0},
		{"Any removes a lone recursive watch", RecursiveWatch, WatcherAny, nil, 0},
		{"Any finds nothing where nothing is set", 0, WatcherAny, znode.ErrNoWatcher, 0},
		{"type 0 is invalid", DataWatch, 0, ErrInvalidWatcherType, DataWatch},
		{"type 6 is invalid", DataWatch, 6, ErrInvalidWatcherType, DataWatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewWatches()
			m.Add(1, "/a", tt.have)
			m.Add(2, "/a", all) // another watcher's watches are never touched
			m.Add(1, "/b", all) // nor another path's

			check := func(err error) {
				t.Helper()
				if tt.err == nil {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, tt.err)
				if tt.err == ErrInvalidWatcherType {
					assert.Equal(t, znode.ErrMarshallingError, znode.CodeOf(err))
				} else {
					assert.Equal(t, znode.ErrNoWatcher, znode.CodeOf(err))
				}
			}
			check(m.Check(1, "/a", tt.typ))
			assert.Equal(t, tt.have, m.Watching(1, "/a"), "Check changes nothing")
			check(m.Remove(1, "/a", tt.typ))
			assert.Equal(t, tt.after, m.Watching(1, "/a"))
			assert.Equal(t, all, m.Watching(2, "/a"))
			assert.Equal(t, all, m.Watching(1, "/b"))
		})
	}
}

func TestRemoveNamesPathAndType(t *testing.T) {
	m := NewWatches()
	err := m.Remove(1, "/nowhere", WatcherPersistentRecursive)
	require.ErrorIs(t, err, znode.ErrNoWatcher)
	assert.Contains(t, err.Error(), "/nowhere (type: PersistentRecursive)")
	assert.ErrorIs(t, m.Check(1, "/a", WatcherAny), znode.ErrNoWatcher, "unknown watcher")
}

func TestRemovedWatchesNoLongerFire(t *testing.T) {
	m := NewWatches()
	m.Add(1, "/a", RecursiveWatch)
	m.Add(1, "/a/b", ChildWatch|PersistentWatch)
	require.NoError(t, m.Remove(1, "/a", WatcherPersistentRecursive))
	assert.Empty(t, m.Trigger(ev(changed, "/a/b/c", 1)), "the recursive watch is gone")
	require.NoError(t, m.Remove(1, "/a/b", WatcherChildren))
	assert.Len(t, m.Trigger(ev(children, "/a/b", 2)), 1, "the persistent watch still sees child events")
	require.NoError(t, m.Remove(1, "/a/b", WatcherAny))
	assert.Empty(t, m.Trigger(ev(children, "/a/b", 3)))
	assert.Equal(t, Summary{}, m.Summary())
}

func TestRemoveAll(t *testing.T) {
	m := NewWatches()
	m.Add(1, "/a", DataWatch|PersistentWatch)
	m.Add(1, "/b", ChildWatch)
	m.Add(1, "/", RecursiveWatch)
	m.Add(2, "/a", DataWatch)

	assert.Equal(t, 3, m.RemoveAll(1))
	assert.Equal(t, 0, m.RemoveAll(1), "nothing left")
	assert.Equal(t, 0, m.RemoveAll(42), "unknown watcher")
	assert.Equal(t, []reg{{2, "/a", DataWatch}}, watchesLeft(m))
	assert.Equal(t, Summary{Watchers: 1, Paths: 1, Watches: 1}, m.Summary())
	assert.Empty(t, m.Trigger(ev(changed, "/a/x", 0)), "the recursive watch on / is gone")
	assert.Equal(t, 1, m.Count())
}

func TestKindAndTypeNames(t *testing.T) {
	assert.Equal(t, "none", Kind(0).String())
	assert.Equal(t, "data|persistent", (DataWatch | PersistentWatch).String())
	assert.Equal(t, "child|recursive|0x80", (ChildWatch | RecursiveWatch | 0x80).String())
	assert.True(t, (DataWatch | ChildWatch).Has(ChildWatch))
	assert.False(t, DataWatch.Has(DataWatch|ChildWatch))
	assert.False(t, DataWatch.Has(0))
	assert.Equal(t, "Children", WatcherChildren.String())
	assert.Equal(t, "Data", WatcherData.String())
	assert.Equal(t, "Any", WatcherAny.String())
	assert.Equal(t, "Persistent", WatcherPersistent.String())
	assert.Equal(t, "PersistentRecursive", WatcherPersistentRecursive.String())
	assert.Equal(t, "WatcherType(9)", WatcherType(9).String())
}

func TestParent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a/b/c", "/a/b"},
		{"/a", "/"},
		{"/", ""},
		{"", ""},
		{"a", ""},
		{"a/b", "a"},
		{"//", "/"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parent(tt.in), "parent(%q)", tt.in)
	}
}
