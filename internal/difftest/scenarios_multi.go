package difftest

import (
	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// recordMulti records a raw multi or multiRead reply: the header's code
// and each result.
func recordMulti(e *Env, label string, rep jute.ReplyHeader, body []byte) {
	e.Code(label+" header", rep.Err)
	var m jute.MultiResponse
	if err := jute.Unmarshal(body, &m); err != nil {
		e.Log("%s body: %d bytes, not a multi response", label, len(body))
		return
	}
	for i, r := range m.Results {
		switch r.Type {
		case znode.OpError:
			e.Log("%s[%d]: error %s", label, i, CodeName(r.Err))
		case znode.OpCreate:
			e.Log("%s[%d]: create %s", label, i, r.Path)
		case znode.OpCreate2:
			e.Log("%s[%d]: create2 %s %s", label, i, r.Path, e.FormatStat(r.Stat))
		case znode.OpSetData:
			e.Log("%s[%d]: setData %s", label, i, e.FormatStat(r.Stat))
		case znode.OpGetData:
			e.Log("%s[%d]: getData %q %s", label, i, r.Data, e.FormatStat(r.Stat))
		case znode.OpGetChildren:
			e.Sorted(label+"["+itoa(int64(i))+"]: getChildren", r.Children)
		default:
			e.Log("%s[%d]: %v", label, i, r.Type)
		}
	}
	e.Log("%s: %d results", label, len(m.Results))
}

func multiOp(t znode.OpCode, r jute.Record) jute.MultiOp { return jute.MultiOp{Type: t, Request: r} }

var multiScenarios = []Scenario{
	{Name: "multi-success", Run: func(e *Env) {
		c := e.ZK()
		res, err := c.Multi(
			&zk.CreateRequest{Path: e.P("/m"), Data: []byte("a"), Acl: open},
			&zk.CreateRequest{Path: e.P("/m/s-"), Acl: open, Flags: zk.FlagSequence},
			&zk.SetDataRequest{Path: e.P("/m"), Data: []byte("b"), Version: 0},
			&zk.CheckVersionRequest{Path: e.P("/m"), Version: 1},
			&zk.CreateRequest{Path: e.P("/m/tmp"), Acl: open},
			&zk.DeleteRequest{Path: e.P("/m/tmp"), Version: 0},
		)
		e.Err("multi", err)
		for i, r := range res {
			e.Log("result %d: %s %q", i, ErrName(r.Error), r.String)
			if r.Stat != nil {
				e.ZKStat("result stat", r.Stat)
			}
		}
		kids, st, _ := c.Children(e.P("/m"))
		e.Sorted("children", kids)
		e.ZKStat("stat", st)
	}},
	{Name: "multi-failure-in-the-middle", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/x"), []byte("0"), 0, open)
		e.Err("create", err)
		res, err := c.Multi(
			&zk.CreateRequest{Path: e.P("/new"), Acl: open},
			&zk.SetDataRequest{Path: e.P("/x"), Data: []byte("1"), Version: 7},
			&zk.DeleteRequest{Path: e.P("/x"), Version: -1},
		)
		e.Err("multi", err)
		for i, r := range res {
			e.Log("result %d: %s", i, ErrName(r.Error))
		}
		ok, _, _ := c.Exists(e.P("/new"))
		e.Log("first op rolled back: %t", !ok)
		data, st, _ := c.Get(e.P("/x"))
		e.Log("data: %q", data)
		e.ZKStat("stat", st)
	}},
	{Name: "multi-failure-first-and-last", Run: func(e *Env) {
		c := e.ZK()
		res, err := c.Multi(
			&zk.DeleteRequest{Path: e.P("/none"), Version: -1},
			&zk.CreateRequest{Path: e.P("/a"), Acl: open},
		)
		e.Err("fail first", err)
		for i, r := range res {
			e.Log("result %d: %s", i, ErrName(r.Error))
		}
		res, err = c.Multi(
			&zk.CreateRequest{Path: e.P("/a"), Acl: open},
			&zk.CreateRequest{Path: e.P("/a/b"), Acl: open},
			&zk.CreateRequest{Path: e.P("/a"), Acl: open},
		)
		e.Err("fail last", err)
		for i, r := range res {
			e.Log("result %d: %s", i, ErrName(r.Error))
		}
		ok, _, _ := c.Exists(e.P("/a"))
		e.Log("nothing applied: %t", !ok)
	}},
	{Name: "multi-ephemeral-and-acl-errors", Run: func(e *Env) {
		c := e.ZK()
		res, err := c.Multi(
			&zk.CreateRequest{Path: e.P("/e"), Acl: open, Flags: zk.FlagEphemeral},
			&zk.CreateRequest{Path: e.P("/e/kid"), Acl: open},
		)
		e.Err("child of an ephemeral created in the same multi", err)
		for i, r := range res {
			e.Log("result %d: %s", i, ErrName(r.Error))
		}
		_, err = c.Create(e.P("/ro"), nil, 0, zk.WorldACL(zk.PermRead))
		e.Err("create read-only node", err)
		res, err = c.Multi(
			&zk.CreateRequest{Path: e.P("/ok"), Acl: open},
			&zk.SetDataRequest{Path: e.P("/ro"), Data: []byte("x"), Version: -1},
		)
		e.Err("setData without permission", err)
		for i, r := range res {
			e.Log("result %d: %s", i, ErrName(r.Error))
		}
	}},
	{Name: "multi-raw-result-types", Run: func(e *Env) {
		r := e.MustRaw()
		rep := e.Call("multi", r, 1, znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			multiOp(znode.OpCreate, &jute.CreateRequest{Path: e.P("/c1"), Data: []byte("1"), ACL: znode.OpenACL}),
			multiOp(znode.OpCreate2, &jute.CreateRequest{Path: e.P("/c2"), ACL: znode.OpenACL}),
			multiOp(znode.OpCreateContainer, &jute.CreateRequest{Path: e.P("/c3"), ACL: znode.OpenACL, Flags: znode.Container}),
			multiOp(znode.OpCreateTTL, &jute.CreateTTLRequest{Path: e.P("/c4"), ACL: znode.OpenACL, Flags: znode.PersistentWithTTL, TTL: 60000}),
			multiOp(znode.OpSetData, &jute.SetDataRequest{Path: e.P("/c1"), Data: []byte("2"), Version: 0}),
			multiOp(znode.OpCheck, &jute.CheckVersionRequest{Path: e.P("/c1"), Version: 1}),
			multiOp(znode.OpDelete, &jute.DeleteRequest{Path: e.P("/c2"), Version: 0}),
		}})
		recordMulti(e, "multi", rep.Header, rep.Body)
	}},
	{Name: "multi-raw-refused", Run: func(e *Env) {
		r := e.MustRaw()
		rep := e.Call("empty multi", r, 1, znode.OpMulti, &jute.MultiRequest{})
		recordMulti(e, "empty multi", rep.Header, rep.Body)
		rep = e.Call("read in a multi", r, 2, znode.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
			multiOp(znode.OpGetData, &jute.GetDataRequest{Path: e.Root}),
		}})
		e.Code("read in a multi", rep.Header.Err)
		e.Log("read in a multi body: %d bytes", len(rep.Body))
		rep = e.Call("after", r, 3, znode.OpExists, &jute.ExistsRequest{Path: e.Root})
		e.Code("connection still usable", rep.Header.Err)
	}},
	{Name: "multi-read", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/r"), []byte("data"), 0, open)
		e.Err("create", err)
		_, err = c.Create(e.P("/r/k"), nil, 0, open)
		e.Err("create child", err)
		r := e.MustRaw()
		rep := e.Call("multiRead", r, 1, znode.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
			multiOp(znode.OpGetChildren, &jute.GetChildrenRequest{Path: e.P("/r")}),
			multiOp(znode.OpGetData, &jute.GetDataRequest{Path: e.P("/r")}),
			multiOp(znode.OpGetData, &jute.GetDataRequest{Path: e.P("/none")}),
			multiOp(znode.OpGetChildren, &jute.GetChildrenRequest{Path: e.P("/none")}),
		}})
		recordMulti(e, "multiRead", rep.Header, rep.Body)
		rep = e.Call("multiRead with a write", r, 2, znode.OpMultiRead, &jute.MultiRequest{Ops: []jute.MultiOp{
			multiOp(znode.OpDelete, &jute.DeleteRequest{Path: e.P("/r/k"), Version: -1}),
		}})
		recordMulti(e, "multiRead with a write", rep.Header, rep.Body)
		rep = e.Call("empty multiRead", r, 3, znode.OpMultiRead, &jute.MultiRequest{})
		recordMulti(e, "empty multiRead", rep.Header, rep.Body)
	}},
}
