// Package ensemble is Apache ZooKeeper rebuilt as a Go library.
//
// A Go service imports ensemble and hosts a quorum peer in-process; with
// three such services it has a replicated, durable znode tree with
// ZooKeeper's semantics. The same peers speak the ZooKeeper client wire
// protocol, so existing clients connect unchanged.
//
// The parts are independent packages, composed by the Node:
//
//	znode      the data tree: paths, Stat, ACLs, txns, Apply, digest, snapshots
//	session    session tracking (tick-based expiry) and watches
//	wal        the txn log, snapshots and epochs on disk, with group commit
//	election   FastLeaderElection as a pure state machine
//	zab        Zab (discovery, synchronization, broadcast) as a pure state machine
//	transport  the peer transport: tcp and in-memory
//	wire       the ZooKeeper client protocol
//	recipe     locks, leader election, config and other recipes
//
// The README lists what works today.
package ensemble
