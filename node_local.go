package ensemble

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// Local serves reads, watch changes, setWatches and pings from this peer's
// own tree (wire.Backend), as one step no txn interleaves with. Reads here
// are ZooKeeper's: sequentially consistent, and after a sync linearizable.
func (n *Node) Local(ctx context.Context, c wire.Caller, ops []wire.LocalOp, res []wire.LocalResult) int64 {
	n.mu.RLock()
	defer n.mu.RUnlock()
	w := session.WatcherID(c.Session)
	for i, op := range ops {
		res[i] = n.local(c, w, op)
	}
	return n.tree.LastZxid()
}

// local serves one op; n.mu is held for reading.
func (n *Node) local(c wire.Caller, w session.WatcherID, op wire.LocalOp) wire.LocalResult {
	var r wire.LocalResult
	switch op.Op {
	case znode.OpExists:
		r.Stat, r.Err = n.tree.Exists(op.Path, c.Auth)
		// ZooKeeper sets an exists watch whether or not the node exists.
		if op.Watch && (r.Err == nil || znode.CodeOf(r.Err) == znode.ErrNoNode) {
			n.addWatch(w, op.Path, session.DataWatch)
		}
	case znode.OpGetData:
		r.Data, r.Stat, r.Err = n.tree.Get(op.Path, c.Auth)
		if op.Watch && r.Err == nil {
			n.addWatch(w, op.Path, session.DataWatch)
		}
	case znode.OpGetChildren, znode.OpGetChildren2:
		r.Children, r.Stat, r.Err = n.tree.Children(op.Path, c.Auth)
		if op.Watch && r.Err == nil {
			n.addWatch(w, op.Path, session.ChildWatch)
		}
	case znode.OpGetACL:
		r.ACL, r.Stat, r.Err = n.tree.GetACL(op.Path, c.Auth)
	case znode.OpGetAllChildrenNumber:
		var count int
		count, r.Err = n.tree.AllChildrenNumber(op.Path, c.Auth)
		r.Count = int32(count)
	case znode.OpGetEphemerals:
		r.Children = n.tree.Ephemerals(c.Session, op.Path)
	case znode.OpAddWatch:
		if r.Err = znode.ValidatePath(op.Path); r.Err == nil {
			n.watchMu.Lock()
			r.Err = n.watches.AddWatch(w, op.Path, session.AddWatchMode(op.Mode))
			n.watchMu.Unlock()
		}
	case znode.OpCheckWatches:
		n.watchMu.Lock()
		r.Err = n.watches.Check(w, op.Path, session.WatcherType(op.Mode))
		n.watchMu.Unlock()
	case znode.OpRemoveWatches:
		n.watchMu.Lock()
		r.Err = n.watches.Remove(w, op.Path, session.WatcherType(op.Mode))
		n.watchMu.Unlock()
	case znode.OpSetWatches, znode.OpSetWatches2:
		r.Err = n.setWatches(c, w, op.Watches)
	case znode.OpPing:
	default:
		r.Err = fmt.Errorf("ensemble: %v is not a local op: %w", op.Op, znode.ErrUnimplemented)
	}
	return r
}

// addWatch registers a read's watch.
func (n *Node) addWatch(w session.WatcherID, path string, k session.Kind) {
	n.watchMu.Lock()
	n.watches.Add(w, path, k)
	n.watchMu.Unlock()
}

// setWatches re-registers a reconnecting client's watches and delivers,
// at once, the events it missed while away.
func (n *Node) setWatches(c wire.Caller, w session.WatcherID, sw *jute.SetWatches2) error {
	if sw == nil {
		return znode.ErrBadArguments
	}
	n.watchMu.Lock()
	ds, err := n.watches.Reattach(w, session.SetWatches{
		RelativeZxid: sw.RelativeZxid,
		Data:         sw.DataWatches,
		Exist:        sw.ExistWatches,
		Child:        sw.ChildWatches,
		Persistent:   sw.PersistentWatches,
		Recursive:    sw.PersistentRecursiveWatches,
	}, treeView{n.tree})
	n.watchMu.Unlock()
	if err != nil {
		return err
	}
	if a := n.sessions[c.Session]; a != nil {
		for _, d := range ds {
			a.conn.Deliver(d.Event)
		}
	}
	return nil
}

// treeView lets the watch manager read Stats for setWatches. Watches are
// about existence and zxids, which ACLs do not hide in ZooKeeper either.
type treeView struct {
	t *znode.Tree
}

func (v treeView) Exists(path string) (znode.Stat, error) {
	return v.t.Exists(path, znode.Auth{Identities: []znode.Identity{{Scheme: "super"}}})
}

