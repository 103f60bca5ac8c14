// Package zab is ZooKeeper's atomic broadcast protocol (Zab: discovery,
// synchronization, broadcast) as a deterministic state machine, in the style
// of etcd-io/raft: the host feeds it peer messages (Step), ticks (Tick) and
// completed persistence (Persisted), and takes its output with Ready:
// durable state to store, entries to append, messages to send, committed
// txns to apply.
//
// The full usage contract is being written; see the Ready type for the order
// of its steps.
package zab
