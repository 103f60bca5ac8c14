package session

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ensemble-go/ensemble/znode"
)

// WatcherID names who is watching: chosen by the host, normally the id of
// the session whose connection set the watch. Watches live on the server
// the client is connected to, so a WatcherID is only meaningful there.
type WatcherID int64

// Kind is a set of watch kinds a watcher holds on one path.
//
// ZooKeeper keeps two watch tables, data watches and child watches, and
// three modes, standard (one-shot), persistent and persistent-recursive
// (WatchManager with WatchStats, DataTree.addWatch). The four kinds below
// are the combinations that exist: a persistent watch sits in both tables,
// a recursive one only in the data table.
type Kind uint8

// Watch kinds.
const (
	// DataWatch is the one-shot watch that getData and exists set. An
	// exists watch on a node that does not exist yet is a DataWatch too:
	// ZooKeeper keeps them in one table. It fires on NodeCreated,
	// NodeDataChanged and NodeDeleted of its path.
	DataWatch Kind = 1 << iota
	// ChildWatch is the one-shot watch that getChildren sets. It fires on
	// NodeChildrenChanged and NodeDeleted of its path.
	ChildWatch
	// PersistentWatch (addWatch mode 0) fires on every event of its path,
	// NodeChildrenChanged included, and stays.
	PersistentWatch
	// RecursiveWatch (addWatch mode 1) fires on NodeCreated,
	// NodeDataChanged and NodeDeleted of its path and of every path below
	// it, never on NodeChildrenChanged, and stays.
	RecursiveWatch

	allKinds = DataWatch | ChildWatch | PersistentWatch | RecursiveWatch
)

// Has reports whether k holds every kind in o.
func (k Kind) Has(o Kind) bool { return k&o == o && o != 0 }

// String lists the kinds in k, as "data|persistent".
func (k Kind) String() string {
	if k == 0 {
		return "none"
	}
	var parts []string
	for _, x := range []struct {
		k    Kind
		name string
	}{{DataWatch, "data"}, {ChildWatch, "child"}, {PersistentWatch, "persistent"}, {RecursiveWatch, "recursive"}} {
		if k&x.k != 0 {
			parts = append(parts, x.name)
		}
	}
	if rest := k &^ allKinds; rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(parts, "|")
}

// dataSide and childSide are the kinds ZooKeeper keeps in its data and its
// child watch table.
const (
	dataSide  = DataWatch | PersistentWatch | RecursiveWatch
	childSide = ChildWatch | PersistentWatch
)

// AddWatchMode is the mode of an addWatch request, with ZooKeeper's values
// (ZooDefs.AddWatchModes).
type AddWatchMode int32

// Modes of addWatch.
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

// ErrInvalidWatchMode is returned for an addWatch mode ZooKeeper does not
// define. It wraps znode.ErrMarshallingError, the code ZooKeeper answers
// with (WatcherMode.fromZooDef throws, FinalRequestProcessor maps it).
var ErrInvalidWatchMode = fmt.Errorf("session: invalid addWatch mode: %w", znode.ErrMarshallingError)

// Kind returns the watch kind that mode sets.
func (m AddWatchMode) Kind() (Kind, error) {
	switch m {
	case AddWatchPersistent:
		return PersistentWatch, nil
	case AddWatchPersistentRecursive:
		return RecursiveWatch, nil
	}
	return 0, fmt.Errorf("%w %d", ErrInvalidWatchMode, int32(m))
}

// WatcherType selects the watches a checkWatches or removeWatches request
// is about, with ZooKeeper's values (Watcher.WatcherType).
type WatcherType int32

// Watcher types.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

// ErrInvalidWatcherType is returned for a watcher type ZooKeeper does not
// define. It wraps znode.ErrMarshallingError, the code ZooKeeper answers
// with (WatcherType.fromInt throws, FinalRequestProcessor maps it).
var ErrInvalidWatcherType = fmt.Errorf("session: invalid watcher type: %w", znode.ErrMarshallingError)

// Kinds returns the watch kinds t selects, following ZooKeeper 3.9's
// DataTree.containsWatcher and removeWatch: Children and Data select only
// the one-shot watches, Persistent and PersistentRecursive only those, Any
// selects all.
func (t WatcherType) Kinds() (Kind, error) {
	switch t {
	case WatcherChildren:
		return ChildWatch, nil
	case WatcherData:
		return DataWatch, nil
	case WatcherAny:
		return allKinds, nil
	case WatcherPersistent:
		return PersistentWatch, nil
	case WatcherPersistentRecursive:
		return RecursiveWatch, nil
	}
	return 0, fmt.Errorf("%w %d", ErrInvalidWatcherType, int32(t))
}

// String returns ZooKeeper's name for t.
func (t WatcherType) String() string {
	switch t {
	case WatcherChildren:
		return "Children"
	case WatcherData:
		return "Data"
	case WatcherAny:
		return "Any"
	case WatcherPersistent:
		return "Persistent"
	case WatcherPersistentRecursive:
		return "PersistentRecursive"
	}
	return "WatcherType(" + strconv.Itoa(int(t)) + ")"
}

// errNoWatcher builds ZooKeeper's NoWatcherException message.
func errNoWatcher(path string, t WatcherType) error {
	return fmt.Errorf("%w: %s (type: %s)", znode.ErrNoWatcher, path, t)
}
