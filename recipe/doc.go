// Package recipe is ZooKeeper's recipes for Go services: locks, leader
// election, configuration, group membership, barriers, queues and
// counters, each a few lines to use.
//
//	lock := recipe.NewLock(client, "/locks/jobs", "worker-7")
//	held, err := lock.Lock(ctx) // blocks; honours ctx
//	if err != nil { ... }
//	defer lock.Unlock(ctx)
//	doWork(held) // held is canceled if the lock is lost
//
// # What it owns
//
//   - Lock: a fair exclusive lock on ephemeral-sequential nodes; each
//     waiter watches only its predecessor; the holder gets a context that
//     ends when the lock is lost. RWLock: its read-write form.
//   - Election: campaign, resign, the leader's identity, a channel of
//     leader changes; leadership is a context that ends when it is lost.
//   - Config: a typed value at a znode, kept current by watches, with a
//     channel of new values; PutConfig writes one.
//   - Group: membership by ephemeral nodes, listed and watched.
//   - Barrier, DoubleBarrier, Queue (FIFO) and Counter (compare-and-set on
//     the znode's version).
//
// # What it does not own
//
// The session. Every recipe works through the small Client interface,
// which an *ensemble.Client (a session on an in-process peer) satisfies
// as it is, and a client of another library satisfies through a thin
// adapter: package recipe/gozk is one, for go-zookeeper/zk, so the same
// recipes run over the wire against any ZooKeeper server. (DESIGN.md
// lets recipe import the root package; it does not need to, and so is
// not tied to the in-process client.) A recipe never opens, reopens or closes a session: when the
// session ends, the recipes on it end too (a lock or a leadership is
// lost, watchers close their channels), and starting again means a new
// session and new recipes. This is ZooKeeper's own rule: a new session
// cannot own the old one's ephemeral nodes.
//
// # Interoperability
//
// Node names and the order of contenders are those of kazoo, the Python
// client, so a Go service and a Python one contend for the same lock,
// campaign in the same election, share a queue or a counter, and see
// each other in a group (kazoo's Party). NewCuratorLock names and orders
// its nodes as Apache Curator's InterProcessMutex does instead, for Java
// services. The exact rules are in lock_order.go.
//
// # Where this differs from kazoo and Curator, and why
//
//   - Lock and Campaign return a context that is canceled, with ErrLost as
//     its cause, when the lock or the leadership is lost: the session
//     ended or the node was deleted. kazoo and Curator leave it to the
//     caller to listen to connection states; a context is how Go code
//     stops work.
//   - A holder whose client knows its session timeout renews a lease: a
//     write to its node every sixth of the timeout; when none goes through
//     for half of it, the lock (or leadership) counts as lost. A holder cut
//     off from the quorum cannot learn that the majority expired its
//     session, and an in-process client has no connection whose loss
//     would warn it (Curator's SUSPENDED); without the lease, it would
//     hold the lock alongside the next holder.
//   - A read lock waits only for the write locks queued before it, as
//     ZooKeeper's recipe and kazoo 2.9 do; kazoo 2.8 (Debian's) also waits
//     for later ones, which can deadlock (kazoo issue 649).
//   - NewLock waits for readers queued before it, as kazoo's WriteLock
//     does; kazoo's plain Lock ignores readers. At a path without readers
//     the two are the same.
//   - DoubleBarrier's last process to leave removes the "ready" node;
//     kazoo's first does, which can strand a process that entered but had
//     not yet seen "ready".
//   - Retries: an error that leaves a write's outcome unknown
//     (znode.ErrConnectionLoss: a lost connection or, in process, a write
//     waiting or in flight when the peer lost its leader) is retried after
//     a short pause where repeating the write is safe (creating paths,
//     config, barriers, leaving a group, and every step of a lock, which
//     finds an unsure create again by the UUID in its name). Where it is
//     not (Queue.Put and Take, Counter.Add, Group.Join), the error is
//     returned and says the write may have happened, as kazoo's recipes
//     would after their retries run out. Watchers retry failed reads.
package recipe
