// Package gozk runs the recipes over the ZooKeeper wire protocol with
// github.com/go-zookeeper/zk: Connect opens a session on any ZooKeeper
// server (an ensemble peer's client port, or Apache ZooKeeper itself) and
// returns a recipe.Client.
//
// It owns the translation between the two libraries: contexts, error
// values (each error matches both the znode code and go-zookeeper's own
// error with errors.Is), Stat, ACLs, create modes, watch channels and
// session states. It does not own the connection: go-zookeeper reconnects
// and re-sets watches by itself.
//
// # How it differs from the in-process client, and why
//
//   - go-zookeeper's calls take no context: a context is checked before
//     each call, and a call in flight is bounded by go-zookeeper's own
//     timeouts. Waiting on a watch honours the context as usual.
//   - Each watch costs a goroutine until it fires or the session ends, to
//     turn go-zookeeper's events into znode events.
//   - When go-zookeeper reports the session expired it would open a new
//     session by itself; here the Client ends instead (Expired is closed,
//     Err is znode.ErrSessionExpired) and closes the connection, because a
//     recipe's ephemeral nodes belong to the old session.
//   - Timeout reports the session timeout asked for; go-zookeeper does not
//     expose the one the server granted. Ask for one within the server's
//     bounds, or a lock's lease is longer than the session.
package gozk
