// Package tcp is the transport.Transport of a real ensemble: one per
// channel, on the quorum port or the election port of
// server.N=host:quorumPort:electionPort, over TCP with optional mutual TLS.
//
// It owns sockets, the handshake, framing, the one-connection-per-pair rule,
// reconnection with backoff, heartbeats and timeouts, and the goroutines
// that do them. It keeps every rule of package transport (FIFO per pair,
// losses always reported, both sides observing a break). It does not own
// what the payloads mean, nor the peer set's changes (the set is fixed at
// New; dynamic reconfiguration will add a method).
//
// # Wire format
//
// A connection opens with a handshake (handshake.go has the byte layout):
// the dialer sends a 48-byte hello (magic, protocol version, kind, its id,
// the id it meant to reach, its incarnation) and the acceptor answers with a
// 16-byte reply carrying its own incarnation. Then both directions carry
// frames: a 4-byte big-endian length and that many payload bytes. A
// zero-length frame is a heartbeat. A length over Config.MaxFrame (default
// 64 MiB; Zab's SNAP must be chunked above that), a stream cut inside a
// frame, bad magic, another version, an unknown or wrong id, or a hello in
// the wrong direction closes that one connection with a log line. Nothing
// read from a socket can panic, and the acceptor never allocates more than
// 1 MiB ahead of the bytes that actually arrive.
//
// # One connection per pair
//
// Like ZooKeeper's QuorumCnxManager, only the larger id keeps a connection.
// A larger id dials and sends a connect hello. A smaller id that has
// something to send dials too, but only to send a call-me hello: the larger
// id answers "will dial" and closes, then dials back. So there is never more
// than one data connection per pair, and no race between two half-made ones
// to resolve: nothing is ever sent on a connection that could lose a
// tie-break. The call-me hello names the last connection the smaller id
// accepted (the larger id's incarnation and that connection's number), so
// the larger id can tell a stale request from a real loss, and a restarted
// smaller id (new incarnation) from the old one: it breaks its connection
// only when the peer has truly given it up. A new connection from the larger
// id replaces the old one on the smaller side (the larger id only dials when
// it has given the old one up).
//
// # Sending and receiving
//
// Send appends to a bounded queue per peer (Config.QueueSize) and wakes the
// peer's link goroutine, which connects if needed and writes the queue in
// batches through a buffer flushed whenever the queue runs empty: no
// goroutine per message, one system call for many messages under load.
// Each connection has one reader goroutine; it alone reports the
// connection's Connected, Messages and Disconnected, which keeps the events
// of one peer in order (a new connection's reader waits for the previous
// one's Disconnected). Small payloads are carved from shared 32 KiB slabs,
// so receiving costs about one allocation per slab.
//
// Without a connection, messages wait in the queue while the link connects:
// a larger id dials, a smaller id sends call-me and waits up to twice
// DialTimeout for the dial back. If that fails, the queue is dropped and
// one Disconnected wrapping transport.ErrUnreachable is reported (none if
// nothing was queued); failed attempts back off exponentially from
// BackoffMin to BackoffMax with seeded jitter, and messages sent during the
// wait are queued for the next attempt. A call-me from the peer cuts the
// wait short.
//
// Each side sends a heartbeat when it has written nothing for Heartbeat, and
// breaks a connection on which nothing has arrived for Timeout, or on which
// a write has not progressed for Timeout. A dead network, a paused peer or a
// half-open connection left by a crashed host is thus reported within
// Timeout, on both sides.
//
// # TLS
//
// With Config.TLS set, every connection (data and call-me) is TLS from the
// first byte, with the same tls.Config serving both as client and server
// (ZooKeeper's sslQuorum). Mutual authentication is the caller's choice of
// ClientAuth; the transport's own handshake runs inside TLS.
// Config.VerifyPeer can tie the peer's certificate to the id it claims.
// Without TLS the peers are trusted, as on ZooKeeper's plain quorum ports:
// anyone who can reach a port can claim an id, break that id's connection
// with a forged call-me, or send it frames.
//
// # Goroutines
//
// One accept loop, one link goroutine per peer, one reader per open
// connection, and one short-lived goroutine per connection being handshaken
// (at most 64 at once; more are refused). Close stops all of them and
// returns once they have stopped.
package tcp
