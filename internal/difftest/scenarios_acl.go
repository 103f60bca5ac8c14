package difftest

import (
	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

func recordACL(e *Env, label string, acl []zk.ACL, err error) {
	e.Err(label, err)
	for _, a := range acl {
		e.Log("%s: perms=%d %s:%s", label, a.Perms, a.Scheme, a.ID)
	}
}

var aclScenarios = []Scenario{
	{Name: "acl-world-read-only", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/ro"), []byte("r"), 0, zk.WorldACL(zk.PermRead))
		e.Err("create read-only", err)
		data, _, err := c.Get(e.P("/ro"))
		e.Err("get", err)
		e.Log("data: %q", data)
		_, err = c.Set(e.P("/ro"), nil, -1)
		e.Err("set", err)
		_, err = c.Create(e.P("/ro/kid"), nil, 0, open)
		e.Err("create child", err)
		_, err = c.SetACL(e.P("/ro"), open, -1)
		e.Err("setACL", err)
		acl, _, err := c.GetACL(e.P("/ro"))
		recordACL(e, "getACL", acl, err)
		e.Err("delete (needs DELETE on the parent)", c.Delete(e.P("/ro"), -1))
	}},
	{Name: "acl-no-read", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/w"), []byte("w"), 0, zk.WorldACL(zk.PermWrite|zk.PermCreate))
		e.Err("create write-only", err)
		_, _, err = c.Get(e.P("/w"))
		e.Err("get", err)
		_, _, err = c.Children(e.P("/w"))
		e.Err("children", err)
		_, _, err = c.GetACL(e.P("/w"))
		e.Err("getACL without READ or ADMIN", err)
		_, err = c.Set(e.P("/w"), []byte("x"), -1)
		e.Err("set", err)
	}},
	{Name: "acl-exists-needs-read", Differs: "ZooKeeper 3.8.0 (Debian's) answers exists without READ permission; 3.8.4 (ZOOKEEPER-2590) and ensemble require READ",
		Expect: []string{"create write-only: ok", "exists: NOAUTH", "exists: true"}, Run: func(e *Env) {
			c := e.ZK()
			_, err := c.Create(e.P("/w"), nil, 0, zk.WorldACL(zk.PermWrite))
			e.Err("create write-only", err)
			ok, _, err := c.Exists(e.P("/w"))
			e.Err("exists", err)
			e.Log("exists: %t", ok)
		}},
	{Name: "acl-digest", Run: func(e *Env) {
		owner := e.ZK()
		e.Err("addAuth", owner.AddAuth("digest", []byte("alice:pw")))
		_, err := owner.Create(e.P("/p"), []byte("secret"), 0, zk.DigestACL(zk.PermAll, "alice", "pw"))
		e.Err("create with a digest ACL", err)
		data, _, err := owner.Get(e.P("/p"))
		e.Err("owner get", err)
		e.Log("data: %q", data)
		acl, _, err := owner.GetACL(e.P("/p"))
		recordACL(e, "owner getACL", acl, err)

		other := e.ZK()
		_, _, err = other.Get(e.P("/p"))
		e.Err("anonymous get", err)
		e.Err("addAuth as bob", other.AddAuth("digest", []byte("bob:pw")))
		_, _, err = other.Get(e.P("/p"))
		e.Err("bob get", err)
		e.Err("addAuth as alice too", other.AddAuth("digest", []byte("alice:pw")))
		_, _, err = other.Get(e.P("/p"))
		e.Err("get with both identities", err)
	}},
	{Name: "acl-auth-scheme", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/a"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "auth"}})
		e.Err("create with auth ACL and no identity", err)
		e.Err("addAuth", c.AddAuth("digest", []byte("carol:pw")))
		_, err = c.Create(e.P("/a"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "auth"}})
		e.Err("create with auth ACL", err)
		acl, _, err := c.GetACL(e.P("/a"))
		recordACL(e, "getACL", acl, err)
		e.Err("addAuth again", c.AddAuth("digest", []byte("dave:pw")))
		_, err = c.Create(e.P("/b"), nil, 0, []zk.ACL{{Perms: zk.PermRead, Scheme: "auth"}, {Perms: zk.PermAll, Scheme: "world", ID: "anyone"}})
		e.Err("create with two identities", err)
		acl, _, err = c.GetACL(e.P("/b"))
		recordACL(e, "getACL", acl, err)
	}},
	{Name: "acl-ip", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/local"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "127.0.0.1"}})
		e.Err("create ip:127.0.0.1", err)
		_, _, err = c.Get(e.P("/local"))
		e.Err("get from 127.0.0.1", err)
		_, err = c.Create(e.P("/net"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "127.0.0.0/8"}})
		e.Err("create ip:127.0.0.0/8", err)
		_, _, err = c.Get(e.P("/net"))
		e.Err("get from inside the network", err)
		_, err = c.Create(e.P("/far"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "10.0.0.0/8"}})
		e.Err("create ip:10.0.0.0/8", err)
		_, _, err = c.Get(e.P("/far"))
		e.Err("get from outside the network", err)
		_, err = c.Create(e.P("/bad"), nil, 0, []zk.ACL{{Perms: zk.PermAll, Scheme: "ip", ID: "not-an-ip"}})
		e.Err("create with a malformed ip", err)
	}},
	{Name: "acl-versions", Run: func(e *Env) {
		c := e.ZK()
		_, err := c.Create(e.P("/v"), nil, 0, open)
		e.Err("create", err)
		st, err := c.SetACL(e.P("/v"), zk.WorldACL(zk.PermAll&^zk.PermDelete), 0)
		e.Err("setACL version 0", err)
		e.ZKStat("stat", st)
		_, err = c.SetACL(e.P("/v"), open, 0)
		e.Err("setACL stale version", err)
		st, err = c.SetACL(e.P("/v"), open, -1)
		e.Err("setACL any version", err)
		e.ZKStat("stat", st)
		_, err = c.SetACL(e.P("/none"), open, -1)
		e.Err("setACL missing node", err)
		_, err = c.SetACL(e.P("/v"), []zk.ACL{}, -1)
		e.Err("setACL empty", err)
	}},
	{Name: "acl-redacted-for-readers", Run: func(e *Env) {
		c := e.ZK()
		e.Err("addAuth", c.AddAuth("digest", []byte("erin:pw")))
		acl := append(zk.DigestACL(zk.PermAll, "erin", "pw"), zk.WorldACL(zk.PermRead)...)
		_, err := c.Create(e.P("/r"), nil, 0, acl)
		e.Err("create", err)
		other := e.ZK()
		got, _, err := other.GetACL(e.P("/r"))
		recordACL(e, "getACL as a reader", got, err)
		got, _, err = c.GetACL(e.P("/r"))
		recordACL(e, "getACL as the admin", got, err)
	}},
	{Name: "acl-super-digest", Run: func(e *Env) {
		c := e.ZK()
		e.Err("addAuth", c.AddAuth("digest", []byte("frank:pw")))
		_, err := c.Create(e.P("/f"), []byte("x"), 0, zk.DigestACL(zk.PermAll, "frank", "pw"))
		e.Err("create", err)
		root := e.ZK()
		_, _, err = root.Get(e.P("/f"))
		e.Err("get before super", err)
		e.Err("addAuth super", root.AddAuth("digest", []byte("super:secret")))
		data, _, err := root.Get(e.P("/f"))
		e.Err("get as super", err)
		e.Log("data: %q", data)
		_, err = root.Set(e.P("/f"), []byte("y"), -1)
		e.Err("set as super", err)
		e.Err("delete as super", root.Delete(e.P("/f"), -1))
	}},
	{Name: "whoami-and-auth-failure", Run: func(e *Env) {
		r := e.MustRaw()
		who := func(label string, xid int32) {
			rep := e.Call(label, r, xid, znode.OpWhoAmI, nil)
			var w jute.WhoAmIResponse
			e.Decode(rep, &w)
			for _, ci := range w.ClientInfo {
				e.Log("%s: %s %s", label, ci.AuthScheme, ci.User)
			}
		}
		who("whoAmI", 1)
		rep := e.Call("auth ip", r, jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "ip", Auth: []byte("1.2.3.4")})
		e.Log("auth ip: xid=%d zxid=%d %s", rep.Header.Xid, rep.Header.Zxid, CodeName(rep.Header.Err))
		rep = e.Call("auth digest", r, jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("gina:pw")})
		e.Log("auth digest: xid=%d zxid=%d %s", rep.Header.Xid, rep.Header.Zxid, CodeName(rep.Header.Err))
		who("whoAmI after digest", 2)
		rep = e.Call("auth super", r, jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte("super:secret")})
		e.Code("auth super", rep.Header.Err)
		who("whoAmI after super", 3)
		rep = e.Call("auth bogus", r, jute.XidAuth, znode.OpAuth, &jute.AuthPacket{Scheme: "bogus", Auth: []byte("x")})
		e.Log("auth bogus: xid=%d zxid=%d %s", rep.Header.Xid, rep.Header.Zxid, CodeName(rep.Header.Err))
		rep = e.Call("after a failed auth", r, 4, znode.OpExists, &jute.ExistsRequest{Path: e.Root})
		e.Code("after a failed auth", rep.Header.Err)
	}},
}
