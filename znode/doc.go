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
package znode
