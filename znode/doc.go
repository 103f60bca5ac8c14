// Package znode is ensemble's data tree: the znodes with their data, Stat
// and ACL, and the txns that change them, with Apache ZooKeeper 3.8's
// semantics.
//
// It owns path validation, node kinds (persistent, sequential, ephemeral,
// container, TTL), ACL checks, the leader-side step that turns a request into
// a complete txn, Apply, the running digest and the snapshot encoding.
//
// It is a deterministic state machine: no goroutines, no clocks, no I/O.
// Times arrive inside txns, chosen by the leader. It does not own sessions'
// expiry or watches (package session), persistence (package wal) or
// replication (package zab).
//
// # The tree
//
// A Tree holds the znodes, the table of live sessions (createSession and
// closeSession are txns, so the table is replicated state), the zxid of the
// last applied txn and a running digest. New returns what a new ZooKeeper
// 3.8 server holds: "/", "/zookeeper", "/zookeeper/quota" and
// "/zookeeper/config" (the last readable by anyone and writable by super
// only, as ZOOKEEPER-2014 made it).
//
// Znodes live in one github.com/google/btree ordered by (parent path,
// name): the children of a znode are one contiguous sorted range, and a
// parent always sorts before its children. Znode values are immutable; a
// change stores a new value (copy on write). ACL lists are shared between
// the znodes that have the same one, as ZooKeeper's ACL cache does.
//
// # Reads
//
// Reads take the caller's Auth and check permissions exactly where ZooKeeper
// 3.8.4's FinalRequestProcessor does:
//
//	Get, Children, AllChildrenNumber   READ
//	Exists                             READ on an existing znode (ZOOKEEPER-2590, 3.8.4)
//	GetACL                             READ or ADMIN; without ADMIN, digest hashes read "x"
//	Ephemerals                         none (the session's own znodes)
//
// A super caller (Identity{"super", ""}, or the digest identity equal to
// Options.SuperDigest) passes every check, and a znode with an empty ACL
// allows everything. Schemes are world, auth, digest and ip (IPv4 with an
// optional /bits), the providers ZooKeeper registers by default.
//
// # Writes: prepare on the leader, apply everywhere
//
// A write is a Request (CreateRequest, DeleteRequest, SetDataRequest,
// SetACLRequest, CheckRequest, MultiRequest, CreateSessionRequest,
// CloseSessionRequest, DeleteContainerRequest). The leader's Preparer, like
// ZooKeeper's PrepRequestProcessor, validates it against the tree plus the
// changes of every txn it has prepared that the tree has not applied yet,
// and returns a complete Txn: the sequential name resolved, the new
// versions computed, the session and the leader's time in the header, the
// list of ephemerals a closing session leaves, and the tree digest expected
// after it. Many writes can therefore be in flight and each still sees the
// ones before it. The leader proposes the txn; every replica (the leader
// too) applies it with Tree.Apply, which returns the Result the client's
// server replies with and the watch Events it fires. After applying, the
// leader calls Preparer.Applied(zxid) so the changes are read from the tree
// again; a new leader calls Preparer.Reset.
//
//	prep := znode.NewPreparer(tree)
//	txn, err := prep.Prepare(znode.Header{Session: s, Cxid: x, Zxid: z, Time: now}, req, auth)
//	// propose txn (txn.MarshalBinary), commit it, then on every replica:
//	res, events := tree.Apply(txn)
//	prep.Applied(z)
//
// The Preparer and Apply share one implementation of each change (see
// mutate.go), written against a small store interface that the tree and
// the Preparer's overlay both implement, so the digest the leader predicts
// is the digest the replicas compute; a replica whose digest differs says
// so in Result.DigestMismatch.
//
// A request that fails validation is still a txn, as in ZooKeeper: an
// ErrorTxn carrying the error code, which takes a zxid, is logged and
// applied (changing nothing), so the reply goes out in order with the
// session's other writes. Checks are made in ZooKeeper's order, so a
// request with several faults fails with the code ZooKeeper gives. A multi
// is one txn and all or nothing; if an op fails, the txn records the ops
// before it as they were, the failing op's error, and
// ErrRuntimeInconsistency for the ops after it, and the result reports, as
// ZooKeeper's MultiResponse does, error results with code OK before the
// failing op, its error, and ErrRuntimeInconsistency after it. check is a
// txn alone as well as inside a multi, as in 3.8.
//
// Apply returns the events ZooKeeper fires: NodeCreated on the path and
// NodeChildrenChanged on the parent for a create; NodeDeleted on the path
// and NodeChildrenChanged on the parent for a delete (ZooKeeper delivers
// the NodeDeleted to the path's child watches too); NodeDataChanged for
// setData; nothing for setACL, check or the session txns, except the
// deletions a closeSession makes. Each event carries the txn's zxid.
//
// # Stat, cversion and sequential names
//
// Each znode stores ZooKeeper's StatPersisted, whose cversion counts the
// creations of children only: ZooKeeper's DataTree.deleteNode leaves it
// alone (it raises only pzxid). The Stat a client sees is computed as
// ZooKeeper's DataNode.copyStat does: cversion = 2*creations - children,
// which counts each creation and each deletion as one change, and the
// ephemeralOwner of a container or TTL znode reads 0. That is why a new
// server shows cversion -1 on "/" (one child, added without a txn), and
// why the sequential suffix, which PrepRequestProcessor takes from the
// stored cversion at prepare time, counts the parent's child creations
// (plain or sequential, persistent or ephemeral) but not its deletions,
// although deletions do raise the cversion clients see. The suffix is
// formatted "%010d", with Java's sign for a wrapped negative counter. A
// sequential create whose name is already taken fails with NodeExists, as
// in ZooKeeper.
//
// # Containers and TTL znodes
//
// A container's ephemeralOwner is 0x8000000000000000 and a TTL znode's has
// 0xff in the high byte and the TTL in the low 40 bits, as ZooKeeper
// encodes them; the tree also stores each znode's kind, so a session id
// with a high byte of 0xff is never taken for a TTL. TTL znodes need
// Options.TTLEnabled (zookeeper.extendedTypesEnabled). The leader's
// periodic check calls Tree.CleanupCandidates(now, max): containers with no
// children that have had one (or, with Options.ContainerMaxNeverUsed, that
// were never used for that long) and TTL znodes with no children unmodified
// for longer than their TTL; each becomes a DeleteContainerRequest, which
// is checked again at prepare time against the txn's time.
//
// # Sessions
//
// createSession adds the header's session id with its timeout;
// closeSession's txn lists the session's ephemerals as they will be once
// the txns in flight are applied (ZooKeeper's CloseSessionTxn.paths2Delete)
// and applying it deletes them and the session. A write from a session the
// tree (or a createSession in flight) does not know, or one closing in
// flight, fails with ErrSessionExpired, as ZooKeeper's checkSession makes
// it. Tree.Sessions gives the session tracker the table after a snapshot
// load. Session passwords are not replicated: like ZooKeeper, every server
// derives one from the session id.
//
// # Digest
//
// The running digest is ZooKeeper's (ZOOKEEPER-3114, digest version 2): the
// wrapping sum over znodes of CRC-32 (IEEE) of the path, the data and the
// persisted stat, with "/zookeeper/" and below excluded. The same tree has
// the same digest here as in ZooKeeper, and Apply keeps it in O(1) per
// changed znode.
//
// # Snapshots
//
// Tree.Snapshot is O(1): it clones the copy-on-write btrees, and since
// znode values are immutable the clone is the tree at exactly LastZxid,
// however long Snapshot.WriteTo takes while Apply goes on in another
// goroutine. ZooKeeper's snapshots are fuzzy (taken while the tree
// changes) and must be repaired by replaying txns over them, which is where
// ZOOKEEPER-3249 and 3127 came from; an exact snapshot has nothing to
// repair. Apply skips txns at or below LastZxid, so replaying a log from
// before the snapshot is harmless.
//
// The stream is versioned, cut into chunks that are each CRC-32C
// checksummed in a chain (a lost, repeated or reordered chunk fails like a
// flipped bit), and holds the sessions and the znodes in index order with
// prefix-compressed paths and shared ACLs (see snapshot.go for the
// grammar). ReadSnapshot verifies the checksums, the tree's structure
// (root first, sorted valid paths, parents present, no children of
// ephemerals, owners that fit their kind, counts) and recomputes the
// digest, which must equal the stored one: a corrupt stream is an error
// wrapping ErrCorrupt, never a different tree. The ephemeral, container and
// TTL indexes are rebuilt from the znodes.
//
// Txns have their own compact versioned encoding (Txn.MarshalBinary,
// UnmarshalTxn). The records mirror ZooKeeper's field for field, so a codec
// can also speak ZooKeeper's own formats; the decoder bounds every length
// by the bytes left and never panics.
//
// # Concurrency
//
// A Tree is safe for concurrent use: reads run in parallel under a read
// lock and Apply and Snapshot take the write lock. Values returned are
// copies. A Preparer is for one goroutine, the leader's.
//
// # Where this differs from ZooKeeper, and why
//
//   - Snapshots are exact, not fuzzy, and Apply skips txns the tree already
//     holds; ZooKeeper's replay-repair rules (raising cversion on a
//     NodeExists create) are therefore not needed and not kept.
//   - Apply refuses to delete a znode that has children, or to create one
//     under an ephemeral, and rolls back a multi whose op fails at apply;
//     ZooKeeper's DataTree trusts its leader. Every replica refuses alike, so
//     a bad txn cannot split the tree or orphan part of it.
//   - deleteContainer re-checks that the znode is a container or TTL znode
//     still due at the txn's time; ZooKeeper re-checks only that it is empty
//     and not an ephemeral, so a TTL znode written just after being chosen
//     could be deleted.
//   - Options.MaxDataSize bounds the data (ErrBadArguments past it), where
//     ZooKeeper bounds the whole packet by jute.maxbuffer and drops the
//     connection; the default is the same 0xfffff bytes.
//   - Reads with a path that is not valid find nothing (ErrNoNode), as in
//     ZooKeeper, except that "" is not an alias of the root.
//   - The outstanding changes are keyed by normalized paths; ZooKeeper keys
//     the root both as "" (as a parent) and "/" (as a target), so its view
//     of the root in flight could split.
//   - Quotas under /zookeeper/quota are stored but not accounted or
//     enforced (ZooKeeper enforces them only with enforceQuota, off by
//     default). Reconfig and local sessions are not here.
//   - NodeCount counts each znode once; ZooKeeper's zk_znode_count also
//     counts the root's alias.
package znode
