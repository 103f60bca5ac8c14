package transport

import "fmt"

// Transport is one channel of peer-to-peer messages: the Node opens one on
// the election address and one on the quorum address. The package doc states
// the contract every implementation keeps.
type Transport interface {
	// Send queues payload for peer to and returns at once. Messages to one
	// peer leave in Send order. If there is no connection to the peer, Send
	// starts one and the message waits for it. The transport reads payload
	// later, from another goroutine: the caller must not modify it after
	// Send, but may send the same slice to many peers.
	//
	// A nil error means queued, not delivered. Errors: ErrClosed,
	// ErrUnknownPeer, ErrEmptyPayload, ErrTooLarge (nothing queued, nothing
	// else happened) and ErrQueueFull (the queue to the peer overflowed: the
	// message and everything queued with it are dropped, the connection is
	// broken and a Disconnected event follows).
	Send(to uint64, payload []byte) error

	// Events delivers received messages and connection changes, in order
	// per peer. The channel is closed once Close has stopped everything.
	// The consumer must keep reading it: a transport never drops an event,
	// so a stalled consumer stalls the transport's readers.
	Events() <-chan Event

	// Close breaks every connection, stops every goroutine of the
	// transport and then closes the Events channel. Sends after Close
	// return ErrClosed. Close is idempotent.
	Close() error
}

// Disconnecter is implemented by transports that can break a connection on
// request, the way a ZooKeeper leader drops a learner that fell behind: both
// sides get Disconnected, messages still queued or in flight are lost, and
// the next Send starts a new connection. Both transport/mem and
// transport/tcp implement it.
type Disconnecter interface {
	// Disconnect breaks the connection to peer. Without a connection it
	// drops whatever is queued for the peer, reporting Disconnected if
	// anything was. Errors: ErrClosed, ErrUnknownPeer.
	Disconnect(peer uint64) error
}

// Kind says what an Event is.
type Kind uint8

// Event kinds.
const (
	// Message carries a payload received from Peer.
	Message Kind = iota + 1
	// Connected says a new connection to Peer is up. It precedes the first
	// message received on that connection.
	Connected
	// Disconnected says messages to Peer may have been lost: the
	// connection broke, or it could not be made, or the queue overflowed.
	// Err says why.
	Disconnected
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Message:
		return "message"
	case Connected:
		return "connected"
	case Disconnected:
		return "disconnected"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Event is something that happened on the channel to one peer.
type Event struct {
	Kind Kind
	// Peer is the id of the peer the event concerns.
	Peer uint64
	// Payload is a Message's bytes. The receiver owns them.
	Payload []byte
	// Err is why a Disconnected happened. It wraps ErrConnectionLost,
	// ErrUnreachable or ErrQueueFull, and the cause below them.
	Err error
}

// String describes the event for logs and test failures.
func (e Event) String() string {
	switch e.Kind {
	case Message:
		return fmt.Sprintf("%v from %d (%d bytes)", e.Kind, e.Peer, len(e.Payload))
	case Disconnected:
		return fmt.Sprintf("%v from %d: %v", e.Kind, e.Peer, e.Err)
	}
	return fmt.Sprintf("%v to %d", e.Kind, e.Peer)
}
