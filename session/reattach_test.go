package session

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/znode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTree is a TreeView over a map of Stats.
type fakeTree map[string]znode.Stat

func (t fakeTree) Exists(path string) (znode.Stat, error) {
	st, ok := t[path]
	if !ok {
		// Wrapped, as a real tree may wrap it.
		return znode.Stat{}, fmt.Errorf("exists %s: %w", path, znode.ErrNoNode)
	}
	return st, nil
}

func stat(czxid, mzxid, pzxid int64) znode.Stat {
	return znode.Stat{Czxid: czxid, Mzxid: mzxid, Pzxid: pzxid}
}

func replayed(typ znode.EventType, path string) Delivery {
	return Delivery{Watcher: 1, Event: znode.Event{Type: typ, Path: path, Zxid: NoZxid}}
}

func TestReattach(t *testing.T) {
	// The client last saw zxid 100. In the tree now:
	//   /same     created 10, unchanged since          (mzxid 10, pzxid 10)
	//   /at       last changed at exactly 100          (mzxid 100, pzxid 100)
	//   /data     data changed at 150                  (mzxid 150, pzxid 10)
	//   /kids     a child created at 160               (mzxid 10, pzxid 160)
	//   /reborn   deleted and created again at 170     (czxid 170)
	//   /new      created at 180 (did not exist before)
	// and /gone was deleted at 120; /flash was created and deleted while the
	// client was away.
	tree := fakeTree{
		"/same":   stat(10, 10, 10),
		"/at":     stat(10, 100, 100),
		"/data":   stat(10, 150, 10),
		"/kids":   stat(10, 10, 160),
		"/reborn": stat(170, 170, 170),
		"/new":    stat(180, 180, 180),
	}
	tests := []struct {
		name string
		sw   SetWatches
		want []Delivery
		left []reg
	}{
		{"a data watch on an unchanged node is registered",
			SetWatches{Data: []string{"/same"}}, nil, []reg{{1, "/same", DataWatch}}},
		{"a change at exactly the client's zxid was seen: registered",
			SetWatches{Data: []string{"/at"}, Child: []string{"/at"}}, nil, []reg{{1, "/at", DataWatch | ChildWatch}}},
		{"a data watch on a changed node fires NodeDataChanged and is used up",
			SetWatches{Data: []string{"/data"}}, []Delivery{replayed(changed, "/data")}, nil},
		{"a data watch on a deleted node fires NodeDeleted",
			SetWatches{Data: []string{"/gone"}}, []Delivery{replayed(deleted, "/gone")}, nil},
		{"a data watch on a node deleted and created again fires NodeDataChanged",
			SetWatches{Data: []string{"/reborn"}}, []Delivery{replayed(changed, "/reborn")}, nil},
		{"a data watch ignores a change of children",
			SetWatches{Data: []string{"/kids"}}, nil, []reg{{1, "/kids", DataWatch}}},
		{"an exists watch on a node still missing is registered",
			SetWatches{Exist: []string{"/gone"}}, nil, []reg{{1, "/gone", DataWatch}}},
		{"an exists watch on a node that now exists fires NodeCreated",
			SetWatches{Exist: []string{"/new"}}, []Delivery{replayed(created, "/new")}, nil},
		{"a node created and deleted while away is missed, as ZooKeeper documents",
			SetWatches{Exist: []string{"/flash"}}, nil, []reg{{1, "/flash", DataWatch}}},
		{"a child watch on an unchanged node is registered",
			SetWatches{Child: []string{"/same"}}, nil, []reg{{1, "/same", ChildWatch}}},
		{"a child watch fires NodeChildrenChanged when pzxid is later",
			SetWatches{Child: []string{"/kids"}}, []Delivery{replayed(children, "/kids")}, nil},
		{"a child watch ignores a change of data",
			SetWatches{Child: []string{"/data"}}, nil, []reg{{1, "/data", ChildWatch}}},
		{"a child watch on a deleted node fires NodeDeleted",
			SetWatches{Child: []string{"/gone"}}, []Delivery{replayed(deleted, "/gone")}, nil},
		{"persistent and recursive watches are registered and replay nothing",
			SetWatches{Persistent: []string{"/data", "/gone"}, Recursive: []string{"/kids", "/"}}, nil,
			[]reg{{1, "/", RecursiveWatch}, {1, "/data", PersistentWatch}, {1, "/gone", PersistentWatch},
				{1, "/kids", RecursiveWatch}}},
		{"events come in ZooKeeper's order: data, exist, child lists, each in the client's order",
			SetWatches{
				Data:  []string{"/gone", "/same", "/data"},
				Exist: []string{"/new", "/flash", "/reborn"},
				Child: []string{"/kids", "/same", "/gone"},
			},
			[]Delivery{replayed(deleted, "/gone"), replayed(changed, "/data"),
				replayed(created, "/new"), replayed(created, "/reborn"),
				replayed(children, "/kids"), replayed(deleted, "/gone")},
			[]reg{{1, "/flash", DataWatch}, {1, "/same", DataWatch | ChildWatch}}},
		{"a client that saw nothing (zxid 0) gets every change",
			SetWatches{RelativeZxid: -100, Data: []string{"/same"}, Child: []string{"/same"}},
			[]Delivery{replayed(changed, "/same"), replayed(children, "/same")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewWatches()
			tt.sw.RelativeZxid += 100
			got, err := m.Reattach(1, tt.sw, tree)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.left, watchesLeft(m))
		})
	}
}

