package session

import (
	"errors"
	"fmt"

	"github.com/ensemble-go/ensemble/znode"
)

// NoZxid is the zxid of an event whose txn is unknown: ZooKeeper's
// WatchedEvent.NO_ZXID, carried by the events Reattach replays.
const NoZxid int64 = -1

// TreeView is what Reattach needs from the data tree: the Stat of a node,
// or an error matching znode.ErrNoNode if there is none.
type TreeView interface {
	Exists(path string) (znode.Stat, error)
}

// SetWatches is a reconnecting client's watches: the body of ZooKeeper's
// setWatches (opcode 101) or setWatches2 (105, which adds the persistent
// lists).
type SetWatches struct {
	// RelativeZxid is the last zxid the client saw.
	RelativeZxid int64
	// Data holds the paths of data watches (getData, and exists on a node
	// that existed).
	Data []string
	// Exist holds the paths of exists watches on nodes that did not exist.
	Exist []string
	// Child holds the paths of child watches.
	Child []string
	// Persistent and Recursive hold addWatch's watches.
	Persistent []string
	Recursive  []string
}

// Reattach serves setWatches and setWatches2: it registers the watches of
// a client that reconnected, and fires at once the ones whose event it
// missed while away, exactly as ZooKeeper 3.8 and 3.9's DataTree.setWatches
// decides:
//
//   - a data watch fires NodeDeleted if the node is gone, NodeDataChanged
//     if its mzxid is after RelativeZxid, else it is registered;
//   - an exists watch fires NodeCreated if the node exists, else it is
//     registered (so a node created and deleted while the client was away
//     goes unnoticed, as ZooKeeper documents);
//   - a child watch fires NodeDeleted if the node is gone,
//     NodeChildrenChanged if its pzxid is after RelativeZxid, else it is
//     registered;
//   - persistent and recursive watches are registered and fire nothing:
//     ZooKeeper does not replay what they missed.
//
// Deliveries come in that order (data, exist, child lists, each in the
// client's order) and carry Zxid NoZxid. A fired one-shot watch is not
// registered, as it is used up. The host must have applied every txn up
// to RelativeZxid before calling (ZooKeeper refuses a client whose last
// zxid is ahead of the server).
//
// If tree fails with anything but ErrNoNode, Reattach returns that error
// and changes nothing.
func (m *Watches) Reattach(w WatcherID, sw SetWatches, tree TreeView) ([]Delivery, error) {
	type decision struct {
		path string
		fire znode.EventType // 0: register instead
		kind Kind
	}
	decisions := make([]decision, 0, len(sw.Data)+len(sw.Exist)+len(sw.Child))
	look := func(path string) (znode.Stat, bool, error) {
		st, err := tree.Exists(path)
		switch {
		case err == nil:
			return st, true, nil
		case errors.Is(err, znode.ErrNoNode):
			return znode.Stat{}, false, nil
		}
		return znode.Stat{}, false, fmt.Errorf("session: setWatches %s: %w", path, err)
	}
	for _, path := range sw.Data {
		st, ok, err := look(path)
		if err != nil {
			return nil, err
		}
		d := decision{path: path, kind: DataWatch}
		switch {
		case !ok:
			d.fire = znode.EventNodeDeleted
		case st.Mzxid > sw.RelativeZxid:
			d.fire = znode.EventNodeDataChanged
		}
		decisions = append(decisions, d)
	}
	for _, path := range sw.Exist {
		_, ok, err := look(path)
		if err != nil {
			return nil, err
		}
		d := decision{path: path, kind: DataWatch}
		if ok {
			d.fire = znode.EventNodeCreated
		}
		decisions = append(decisions, d)
	}
	for _, path := range sw.Child {
		st, ok, err := look(path)
		if err != nil {
			return nil, err
		}
		d := decision{path: path, kind: ChildWatch}
		switch {
		case !ok:
			d.fire = znode.EventNodeDeleted
		case st.Pzxid > sw.RelativeZxid:
			d.fire = znode.EventNodeChildrenChanged
		}
		decisions = append(decisions, d)
	}

	var out []Delivery
	for _, d := range decisions {
		if d.fire != 0 {
			out = append(out, Delivery{Watcher: w, Event: znode.Event{Type: d.fire, Path: d.path, Zxid: NoZxid}})
		} else {
			m.Add(w, d.path, d.kind)
		}
	}
	for _, path := range sw.Persistent {
		m.Add(w, path, PersistentWatch)
	}
	for _, path := range sw.Recursive {
		m.Add(w, path, RecursiveWatch)
	}
	return out, nil
}
