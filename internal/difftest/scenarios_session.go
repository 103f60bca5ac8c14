package difftest

import (
	"errors"
	"io"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

var sessionScenarios = []Scenario{
	{Name: "session-close-removes-ephemerals", Run: func(e *Env) {
		c := e.ZK()
		other := e.ZK()
		for _, p := range []string{"/e1", "/e2"} {
			_, err := c.Create(e.P(p), nil, zk.FlagEphemeral, open)
			e.Err("create "+p, err)
		}
		_, err := c.Create(e.P("/kept"), nil, 0, open)
		e.Err("create persistent", err)
		c.Close()
		_, err = other.Sync(e.Root)
		e.Err("sync", err)
		kids, st, err := other.Children(e.Root)
		e.Err("children", err)
		e.Sorted("left", kids)
		e.ZKStat("parent", st)
	}},
	{Name: "session-expiry", Run: func(e *Env) {
		// A raw client sends no pings, so its session expires after its
		// (minimum) timeout.
		r, err := e.Raw(jute.ConnectRequest{TimeOut: 1})
		if err != nil {
			e.Fatalf("connect: %v", err)
		}
		e.Log("negotiated timeout: %d ticks", time.Duration(r.Response.TimeOut)*time.Millisecond/tickTime)
		e.Call("create ephemeral", r, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/short"), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		watcher := e.ZK()
		_, _, ch, err := watcher.ExistsW(e.P("/short"))
		e.Err("existsW", err)
		e.Event("when the session expires", ch)
		err = r.WaitClosed()
		e.Log("connection closed by the server: %t", err == nil)
		again, err := e.Raw(jute.ConnectRequest{SessionID: r.Response.SessionID, Passwd: r.Response.Passwd, TimeOut: 4000})
		if err != nil {
			e.Fatalf("reconnect: %v", err)
		}
		e.Log("reconnect: session=%s timeout=%d passwd=%x", e.Session(again.Response.SessionID), again.Response.TimeOut, again.Response.Passwd)
		err = again.WaitClosed()
		e.Log("then closed: %t", err == nil)
	}},
	{Name: "session-reattach", Run: func(e *Env) {
		first := e.MustRaw()
		e.Call("create ephemeral", first, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/mine"), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		second, err := e.Raw(jute.ConnectRequest{SessionID: first.Response.SessionID, Passwd: first.Response.Passwd})
		if err != nil {
			e.Fatalf("reattach: %v", err)
		}
		e.Log("reattached: %s timeout=%d", e.Session(second.Response.SessionID), second.Response.TimeOut)
		e.Log("old connection closed: %t", first.WaitClosed() == nil)
		rep := e.Call("getEphemerals", second, 2, znode.OpGetEphemerals, &jute.GetEphemeralsRequest{PrefixPath: e.Root})
		var g jute.GetEphemeralsResponse
		e.Decode(rep, &g)
		e.Sorted("ephemerals", g.Ephemerals)
		bad, err := e.Raw(jute.ConnectRequest{SessionID: first.Response.SessionID, Passwd: make([]byte, 16)})
		if err != nil {
			e.Fatalf("bad password: %v", err)
		}
		e.Log("wrong password: session=%s timeout=%d", e.Session(bad.Response.SessionID), bad.Response.TimeOut)
	}},
	{Name: "handshake-readonly-byte", Run: func(e *Env) {
		without, err := e.Raw(jute.ConnectRequest{TimeOut: 4000})
		if err != nil {
			e.Fatalf("connect: %v", err)
		}
		e.Log("without the byte: answered with it %t", without.Response.HasReadOnly)
		with, err := e.Raw(jute.ConnectRequest{TimeOut: 4000, HasReadOnly: true, ReadOnly: true})
		if err != nil {
			e.Fatalf("connect: %v", err)
		}
		e.Log("with the byte: answered with it %t, read-only %t", with.Response.HasReadOnly, with.Response.ReadOnly)
		e.Log("protocol version %d", with.Response.ProtocolVersion)
	}},
	{Name: "handshake-timeout-clamp", Run: func(e *Env) {
		for _, ask := range []int32{1, 1000, 3000, 1 << 30} {
			r, err := e.Raw(jute.ConnectRequest{TimeOut: ask})
			if err != nil {
				e.Fatalf("connect: %v", err)
			}
			e.Log("asked %d ms: got %d ms", ask, r.Response.TimeOut)
			r.Close()
		}
	}},
	{Name: "handshake-client-ahead", Run: func(e *Env) {
		_, err := e.Raw(jute.ConnectRequest{TimeOut: 4000, LastZxidSeen: 1 << 60})
		e.Log("client ahead of the server: refused without an answer %t", errors.Is(err, io.EOF))
	}},
	{Name: "get-ephemerals", Run: func(e *Env) {
		r := e.MustRaw()
		other := e.MustRaw()
		e.Call("create", r, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/dir"), ACL: znode.OpenACL})
		for i, p := range []string{"/dir/a", "/dir/b", "/e"} {
			e.Call("create", r, int32(2+i), znode.OpCreate, &jute.CreateRequest{Path: e.P(p), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		}
		e.Call("create", other, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/dir/theirs"), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		for i, prefix := range []string{e.Root, e.P("/dir"), e.P("/di"), e.P("/dir/b"), e.P("/nothing")} {
			rep := e.Call("getEphemerals", r, int32(10+i), znode.OpGetEphemerals, &jute.GetEphemeralsRequest{PrefixPath: prefix})
			var g jute.GetEphemeralsResponse
			e.Decode(rep, &g)
			e.Sorted("getEphemerals "+prefix, g.Ephemerals)
		}
	}},
	{Name: "get-all-children-number", Run: func(e *Env) {
		r := e.MustRaw()
		for i, p := range []string{"/a", "/a/b", "/a/b/c", "/a/d", "/e"} {
			e.Call("create", r, int32(i+1), znode.OpCreate, &jute.CreateRequest{Path: e.P(p), ACL: znode.OpenACL})
		}
		for i, p := range []string{e.Root, e.P("/a"), e.P("/a/b/c"), e.P("/none")} {
			rep := e.Call("count", r, int32(10+i), znode.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: p})
			if rep.Header.Err != znode.OK {
				e.Code("getAllChildrenNumber "+p, rep.Header.Err)
				continue
			}
			var n jute.GetAllChildrenNumberResponse
			e.Decode(rep, &n)
			e.Log("getAllChildrenNumber %s: %d", p, n.TotalNumber)
		}
	}},
	{Name: "ping-and-special-ops", Run: func(e *Env) {
		r := e.MustRaw()
		rep := e.Call("ping", r, jute.XidPing, znode.OpPing, nil)
		e.Log("ping: xid=%d %s body=%d bytes", rep.Header.Xid, CodeName(rep.Header.Err), len(rep.Body))
		rep = e.Call("sasl", r, 1, znode.OpSASL, &jute.GetSASLRequest{Token: []byte("tok")})
		e.Log("sasl: zxid=%d %s body=%x", rep.Header.Zxid, CodeName(rep.Header.Err), rep.Body)
		rep = e.Call("reconfig", r, 2, znode.OpReconfig, &jute.ReconfigRequest{CurConfigID: -1})
		e.Log("reconfig: %s body=%d bytes", CodeName(rep.Header.Err), len(rep.Body))
		c := e.ZK()
		_, err := c.IncrementalReconfig([]string{"server.9=127.0.0.1:1:2"}, nil, -1)
		e.Err("go-zookeeper/zk reconfig", err)
		rep = e.Call("unknown op", r, 3, 77, nil)
		e.Log("unknown op: xid=%d zxid=%d %s", rep.Header.Xid, rep.Header.Zxid, CodeName(rep.Header.Err))
		e.Log("then closed: %t", r.WaitClosed() == nil)
	}},
	{Name: "close-session-reply", Run: func(e *Env) {
		r := e.MustRaw()
		e.Call("create ephemeral", r, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/e"), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		rep := e.Call("closeSession", r, 2, znode.OpCloseSession, nil)
		e.Log("closeSession: xid=%d %s body=%d bytes", rep.Header.Xid, CodeName(rep.Header.Err), len(rep.Body))
		e.Log("then closed: %t", r.WaitClosed() == nil)
		c := e.ZK()
		ok, _, _ := c.Exists(e.P("/e"))
		e.Log("ephemeral left: %t", ok)
	}},
}
