// Package wiretest is a wire.Backend built from ensemble's real parts in
// one process, without replication: a znode.Tree, a znode.Preparer that
// turns each write into a txn, a session.Tracker that expires sessions by
// tick and a session.Watches that routes events. Every txn is prepared
// and applied at once, in one critical section, so it behaves like a
// standalone ZooKeeper.
//
// It also has Client, a raw jute client that sends exactly the frames it
// is given and reads frames one by one, for what no client library sends
// and for checking the exact order of replies and events; and FourLetter
// for the four-letter words.
//
// It exists for tests: wire's own, and the differential suite
// (internal/difftest) until the Node serves the client port. It owns
// nothing the Node will keep; the Node implements wire.Backend itself
// over zab and wal.
//
// The one goroutine it runs, the tick loop that expires sessions, stops
// with Close.
package wiretest
