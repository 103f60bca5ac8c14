package transport

import "errors"

// Errors returned by Send and carried by Disconnected events. Every
// implementation wraps these, so callers match them with errors.Is whichever
// transport they run on.
var (
	// ErrClosed: the transport was closed.
	ErrClosed = errors.New("transport: closed")
	// ErrUnknownPeer: the id is not one of the transport's peers. A
	// transport's own id is never a peer.
	ErrUnknownPeer = errors.New("transport: unknown peer")
	// ErrEmptyPayload: payloads must have at least one byte (a zero-length
	// frame is the tcp transport's heartbeat).
	ErrEmptyPayload = errors.New("transport: empty payload")
	// ErrTooLarge: the payload is larger than the transport's maximum frame.
	ErrTooLarge = errors.New("transport: payload too large")
	// ErrQueueFull: more messages were queued for a peer than the queue
	// holds. The queue was dropped and the connection broken, as TCP
	// back-pressure would have broken it later anyway.
	ErrQueueFull = errors.New("transport: queue to peer full")
	// ErrUnreachable: a connection to the peer could not be made (refused,
	// timed out, handshake or TLS failure, partitioned).
	ErrUnreachable = errors.New("transport: peer unreachable")
	// ErrConnectionLost: an established connection broke (closed by either
	// side, reset, timed out, bad frame, replaced by a newer connection).
	ErrConnectionLost = errors.New("transport: connection lost")
)
