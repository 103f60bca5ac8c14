package difftest

import (
	"bytes"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

var open = zk.WorldACL(zk.PermAll)

// nodeScenarios cover node kinds, their Stats and the basic writes.
var nodeScenarios = []Scenario{
	{Name: "persistent-create-get", Run: func(e *Env) {
		c := e.ZK()
		p, err := c.Create(e.P("/a"), []byte("hello"), 0, open)
		e.Err("create", err)
		e.Log("path: %s", p)
		data, st, err := c.Get(e.P("/a"))
		e.Err("get", err)
		e.Log("data: %q", data)
		e.ZKStat("stat", st)
		_, st, err = c.Get(e.Root)
		e.Err("get root", err)
		e.ZKStat("root stat", st)
	}},
	{Name: "create-errors", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/a"), nil, 0, open)
		e.Err("create", err)
		_, err = c.Create(e.P("/a"), nil, 0, open)
		e.Err("create again", err)
		_, err = c.Create(e.P("/missing/child"), nil, 0, open)
		e.Err("create under missing parent", err)
		_, err = c.Create(e.P("/noacl"), nil, 0, []zk.ACL{})
		e.Err("create with empty ACL", err)
		_, err = c.Create(e.P("/badperm"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "digest", ID: "nocolon"}})
		e.Err("create with malformed digest id", err)
		_, err = c.Create(e.P("/unknownscheme"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "nosuch", ID: "x"}})
		e.Err("create with unknown scheme", err)
	}},
	{Name: "sequential-names", Run: func(e *Env) {
		c := e.ZK()
		for i := range 3 {
			p, err := c.Create(e.P("/seq-"), []byte{byte(i)}, zk.FlagSequence, open)
			e.Err("create sequential", err)
			e.Log("path: %s", p)
		}
		_, err := c.Create(e.P("/plain"), nil, 0, open)
		e.Err("create plain", err)
		e.Err("delete plain", c.Delete(e.P("/plain"), -1))
		p, err := c.Create(e.P("/seq-"), nil, zk.FlagSequence, open)
		e.Err("create sequential after a plain create and delete", err)
		e.Log("path: %s", p)
		p, err = c.Create(e.P("/"), nil, zk.FlagSequence, open)
		e.Err("create sequential with an empty prefix", err)
		e.Log("path: %s", p)
		_, st, _ := c.Exists(e.Root)
		e.ZKStat("parent", st)
	}},
	{Name: "ephemeral-nodes", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/eph"), []byte("e"), zk.FlagEphemeral, open)
		e.Err("create ephemeral", err)
		_, st, err := c.Get(e.P("/eph"))
		e.Err("get", err)
		e.ZKStat("stat", st)
		_, err = c.Create(e.P("/eph/kid"), nil, 0, open)
		e.Err("child of an ephemeral", err)
		p, err := c.Create(e.P("/es-"), nil, zk.FlagEphemeral|zk.FlagSequence, open)
		e.Err("create ephemeral sequential", err)
		e.Log("path: %s", p)
		_, st, _ = c.Exists(p)
		e.ZKStat("ephemeral sequential stat", st)
	}},
	{Name: "container-nodes", Run: func(e *Env) {
		c := e.ZK()
		p, err := c.CreateContainer(e.P("/box"), []byte("c"), zk.FlagContainer, open)
		e.Err("create container", err)
		e.Log("path: %s", p)
		_, st, _ := c.Exists(e.P("/box"))
		e.ZKStat("stat", st)
		_, err = c.Create(e.P("/box/kid"), nil, 0, open)
		e.Err("create child", err)
		e.Err("delete child", c.Delete(e.P("/box/kid"), -1))
		ok, _, err := c.Exists(e.P("/box"))
		e.Err("exists after its last child went", err)
		e.Log("still there: %t", ok) // the reaper runs only every minute
		_, err = c.CreateContainer(e.P("/box2"), nil, zk.FlagContainer, open)
		e.Err("create second container", err)
		e.Err("delete it", c.Delete(e.P("/box2"), -1))
	}},
	{Name: "ttl-nodes", Run: func(e *Env) {
		c := e.ZK()
		p, err := c.CreateTTL(e.P("/ttl"), []byte("t"), zk.FlagTTL, open, time.Hour)
		e.Err("create ttl", err)
		e.Log("path: %s", p)
		_, st, _ := c.Exists(e.P("/ttl"))
		e.ZKStat("stat", st)
		p, err = c.CreateTTL(e.P("/ttls-"), nil, zk.FlagPersistentSequentialWithTTL, open, time.Hour)
		e.Err("create sequential ttl", err)
		e.Log("path: %s", p)
		r := e.MustRaw()
		for i, ttl := range []int64{0, -5, 1 << 41} {
			rep := e.Call("raw createTTL", r, int32(i+1), znode.OpCreateTTL, &jute.CreateTTLRequest{
				Path: e.P("/badttl"), ACL: znode.OpenACL, Flags: znode.PersistentWithTTL, TTL: ttl})
			e.Code("createTTL with ttl "+itoa(ttl), rep.Header.Err)
		}
		rep := e.Call("raw createTTL", r, 9, znode.OpCreateTTL, &jute.CreateTTLRequest{
			Path: e.P("/notttl"), ACL: znode.OpenACL, Flags: znode.Persistent, TTL: 1000})
		e.Code("createTTL with a persistent mode", rep.Header.Err)
		rep = e.Call("raw create", r, 10, znode.OpCreate, &jute.CreateRequest{
			Path: e.P("/ttlmode"), ACL: znode.OpenACL, Flags: znode.PersistentWithTTL})
		e.Code("create with a TTL mode", rep.Header.Err)
		rep = e.Call("raw create", r, 11, znode.OpCreate, &jute.CreateRequest{
			Path: e.P("/badmode"), ACL: znode.OpenACL, Flags: 9})
		e.Code("create with mode 9", rep.Header.Err)
	}},
	{Name: "set-data-versions", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/v"), []byte("0"), 0, open)
		e.Err("create", err)
		st, err := c.Set(e.P("/v"), []byte("one"), -1)
		e.Err("set any version", err)
		e.ZKStat("after set", st)
		st, err = c.Set(e.P("/v"), []byte("two"), 1)
		e.Err("set version 1", err)
		e.ZKStat("after set", st)
		_, err = c.Set(e.P("/v"), []byte("three"), 1)
		e.Err("set stale version", err)
		_, err = c.Set(e.P("/none"), nil, -1)
		e.Err("set missing node", err)
		data, st, _ := c.Get(e.P("/v"))
		e.Log("data: %q", data)
		e.ZKStat("final", st)
	}},
	{Name: "delete-rules", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/d"), nil, 0, open)
		e.Err("create", err)
		_, err = c.Create(e.P("/d/kid"), nil, 0, open)
		e.Err("create child", err)
		e.Err("delete non-empty", c.Delete(e.P("/d"), -1))
		e.Err("delete child with wrong version", c.Delete(e.P("/d/kid"), 3))
		e.Err("delete child", c.Delete(e.P("/d/kid"), 0))
		e.Err("delete child again", c.Delete(e.P("/d/kid"), -1))
		_, st, _ := c.Exists(e.P("/d"))
		e.ZKStat("parent after", st)
		e.Err("delete", c.Delete(e.P("/d"), -1))
	}},
	{Name: "children-and-parent-stat", Run: func(e *Env) {
		c := e.ZK()
		for _, n := range []string{"/b", "/a", "/c"} {
			_, err := c.Create(e.P(n), nil, 0, open)
			e.Err("create "+n, err)
		}
		kids, st, err := c.Children(e.Root)
		e.Err("children", err)
		e.Sorted("children", kids)
		e.ZKStat("parent", st)
		e.Err("delete /b", c.Delete(e.P("/b"), -1))
		kids, st, _ = c.Children(e.Root)
		e.Sorted("children", kids)
		e.ZKStat("parent", st)
		kids, _, err = c.Children(e.P("/a"))
		e.Err("children of a leaf", err)
		e.Log("leaf children: %d", len(kids))
		_, _, err = c.Children(e.P("/none"))
		e.Err("children of a missing node", err)
	}},
	{Name: "data-sizes", Run: func(e *Env) {
		c := e.ZK()
		r := e.MustRaw()
		rep := e.Call("create null data", r, 1, znode.OpCreate, &jute.CreateRequest{Path: e.P("/null"), ACL: znode.OpenACL})
		e.Code("create null data", rep.Header.Err)
		rep = e.Call("get null data", r, 2, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/null")})
		var gd jute.GetDataResponse
		e.Decode(rep, &gd)
		e.Log("null data is null: %t", gd.Data == nil)
		rep = e.Call("create empty data", r, 3, znode.OpCreate, &jute.CreateRequest{Path: e.P("/empty"), Data: []byte{}, ACL: znode.OpenACL})
		e.Code("create empty data", rep.Header.Err)
		rep = e.Call("get empty data", r, 4, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/empty")})
		e.Decode(rep, &gd)
		e.Log("empty data is null: %t, length %d", gd.Data == nil, len(gd.Data))
		big := bytes.Repeat([]byte("0123456789"), 50000)
		_, err := c.Create(e.P("/big"), big, 0, open)
		e.Err("create 500 kB", err)
		data, st, err := c.Get(e.P("/big"))
		e.Err("get 500 kB", err)
		e.Log("same data: %t", bytes.Equal(data, big))
		e.ZKStat("stat", st)
	}},
	{Name: "reserved-zookeeper-node", Run: func(e *Env) {
		c := e.ZK()
		kids, _, err := c.Children("/zookeeper")
		e.Err("children of /zookeeper", err)
		e.Sorted("children", kids)
		data, _, err := c.Get("/zookeeper/config")
		e.Err("get /zookeeper/config", err)
		e.Log("config: %q", data)
		data, _, err = c.Get("/zookeeper/quota")
		e.Err("get /zookeeper/quota", err)
		e.Log("quota: %q", data)
		acl, _, err := c.GetACL("/zookeeper")
		e.Err("getACL /zookeeper", err)
		e.Log("acl: %v", acl)
		e.Err("delete /zookeeper", c.Delete("/zookeeper", -1))
		e.Err("delete /zookeeper/config", c.Delete("/zookeeper/config", -1))
		_, err = c.Set("/zookeeper/config", []byte("x"), -1)
		e.Err("set /zookeeper/config", err)
	}},
	{Name: "invalid-paths", Run: func(e *Env) {
		r := e.MustRaw()
		for i, p := range []string{"", "noslash", e.P("/"), e.P("//x"), e.P("/./x"), e.P("/../x"), e.P("/x/."), e.P("/a\x00b"), e.P("/\u0001")} {
			rep := e.Call("create", r, int32(i+1), znode.OpCreate, &jute.CreateRequest{Path: p, ACL: znode.OpenACL})
			e.Code("create "+quote(p), rep.Header.Err)
		}
		rep := e.Call("exists", r, 20, znode.OpExists, &jute.ExistsRequest{Path: "noslash"})
		e.Code("exists on a relative path", rep.Header.Err)
		rep = e.Call("delete", r, 21, znode.OpDelete, &jute.DeleteRequest{Path: e.P("//x"), Version: -1})
		e.Code("delete an invalid path", rep.Header.Err)
	}},
	{Name: "check-version-alone", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/c"), nil, 0, open)
		e.Err("create", err)
		r := e.MustRaw()
		rep := e.Call("check", r, 1, znode.OpCheck, &jute.CheckVersionRequest{Path: e.P("/c"), Version: 4})
		e.Code("check a wrong version", rep.Header.Err)
		rep = e.Call("check", r, 2, znode.OpCheck, &jute.CheckVersionRequest{Path: e.P("/none"), Version: -1})
		e.Code("check a missing node", rep.Header.Err)
	}},
	{Name: "check-version-alone-ok", Differs: "ZooKeeper 3.8.0 drops the connection on a successful standalone check (its FinalRequestProcessor has no reply for it); ensemble answers OK",
		Expect: []string{"create: ok", "check the right version: OK"}, Run: func(e *Env) {
			c := e.ZK()
			_, err := c.Create(e.P("/c"), nil, 0, open)
			e.Err("create", err)
			r := e.MustRaw()
			rep := e.Call("check", r, 1, znode.OpCheck, &jute.CheckVersionRequest{Path: e.P("/c"), Version: 0})
			e.Code("check the right version", rep.Header.Err)
		}},
	{Name: "sync-then-read", Run: func(e *Env) {
		c := e.ZK()
		w := e.ZK()
		_, err := w.Create(e.P("/s"), []byte("1"), 0, open)
		e.Err("create from another session", err)
		p, err := c.Sync(e.P("/s"))
		e.Err("sync", err)
		e.Log("sync path: %s", p)
		data, _, err := c.Get(e.P("/s"))
		e.Err("get after sync", err)
		e.Log("data: %q", data)
		p, err = c.Sync(e.P("/none"))
		e.Err("sync a missing path", err)
		e.Log("sync path: %s", p)
	}},
}
