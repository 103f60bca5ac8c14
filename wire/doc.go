// Package wire serves Apache ZooKeeper's client protocol, byte-compatible
// with ZooKeeper 3.8, so that existing clients (the Java client and
// Curator, kazoo, go-zookeeper/zk, the C client, zkCli) connect to an
// ensemble peer unchanged.
//
// # What it owns
//
//   - The client port: listeners (plain and TLS), the per-address
//     connection limit (maxClientCnxns), frames bounded by jute.maxbuffer.
//   - The connect handshake as ZooKeeper 3.8 with ZOOKEEPER-4814: the
//     trailing readOnly byte is optional and echoed only when sent; the
//     session timeout is clamped to [MinSessionTimeout, MaxSessionTimeout];
//     an expired session is answered with a zero session; a client ahead
//     of the server is closed without an answer.
//   - Every request of the protocol, decoded with package jute and mapped
//     to the Backend: writes to Backend.Write as znode requests, reads and
//     watch operations to Backend.Local, sync to Backend.Sync; auth
//     (digest, ip, the super digest, x509 on TLS), whoAmI, and reconfig and
//     sasl answered as a ZooKeeper with them disabled answers.
//   - Ordering: replies in request order per session with pipelining
//     (writes go to the Backend as they arrive; a read runs only once
//     every earlier request of its session has completed), and watch
//     events merged with replies by zxid so that a client sees an event
//     before any reply showing its change. Backend documents the rules it
//     must keep for this.
//   - The four-letter words with ZooKeeper 3.8's output and the
//     4lw.commands.whitelist rule.
//
// # What it does not own
//
// Sessions, the tree, ACL checks, watches and replication belong to the
// rest of ensemble, reached only through the Backend interface: wire
// never imports the Node. It does not parse zoo.cfg (the caller builds
// Config and the *tls.Config) and keeps no state that outlives a
// connection.
//
// # Goroutines
//
// A Server runs one goroutine per listener (the caller's, in Serve) and
// two per connection: a reader and a writer. There is no goroutine per
// request: local ops are run by the writer, in batches, and writes
// complete through the Backend's callbacks. Close stops them all and waits
// for them.
//
// # Where wire differs from ZooKeeper, and why
//
//   - Bad input (a length out of range, a truncated record, an op not
//     allowed where it appears) closes the connection, as in ZooKeeper;
//     an unknown op code is first answered with UNIMPLEMENTED, as
//     ZooKeeper's UnimplementedRequestProcessor does.
//   - A request wire refuses itself (createTTL with a mode that is not a
//     TTL mode, a multi holding a read) is answered at once with the
//     connection's last zxid, where ZooKeeper spends a zxid on an error
//     txn.
//   - The srvr header prints the pre-3.7 date form "MM/dd/yyyy HH:mm GMT",
//     which parsers of both the old and the new form accept, where 3.7+
//     prints an ISO date that breaks go-zookeeper/zk's FLWSrvr.
//   - envi reports the Go runtime (go.version, go.maxprocs) where
//     ZooKeeper reports the JVM's java.* properties; mntr reports the
//     figures ensemble has, not ZooKeeper's several hundred metrics.
//   - A client that stops reading is closed once its writes stall past the
//     session timeout or MaxQueuedEvents events wait for it, bounding the
//     memory one client can hold.
//   - cons lists only connections that have a session, and always prints
//     lcxid: ZooKeeper also lists connections in their handshake (the one
//     asking included) and omits lcxid before the first request, lines
//     go-zookeeper/zk's FLWCons cannot parse.
//
// # Compatibility details worth knowing
//
// A connection's identities are kept in the order ZooKeeper's hash set
// iterates them, not the order they were added: whoAmI lists them so, and
// an "auth" ACL entry expands to them so. A create2 inside a multi is
// answered like a create (the path, no Stat), as ZooKeeper 3.8 does, while
// createContainer and createTTL inside a multi answer as create2. Watch
// notifications carry zxid -1 in their header, as in 3.8.
package wire
