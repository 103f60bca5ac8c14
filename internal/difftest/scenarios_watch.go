package difftest

import (
	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// drainEvents records the events a raw client receives before the reply
// to a ping: every event fired before the ping arrived.
func drainEvents(e *Env, label string, r *wiretest.Client) {
	rep := e.Call(label, r, jute.XidPing, znode.OpPing, nil)
	if rep.Header.Err != znode.OK {
		e.Code(label+" ping", rep.Header.Err)
	}
}

var watchScenarios = []Scenario{
	{Name: "watch-data-one-shot", Run: func(e *Env) {
		c, w := e.ZK(), e.ZK()
		_, err := c.Create(e.P("/d"), []byte("0"), 0, open)
		e.Err("create", err)
		_, _, ch, err := c.GetW(e.P("/d"))
		e.Err("getW", err)
		_, err = w.Set(e.P("/d"), []byte("1"), -1)
		e.Err("set", err)
		e.Event("event", ch)
		_, err = w.Set(e.P("/d"), []byte("2"), -1)
		e.Err("set again", err)
		_, _, err = c.Get(e.P("/d"))
		e.Err("round trip", err)
		e.NoEvent("second event", ch)
	}},
	{Name: "watch-exists-missing-node", Run: func(e *Env) {
		c, w := e.ZK(), e.ZK()
		ok, _, ch, err := c.ExistsW(e.P("/later"))
		e.Err("existsW", err)
		e.Log("exists: %t", ok)
		_, err = w.Create(e.P("/later"), nil, 0, open)
		e.Err("create", err)
		e.Event("event", ch)
		ok, _, ch, err = c.ExistsW(e.P("/later"))
		e.Err("existsW on the node", err)
		e.Log("exists: %t", ok)
		e.Err("delete", w.Delete(e.P("/later"), -1))
		e.Event("event", ch)
	}},
	{Name: "watch-children", Run: func(e *Env) {
		c, w := e.ZK(), e.ZK()
		_, err := c.Create(e.P("/p"), nil, 0, open)
		e.Err("create", err)
		_, _, ch, err := c.ChildrenW(e.P("/p"))
		e.Err("childrenW", err)
		_, err = w.Set(e.P("/p"), []byte("data change does not fire a child watch"), -1)
		e.Err("set", err)
		_, _, err = c.Get(e.P("/p"))
		e.Err("round trip", err)
		e.NoEvent("event after set", ch)
		_, err = w.Create(e.P("/p/k"), nil, 0, open)
		e.Err("create child", err)
		e.Event("event", ch)
		_, _, ch, err = c.ChildrenW(e.P("/p"))
		e.Err("childrenW again", err)
		e.Err("delete child", w.Delete(e.P("/p/k"), -1))
		e.Event("event", ch)
	}},
	{Name: "watch-delete-fires-data-and-child", Run: func(e *Env) {
		c, w := e.ZK(), e.ZK()
		_, err := c.Create(e.P("/n"), nil, 0, open)
		e.Err("create", err)
		_, _, dch, err := c.GetW(e.P("/n"))
		e.Err("getW", err)
		_, _, cch, err := c.ChildrenW(e.P("/n"))
		e.Err("childrenW", err)
		_, _, pch, err := c.ChildrenW(e.Root)
		e.Err("childrenW on the parent", err)
		e.Err("delete", w.Delete(e.P("/n"), -1))
		e.Event("data watch", dch)
		e.Event("child watch", cch)
		e.Event("parent child watch", pch)
	}},
	{Name: "watch-event-before-reply", Run: func(e *Env) {
		a, b := e.MustRaw(), e.MustRaw()
		e.Call("create", a, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/o"), Data: []byte("old"), ACL: znode.OpenACL})
		rep := e.Call("getData with watch", a, 2, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/o"), Watch: true})
		var gd jute.GetDataResponse
		e.Decode(rep, &gd)
		e.Log("data: %q", gd.Data)
		e.Call("setData from another session", b, 1, znode.OpSetData, &jute.SetDataRequest{Path: e.P("/o"), Data: []byte("new"), Version: -1})
		rep = e.Call("getData", a, 3, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/o")})
		e.Decode(rep, &gd)
		e.Log("data: %q", gd.Data)
		e.Log("event header: (seen in the frames above)")
	}},
	{Name: "watch-event-header", Run: func(e *Env) {
		a, b := e.MustRaw(), e.MustRaw()
		e.Call("create", a, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/h"), ACL: znode.OpenACL})
		e.Call("exists with watch", a, 2, znode.OpExists, &jute.ExistsRequest{Path: e.P("/h"), Watch: true})
		e.Call("delete", b, 1, znode.OpDelete, &jute.DeleteRequest{Path: e.P("/h"), Version: -1})
		f, err := a.Read()
		if err != nil {
			e.Fatalf("reading the event: %v", err)
		}
		ev, _ := f.Event()
		e.Log("event frame: xid=%d zxid=%d err=%s type=%s state=%d path=%s",
			f.Header.Xid, f.Header.Zxid, CodeName(f.Header.Err), EventName(ev.Type), ev.State, ev.Path)
	}},
	{Name: "watch-persistent", Run: func(e *Env) {
		r, w := e.MustRaw(), e.ZK()
		_, err := w.Create(e.P("/p"), nil, 0, open)
		e.Err("create", err)
		rep := e.Call("addWatch persistent", r, 1, znode.OpAddWatch, &jute.AddWatchRequest{Path: e.P("/p"), Mode: jute.AddWatchPersistent})
		e.Log("addWatch: %s body=%x", CodeName(rep.Header.Err), rep.Body)
		_, err = w.Set(e.P("/p"), []byte("1"), -1)
		e.Err("set", err)
		_, err = w.Set(e.P("/p"), []byte("2"), -1)
		e.Err("set again", err)
		_, err = w.Create(e.P("/p/k"), nil, 0, open)
		e.Err("create child", err)
		_, err = w.Create(e.P("/p/k/g"), nil, 0, open)
		e.Err("create grandchild (not watched)", err)
		e.Err("delete grandchild", w.Delete(e.P("/p/k/g"), -1))
		e.Err("delete child", w.Delete(e.P("/p/k"), -1))
		e.Err("delete", w.Delete(e.P("/p"), -1))
		_, err = w.Create(e.P("/p"), nil, 0, open)
		e.Err("create again", err)
		drainEvents(e, "events", r)
	}},
	{Name: "watch-persistent-recursive", Run: func(e *Env) {
		r, w := e.MustRaw(), e.ZK()
		_, err := w.Create(e.P("/t"), nil, 0, open)
		e.Err("create", err)
		rep := e.Call("addWatch recursive", r, 1, znode.OpAddWatch, &jute.AddWatchRequest{Path: e.P("/t"), Mode: jute.AddWatchPersistentRecursive})
		e.Code("addWatch", rep.Header.Err)
		for _, p := range []string{"/t/a", "/t/a/b", "/t/c"} {
			_, err = w.Create(e.P(p), nil, 0, open)
			e.Err("create "+p, err)
		}
		_, err = w.Set(e.P("/t/a/b"), []byte("x"), -1)
		e.Err("set /t/a/b", err)
		e.Err("delete /t/a/b", w.Delete(e.P("/t/a/b"), -1))
		_, err = w.Set(e.P("/t"), []byte("y"), -1)
		e.Err("set /t", err)
		_, err = w.Create(e.P("/other"), nil, 0, open)
		e.Err("create outside", err)
		drainEvents(e, "events", r)
		rep = e.Call("addWatch bad mode", r, 2, znode.OpAddWatch, &jute.AddWatchRequest{Path: e.P("/t"), Mode: 7})
		e.Code("addWatch bad mode", rep.Header.Err)
	}},
	{Name: "watch-remove-and-check", Run: func(e *Env) {
		r, w := e.MustRaw(), e.ZK()
		_, err := w.Create(e.P("/x"), nil, 0, open)
		e.Err("create", err)
		e.Call("getData with watch", r, 1, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/x"), Watch: true})
		e.Call("getChildren with watch", r, 2, znode.OpGetChildren, &jute.GetChildrenRequest{Path: e.P("/x"), Watch: true})
		check := func(label string, xid int32, t jute.WatcherType) {
			rep := e.Call(label, r, xid, znode.OpCheckWatches, &jute.CheckWatchesRequest{Path: e.P("/x"), Type: t})
			e.Log("%s: %s body=%x", label, CodeName(rep.Header.Err), rep.Body)
		}
		check("check data", 3, jute.WatcherData)
		check("check children", 4, jute.WatcherChildren)
		check("check any", 5, jute.WatcherAny)
		rep := e.Call("remove data", r, 6, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.P("/x"), Type: jute.WatcherData})
		e.Log("remove data: %s body=%x", CodeName(rep.Header.Err), rep.Body)
		check("check data after removal", 7, jute.WatcherData)
		check("check children after removing data", 8, jute.WatcherChildren)
		rep = e.Call("remove data again", r, 9, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.P("/x"), Type: jute.WatcherData})
		e.Code("remove data again", rep.Header.Err)
		rep = e.Call("remove any", r, 10, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.P("/x"), Type: jute.WatcherAny})
		e.Code("remove any", rep.Header.Err)
		check("check any after removing all", 11, jute.WatcherAny)
		rep = e.Call("remove on an unwatched path", r, 12, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.P("/none"), Type: jute.WatcherAny})
		e.Code("remove on an unwatched path", rep.Header.Err)
		rep = e.Call("remove with a bad type", r, 13, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.P("/x"), Type: 9})
		e.Code("remove with a bad type", rep.Header.Err)
		_, err = w.Set(e.P("/x"), []byte("1"), -1)
		e.Err("set (no watch left)", err)
		_, err = w.Create(e.P("/x/k"), nil, 0, open)
		e.Err("create child (no watch left)", err)
		drainEvents(e, "events", r)
	}},
	{Name: "watch-check-persistent-types", Differs: "ZooKeeper 3.8 has no watcher types 4 and 5 (Persistent, PersistentRecursive) and answers MARSHALLINGERROR; ensemble follows 3.9 (package session)",
		Expect: []string{"check persistent: OK", "remove persistent: OK"}, Run: func(e *Env) {
			r := e.MustRaw()
			e.Call("addWatch", r, 1, znode.OpAddWatch, &jute.AddWatchRequest{Path: e.Root, Mode: jute.AddWatchPersistent})
			rep := e.Call("check persistent", r, 2, znode.OpCheckWatches, &jute.CheckWatchesRequest{Path: e.Root, Type: jute.WatcherPersistent})
			e.Code("check persistent", rep.Header.Err)
			rep = e.Call("remove persistent", r, 3, znode.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: e.Root, Type: jute.WatcherPersistent})
			e.Code("remove persistent", rep.Header.Err)
		}},
	{Name: "watch-set-watches-replay", Run: func(e *Env) {
		w := e.ZK()
		for _, p := range []string{"/changed", "/same", "/deleted", "/kids"} {
			_, err := w.Create(e.P(p), nil, 0, open)
			e.Err("create "+p, err)
		}
		_, st, _ := w.Exists(e.P("/kids"))
		seen := st.Mzxid // the client "saw" everything up to here
		_, err := w.Set(e.P("/changed"), []byte("x"), -1)
		e.Err("set /changed", err)
		e.Err("delete /deleted", w.Delete(e.P("/deleted"), -1))
		_, err = w.Create(e.P("/kids/k"), nil, 0, open)
		e.Err("create /kids/k", err)
		_, err = w.Create(e.P("/appeared"), nil, 0, open)
		e.Err("create /appeared", err)

		r := e.MustRaw()
		rep := e.Call("setWatches", r, jute.XidSetWatches, znode.OpSetWatches, &jute.SetWatches{
			RelativeZxid: seen,
			DataWatches:  []string{e.P("/changed"), e.P("/same"), e.P("/deleted")},
			ExistWatches: []string{e.P("/appeared"), e.P("/never")},
			ChildWatches: []string{e.P("/kids")},
		})
		e.Log("setWatches reply: xid=%d %s body=%d bytes", rep.Header.Xid, CodeName(rep.Header.Err), len(rep.Body))
		_, err = w.Set(e.P("/same"), []byte("later"), -1)
		e.Err("set /same (registered)", err)
		_, err = w.Create(e.P("/never"), nil, 0, open)
		e.Err("create /never (registered)", err)
		drainEvents(e, "after", r)
	}},
	{Name: "watch-set-watches2-persistent", Run: func(e *Env) {
		w := e.ZK()
		_, err := w.Create(e.P("/p"), nil, 0, open)
		e.Err("create", err)
		_, st, _ := w.Exists(e.P("/p"))
		_, err = w.Set(e.P("/p"), []byte("missed"), -1)
		e.Err("set while away", err)
		r := e.MustRaw()
		rep := e.Call("setWatches2", r, jute.XidSetWatches, znode.OpSetWatches2, &jute.SetWatches2{
			RelativeZxid:               st.Mzxid,
			DataWatches:                []string{},
			ExistWatches:               []string{},
			ChildWatches:               []string{},
			PersistentWatches:          []string{e.P("/p")},
			PersistentRecursiveWatches: []string{e.Root},
		})
		e.Log("setWatches2 reply: xid=%d %s", rep.Header.Xid, CodeName(rep.Header.Err))
		_, err = w.Create(e.P("/p/k"), nil, 0, open)
		e.Err("create /p/k", err)
		drainEvents(e, "after", r)
	}},
	{Name: "watch-on-session-close", Run: func(e *Env) {
		owner := e.ZK()
		watcher := e.ZK()
		_, err := owner.Create(e.P("/eph"), nil, zk.FlagEphemeral, open)
		e.Err("create ephemeral", err)
		_, _, ch, err := watcher.ExistsW(e.P("/eph"))
		e.Err("existsW", err)
		_, _, pch, err := watcher.ChildrenW(e.Root)
		e.Err("childrenW parent", err)
		owner.Close()
		e.Event("exists watch", ch)
		e.Event("parent watch", pch)
		ok, _, _ := watcher.Exists(e.P("/eph"))
		e.Log("ephemeral still there: %t", ok)
	}},
}
