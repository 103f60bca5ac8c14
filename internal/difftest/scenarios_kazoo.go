package difftest

// kazooScenarios drive kazoo (python3-kazoo), which sends what
// go-zookeeper/zk does not: getChildren (op 8), create2 and getChildren2
// through include_data, transactions with its own result handling, its
// own readOnly handshake byte, and its recipes.
var kazooScenarios = []Scenario{
	{Name: "kazoo-basic", Run: func(e *Env) {
		e.Kazoo(`
zk.ensure_path(ROOT + "/a/b")
rec("create", zk.create(ROOT + "/a/c", b"hello"))
data, st = zk.get(ROOT + "/a/c")
rec("data", data.decode())
stat("stat", st)
stat("set", zk.set(ROOT + "/a/c", b"bye", version=0))
err("set stale", lambda: zk.set(ROOT + "/a/c", b"x", version=0))
rec("children", sorted(zk.get_children(ROOT + "/a")))
err("children of missing", lambda: zk.get_children(ROOT + "/none"))
rec("exists missing", zk.exists(ROOT + "/none") is None)
err("create existing", lambda: zk.create(ROOT + "/a/c"))
err("delete non-empty", lambda: zk.delete(ROOT + "/a"))
err("delete recursive", lambda: zk.delete(ROOT + "/a", recursive=True))
rec("gone", zk.exists(ROOT + "/a") is None)
`)
	}},
	{Name: "kazoo-include-data", Run: func(e *Env) {
		e.Kazoo(`
path, st = zk.create(ROOT + "/n", b"d", include_data=True)
rec("create2 path", path)
stat("create2 stat", st)
path, st = zk.create(ROOT + "/s-", sequence=True, include_data=True)
rec("sequential path", path)
kids, st = zk.get_children(ROOT, include_data=True)
rec("children", sorted(kids))
stat("children2 stat", st)
`)
	}},
	{Name: "kazoo-transaction", Run: func(e *Env) {
		e.Kazoo(`
zk.create(ROOT + "/x", b"0")
t = zk.transaction()
t.create(ROOT + "/y", b"y")
t.check(ROOT + "/x", 0)
t.set_data(ROOT + "/x", b"1")
t.delete(ROOT + "/y")
res = t.commit()
rec("committed", [r if isinstance(r, (str, bool)) else type(r).__name__ for r in res])
t = zk.transaction()
t.create(ROOT + "/z", b"z")
t.check(ROOT + "/x", 0)
t.delete(ROOT + "/x")
res = t.commit()
rec("failed", [type(r).__name__ if isinstance(r, Exception) else r for r in res])
rec("z absent", zk.exists(ROOT + "/z") is None)
data, st = zk.get(ROOT + "/x")
rec("x", data.decode())
`)
	}},
	{Name: "kazoo-watches", Run: func(e *Env) {
		e.Kazoo(`
import threading
events = []
got = threading.Semaphore(0)
def watcher(ev):
    events.append((ev.type, ev.path))
    got.release()
zk.create(ROOT + "/w", b"0")
zk.get(ROOT + "/w", watch=watcher)
zk.get_children(ROOT + "/w", watch=watcher)
zk.exists(ROOT + "/missing", watch=watcher)
other = client()
other.set(ROOT + "/w", b"1")
other.create(ROOT + "/w/k")
other.create(ROOT + "/missing")
for _ in range(3):
    got.acquire(timeout=10)
rec("events", sorted(events))
other.stop(); other.close()
`)
	}},
	{Name: "kazoo-acl", Run: func(e *Env) {
		e.Kazoo(`
zk.add_auth("digest", "kim:pw")
acl = make_digest_acl("kim", "pw", all=True)
zk.create(ROOT + "/k", b"s", acl=[acl])
acls, st = zk.get_acls(ROOT + "/k")
rec("acls", [(a.perms, a.id.scheme, a.id.id) for a in acls])
stat("stat", st)
other = client()
err("anonymous read", lambda: other.get(ROOT + "/k"))
err("anonymous setACL", lambda: other.set_acls(ROOT + "/k", [make_acl("world", "anyone", all=True)]))
stat("owner setACL", zk.set_acls(ROOT + "/k", [acl, make_acl("world", "anyone", read=True)]))
data, _ = other.get(ROOT + "/k")
rec("anonymous read after", data.decode())
other.stop(); other.close()
`)
	}},
	{Name: "kazoo-lock-recipe", Run: func(e *Env) {
		e.Kazoo(`
import re
lock = zk.Lock(ROOT + "/lock", "me")
rec("acquired", lock.acquire(timeout=10))
rec("contenders", lock.contenders())
kids = zk.get_children(ROOT + "/lock")
rec("lock nodes", [re.sub(r"^[0-9a-f]+__", "ID__", k) for k in kids])
lock.release()
rec("after release", zk.get_children(ROOT + "/lock"))
`)
	}},
	// Not reconfig: kazoo 2.8 does not know RECONFIGDISABLED (-123) and
	// its connection thread dies on it, against ZooKeeper too.
	{Name: "kazoo-server-info", Run: func(e *Env) {
		e.Kazoo(`
v = zk.server_version()
rec("server major.minor", list(v[:2]))
rec("ruok", zk.command(b"ruok"))
rec("sync", zk.sync(ROOT))
`)
	}},
	{Name: "kazoo-ephemeral-session", Run: func(e *Env) {
		e.Kazoo(`
other = client()
rec("other session", session=other.client_id[0])
other.create(ROOT + "/e", b"", ephemeral=True)
other.create(ROOT + "/es-", b"", ephemeral=True, sequence=True)
stat("ephemeral", zk.exists(ROOT + "/e"))
other.stop(); other.close()
zk.sync(ROOT)
rec("left", zk.get_children(ROOT))
`)
	}},
}