// Status reports the figures the four-letter words print (wire.Backend).
func (n *Node) Status(ctx context.Context, detail bool) wire.Status {
	n.mu.RLock()
	defer n.mu.RUnlock()
	st := wire.Status{
		Mode:      strings.ToLower(n.Role().modeName(len(n.cfg.Peers) == 0)),
		Zxid:      n.tree.LastZxid(),
		NodeCount: n.tree.NodeCount(),
	}
	st.Serving = n.Serving()
	n.watchMu.Lock()
	sum := n.watches.Summary()
	n.watchMu.Unlock()
	st.WatchCount = sum.Watches
	st.WatchSummary = wire.WatchSummary{Connections: sum.Watchers, Paths: sum.Paths, Watches: sum.Watches}
	if detail {
		n.watchMu.Lock()
		for _, wp := range n.watches.ByWatcher() {
			st.Watches = append(st.Watches, wire.SessionWatches{Session: int64(wp.Watcher), Paths: wp.Paths})
		}
		n.watchMu.Unlock()
	}
	st.Conf = n.confLines()
	st.DataDirSize, st.LogDirSize = dirSize(n.cfg.DataDir), dirSize(n.cfg.DataLogDir)
	sessions := n.tree.Sessions()
	st.Sessions = len(sessions)
	for id := range sessions {
		if eph := n.tree.Ephemerals(id, "/"); len(eph) > 0 {
			st.Ephemerals += len(eph)
			if detail {
				st.EphemeralsBySes = append(st.EphemeralsBySes, wire.SessionWatches{Session: id, Paths: eph})
			}
		}
	}
	slices.SortFunc(st.EphemeralsBySes, func(a, b wire.SessionWatches) int { return cmp.Compare(a.Session, b.Session) })
	st.ProposalSizes = [3]int64{-1, -1, -1}
	return st
}

// modeName is the mode srvr and mntr print.
func (r Role) modeName(standalone bool) string {
	switch {
	case standalone:
		return "standalone"
	case r == Leading:
		return "leader"
	case r == Following:
		return "follower"
	case r == Observing:
		return "observer"
	}
	return "looking"
}

// confLines is what the conf word prints.
func (n *Node) confLines() []wire.KeyValue {
	c := n.cfg
	secure := "-1"
	if c.SecureClientAddr != "" {
		secure = portOf(c.SecureClientAddr)
	}
	// ZooKeeper 3.8's keys, in its order.
	kv := []wire.KeyValue{
		{Key: "clientPort", Value: portOf(n.ClientAddr())},
		{Key: "secureClientPort", Value: secure},
		{Key: "dataDir", Value: c.DataDir},
		{Key: "dataDirSize", Value: fmt.Sprint(dirSize(c.DataDir))},
		{Key: "dataLogDir", Value: c.DataLogDir},
		{Key: "dataLogSize", Value: fmt.Sprint(dirSize(c.DataLogDir))},
		{Key: "tickTime", Value: fmt.Sprint(c.TickTime.Milliseconds())},
		{Key: "maxClientCnxns", Value: fmt.Sprint(max(c.MaxClientCnxns, 0))},
		{Key: "minSessionTimeout", Value: fmt.Sprint(c.MinSessionTimeout.Milliseconds())},
		{Key: "maxSessionTimeout", Value: fmt.Sprint(c.MaxSessionTimeout.Milliseconds())},
		{Key: "clientPortListenBacklog", Value: "-1"},
		{Key: "serverId", Value: fmt.Sprint(c.ID)},
	}
	if len(c.Peers) > 0 {
		kv = append(kv,
			wire.KeyValue{Key: "initLimit", Value: fmt.Sprint(c.InitLimit)},
			wire.KeyValue{Key: "syncLimit", Value: fmt.Sprint(c.SyncLimit)},
			wire.KeyValue{Key: "electionAlg", Value: "3"},
			wire.KeyValue{Key: "electionPort", Value: portOf(n.self().ElectionAddr)},
			wire.KeyValue{Key: "quorumPort", Value: portOf(n.self().QuorumAddr)},
			wire.KeyValue{Key: "peerType", Value: map[bool]string{false: "0", true: "1"}[n.self().Observer]},
		)
	}
	return kv
}

// dirSize is the bytes of the files below dir on the operating system's
// filesystem (0 when the Node's files live on another FS, as in tests).
func dirSize(dir string) int64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return total
}

// self returns this peer's entry in the configuration.
func (n *Node) self() Peer {
	for _, p := range n.cfg.Peers {
		if p.ID == n.id {
			return p
		}
	}
	return Peer{ID: n.id}
}

// portOf returns the port of host:port, or "" if there is none.
func portOf(addr string) string {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}
