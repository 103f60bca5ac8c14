// Package session is ensemble's session and watch bookkeeping, with Apache
// ZooKeeper's rules: session ids and passwords, session expiry, and the
// watch manager.
//
// # What it owns
//
//   - Session ids (IDGenerator): the server id in the top byte, a time in
//     the next five bytes, a counter in the low two, as ZooKeeper's
//     SessionTrackerImpl.initializeNextSessionId makes them.
//   - Session passwords (Password, CheckPassword): derived from the id and
//     an ensemble-wide secret, so any peer can check a reattaching client
//     without the password being stored anywhere.
//   - Expiry (Tracker), on the leader: sessions are bucketed by tick like
//     ZooKeeper's ExpiryQueue, touched by every request and ping, and Tick
//     reports the sessions that expired.
//   - Liveness from learners (TouchSet, AppendTouches, DecodeTouches): a
//     follower or observer collects the sessions its clients kept alive and
//     sends them with its next PING; the leader applies them with
//     Tracker.TouchAll.
//   - Watches (Watches), per server: data, exists and child watches
//     (one-shot), persistent and persistent-recursive watches (addWatch),
//     checkWatches and removeWatches, the events each txn fires, the
//     setWatches replay for a reconnecting client (Reattach), and the
//     counts behind the wchs, wchc and wchp four-letter words.
//
// # What it does not own
//
//   - The session table (id → timeout) and ephemeral nodes are replicated
//     state inside package znode: creating and closing a session are txns
//     applied there, and applying a closeSession deletes the session's
//     ephemerals on every replica at the same zxid.
//   - Txns are built by the Node: this package reports which sessions
//     expired; the Node proposes their closeSession txns.
//   - ACL checks on watch events, the wire encoding of events, and which
//     connection a WatcherID stands for belong to the host.
//
// Like znode, election and zab, session is a pure core: no goroutines, no
// clocks, no I/O, no randomness. Time is a tick count advanced by the host;
// the only wall-clock input, the time that seeds session ids, is passed in.
// Nothing here is safe for concurrent use; the Node serialises calls.
//
// # Sessions across servers and leaders
//
// A client's session lives on the leader's Tracker. The server the client
// is connected to touches it: on the leader, Tracker.Touch directly; on a
// learner, TouchSet.Touch, and each PING to the leader carries
// AppendTouches(TouchSet.Touched()). When Tracker.Tick reports expired
// sessions, they are closing (Tracker.Touch fails, so their requests get
// SESSIONEXPIRED) until the Node's closeSession txn is applied and it calls
// Tracker.Remove.
//
// The Tracker holds nothing that must survive a leader change. A new leader
// makes a new Tracker and Adds every session in the replicated session
// table; each gets a full timeout counted from then, so a session survives
// a leader change as long as its client reaches some server within its
// timeout. A client that moves to another server presents its id and
// password; CheckPassword validates them on any peer, and
// Tracker.SetOwner and Tracker.Check implement ZooKeeper's SESSIONMOVED
// rule.
//
// # Watches
//
// The host gives each watcher an id (normally the session id of the
// connection), registers watches as reads with watch=true and addWatch
// requests are served, and after applying each txn passes the events the
// tree fired to Watches.AppendTrigger, in zxid order, and sends each
// delivery to its watcher. Deliveries of one event come in increasing
// watcher order, so two runs with the same inputs send the same bytes.
// When a connection closes the host calls RemoveAll.
//
// # Where ensemble differs from ZooKeeper, and why
//
//   - The watch rules are ZooKeeper 3.9's, which fixed 3.8's handling of
//     several watch kinds on one path (ZOOKEEPER-4466, 4471, 4472, 4475):
//     in 3.8 a getData watch set on a path with a persistent watch
//     replaced the persistent one, and removeWatches could not remove a
//     persistent watch alone. WatcherType Persistent (4) and
//     PersistentRecursive (5) exist only from 3.9.
//   - ZooKeeper keeps two tables (data and child watches); ensemble keeps
//     one with a set of kinds per (watcher, path), which gives the same
//     deliveries with one lookup per event and one entry per watch.
//   - Deliveries are ordered by watcher id; ZooKeeper's follow a HashSet.
//   - Passwords are an HMAC under a secret rather than java.util.Random
//     seeded with a constant, which anyone can reproduce.
//   - wchs, wchc and wchp count every watch; ZooKeeper's look only at the
//     data table, missing clients with only child watches.
//   - A session that is closing is not given a new expiry by Add; in
//     ZooKeeper trackSession would re-queue it and expire it twice.
package session
