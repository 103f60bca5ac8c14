package tcp

import (
	"net"
	"sync/atomic"
)

// conn is one established connection to a peer. Its reader goroutine is
// the only one to report Messages on it and, when it ends, its Disconnected,
// which keeps the events for the peer in order.
type conn struct {
	raw     net.Conn // the socket: closing it breaks reads and writes at once
	rw      net.Conn // raw, or the tls.Conn over it
	gen     uint64   // the larger id's number for this connection
	peerInc uint64   // the peer's incarnation
	done    chan struct{}

	// broken and err are set once, under the peer's mutex, by whoever
	// breaks the connection first; brokenFlag lets the reader stop
	// delivering without taking the lock.
	broken     bool
	err        error
	brokenFlag atomic.Bool
}

func newConn(raw, rw net.Conn, gen, peerInc uint64) *conn {
	return &conn{raw: raw, rw: rw, gen: gen, peerInc: peerInc, done: make(chan struct{})}
}