func TestReattachedWatchesFireLater(t *testing.T) {
	m := NewWatches()
	tree := fakeTree{"/a": stat(5, 5, 5)}
	got, err := m.Reattach(3, SetWatches{RelativeZxid: 5, Data: []string{"/a"}, Exist: []string{"/b"},
		Child: []string{"/a"}, Recursive: []string{"/r"}}, tree)
	require.NoError(t, err)
	require.Empty(t, got)

	assert.Equal(t, []Delivery{{3, ev(created, "/b", 6)}}, m.Trigger(ev(created, "/b", 6)))
	assert.Equal(t, []Delivery{{3, ev(children, "/a", 6)}}, m.Trigger(ev(children, "/a", 6)))
	assert.Equal(t, []Delivery{{3, ev(changed, "/a", 7)}}, m.Trigger(ev(changed, "/a", 7)))
	assert.Equal(t, []Delivery{{3, ev(created, "/r/x", 8)}}, m.Trigger(ev(created, "/r/x", 8)))
	assert.Equal(t, []reg{{3, "/r", RecursiveWatch}}, watchesLeft(m))
}

// brokenTree fails on one path with something other than NoNode.
type brokenTree struct {
	fakeTree
	bad string
}

var errDisk = errors.New("disk on fire")

func (t brokenTree) Exists(path string) (znode.Stat, error) {
	if path == t.bad {
		return znode.Stat{}, errDisk
	}
	return t.fakeTree.Exists(path)
}

func TestReattachFailsWholeOnTreeErrors(t *testing.T) {
	for _, bad := range []string{"/d", "/e", "/c"} {
		t.Run(bad, func(t *testing.T) {
			m := NewWatches()
			tree := brokenTree{fakeTree{"/d": stat(1, 9, 1), "/c": stat(1, 1, 1)}, bad}
			got, err := m.Reattach(1, SetWatches{RelativeZxid: 2,
				Data: []string{"/d", "/x"}, Exist: []string{"/e"}, Child: []string{"/c"},
				Persistent: []string{"/p"}}, tree)
			require.ErrorIs(t, err, errDisk)
			assert.Contains(t, err.Error(), bad)
			assert.Nil(t, got)
			assert.Equal(t, Summary{}, m.Summary(), "nothing registered")
		})
	}
}
