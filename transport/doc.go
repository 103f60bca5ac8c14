// Package transport is the contract between ensemble's protocol cores and
// the network: send an opaque payload to a peer id, receive payloads and
// connection changes as Events. Zab needs FIFO channels that are loud about
// breaks (a broken channel loses everything after the break and the peer must
// resync), and this package says exactly what "FIFO" and "loud" mean.
//
// It owns the Transport interface, the Event type, the error values every
// implementation wraps, and the rules below. It does not own any encoding of
// election or Zab messages (payloads are opaque bytes), peer discovery, or
// goroutines: the implementations are transport/tcp (real sockets,
// optional mutual TLS) and transport/mem (in-process, with partitions, drops,
// delays and pauses for Node-level tests). The conformance suite in
// transport/transporttest runs the same rules against both. The deterministic
// simulator (internal/sim) has its own simulated network with the same rules.
//
// # Connections
//
// A transport keeps at most one connection per peer. Events for one peer P
// follow this grammar, Connected opening a connection and Disconnected ending
// it:
//
//	( Disconnected | Connected Message* Disconnected )* [ Connected Message* ]
//
// So a Message always arrives between a Connected and the next Disconnected
// for its peer, and Connected is never repeated without a Disconnected in
// between. A Disconnected without a Connected before it reports messages
// dropped while no connection existed (a failed dial, an overflow).
//
// # Delivery
//
// Each message passed to Send is delivered at most once: never duplicated,
// never reordered with other messages to the same peer, never delivered on a
// later connection than the one it was queued for. Each connection has a
// break point in the sequence of Sends to its peer: what was sent before the
// break point and not yet delivered when the receiver reports Disconnected
// is lost, and the receiver never sees it; what is sent after the break point
// waits for the next connection. What the receiver gets from one connection
// is therefore a prefix of what was sent on it, in order. A sender cannot
// tell where the prefix ends, exactly as with TCP.
//
// Every loss is reported to the sender: a message that is not delivered is
// always followed, at the sender, by a Disconnected for that peer. Both sides
// observe a break: when a connection ends for any reason (either side closed
// or restarted, the network failed, a bad frame arrived, a queue overflowed,
// Disconnect was called), each side that reported Connected for it reports
// Disconnected, except a transport being closed, whose Events channel just
// closes. A dead network is noticed by timeouts (tcp: Config.Timeout,
// refreshed by heartbeats; mem: Options.StallTimeout).
//
// Messages received on a connection were sent after the sender's previous
// break point, but maybe before the sender had read its own Disconnected
// for that break: a peer's core can send a few more messages of its old
// state onto a new connection. Cores must validate messages against their
// state for the peer (Zab: a learner's first message must be FOLLOWERINFO)
// rather than assume a new connection starts clean.
//
// # Sending
//
// Send never blocks for long: it appends to a bounded queue per peer and
// returns. With no connection, Send queues the message and starts one (tcp
// dials, within its backoff). If the connection cannot be made, everything
// queued is dropped and the sender gets one Disconnected wrapping
// ErrUnreachable per failed attempt; it gets nothing if nothing was queued.
// Later Sends try again. A queue that overflows is treated as a broken
// connection: the queue is dropped, the connection broken, Send returns
// ErrQueueFull and Disconnected follows. This is deliberate: a peer that
// cannot keep up would make TCP push back until Zab's own timeouts broke the
// connection anyway, and the leader must not block on its slowest follower.
// Size the queue above the cores' pipeline depth.
//
// # What a core must do on Disconnected(P)
//
// Treat every message sent to P and not yet acknowledged by P's protocol
// reply as lost, and treat P as having lost its state about this channel:
//   - Zab leader: forget P's learner handler state (sync position, pending
//     acks); P comes back with FOLLOWERINFO and is synchronized again
//     (DIFF, TRUNC or SNAP).
//   - Zab follower or observer, for the leader: stop following and go back
//     to discovery (or election), as ZooKeeper's Learner does when its
//     socket to the leader breaks.
//   - Election: nothing is owed, but send the current vote again when the
//     peer is next connected, as ZooKeeper does on each new connection.
//
// A Disconnected also ends what was Connected: messages from P that follow
// belong to a new connection, announced by a new Connected.
//
// # Events
//
// The Events channel is shared by all peers and never drops an event; the
// consumer must keep reading it. A slow consumer stalls the readers, which
// pushes back on the peers through TCP until their queues overflow: the
// consumer is the Node's event loop and must not block.
package transport
