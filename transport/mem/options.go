package mem

import "time"

// Defaults for the fields of Options left zero, the same as transport/tcp's.
const (
	DefaultQueueSize   = 8192
	DefaultEventBuffer = 1024
	DefaultMaxPayload  = 64 << 20
)

// Options configures a Network. Fields that are zero (or negative) take the
// defaults.
type Options struct {
	// IDs, if not empty, is the fixed set of servers: Send to any other id
	// returns transport.ErrUnknownPeer, as transport/tcp does for an id
	// missing from its Config.Peers. If empty, every id is a peer, reachable
	// while it has an open endpoint.
	IDs []uint64
	// QueueSize is how many messages may be in flight from one endpoint to
	// another (default 8192); one more is an overflow that breaks the
	// connection, as in transport/tcp.
	QueueSize int
	// EventBuffer is the capacity of each endpoint's Events channel
	// (default 1024; negative means unbuffered).
	EventBuffer int
	// MaxPayload is the largest payload Send accepts (default 64 MiB).
	MaxPayload int
	// StallTimeout, if positive, breaks a connection that has been impaired
	// (partitioned either way, or with a paused end) for this long, with
	// both ends told: what tcp's read timeout and heartbeats do. If zero,
	// an impaired connection stays up and holds its messages until the
	// fault is healed (then they arrive, late but in order) or the
	// connection is broken.
	StallTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultQueueSize
	}
	switch {
	case o.EventBuffer == 0:
		o.EventBuffer = DefaultEventBuffer
	case o.EventBuffer < 0:
		o.EventBuffer = 0
	}
	if o.MaxPayload <= 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	o.IDs = append([]uint64(nil), o.IDs...)
	return o
}
