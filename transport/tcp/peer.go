package tcp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"

	"github.com/ensemble-go/ensemble/transport"
)

// peer is the state of the channel to one peer. Its link goroutine (link.go)
// owns connecting and writing; Send, Disconnect and the acceptor change the
// shared part under mu and wake it.
type peer struct {
	t     *Transport
	id    uint64
	addr  string
	dials bool // our id is larger: we make the connections (ZooKeeper's rule)
	tls   *tls.Config
	wake  chan struct{} // capacity 1: "look at the shared state again"

	mu      sync.Mutex
	queue   [][]byte // waiting for cur, or for the next connection
	cur     *conn    // the installed connection, nil when down
	pending *conn    // accepted connection not installed yet (only when !dials)
	lost    error    // messages dropped while down, not yet reported
	callMe  bool     // the peer asked us to connect (only when dials)
	// seenInc and seenGen identify the last connection installed from the
	// larger peer (only when !dials); a call-me request carries them.
	seenInc, seenGen uint64
	resetBackoff     bool

	// Link goroutine only.
	prev      *conn // the last installed connection, whose Disconnected must come first
	gen       uint64
	failures  int
	rng       *rand.Rand
	spare     [][]byte
	notBefore int64 // unix nanoseconds before which no new attempt is made
}

// signal wakes the link goroutine.
func (p *peer) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// breakLocked marks c broken with err, the first reason winning. If c is
// the installed connection, it is uninstalled and the queue for it is
// dropped: this is the connection's break point. The caller closes c's
// socket after unlocking. It reports whether c was broken by this call.
func (p *peer) breakLocked(c *conn, err error) bool {
	if c.broken {
		return false
	}
	c.broken = true
	c.err = err
	c.brokenFlag.Store(true)
	if p.cur == c {
		p.cur = nil
		p.clearQueueLocked()
	}
	return true
}

// dropLocked drops the queue with err: it breaks the installed connection
// (returned, for the caller to close) or, when down, records the loss so the
// link reports it.
func (p *peer) dropLocked(err error) *conn {
	if c := p.cur; c != nil {
		p.breakLocked(c, err)
		return c
	}
	if len(p.queue) > 0 && p.lost == nil {
		p.lost = err
	}
	p.clearQueueLocked()
	return nil
}

func (p *peer) clearQueueLocked() {
	clear(p.queue) // let the payloads be collected
	p.queue = p.queue[:0]
}

// breakConn breaks c with err and closes its socket.
func (p *peer) breakConn(c *conn, err error) {
	p.mu.Lock()
	p.breakLocked(c, err)
	p.mu.Unlock()
	p.t.closeConn(c)
}

// connErr returns why c broke.
func (p *peer) connErr(c *conn) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return c.err
}

// read is c's reader goroutine. It waits for the previous connection's
// reader to finish, reports lost (messages dropped before c, if any), then
// Connected, then c's messages, then c's Disconnected, and closes c.done.
// Being the only one to report c's events keeps them in order.
func (p *peer) read(c *conn, prev *conn, lost error) {
	defer close(c.done)
	if prev != nil {
		select {
		case <-prev.done:
		case <-p.t.done:
			return
		}
	}
	if lost != nil && !p.t.emit(transport.Event{Kind: transport.Disconnected, Peer: p.id, Err: lost}) {
		return
	}
	if !p.t.emit(transport.Event{Kind: transport.Connected, Peer: p.id}) {
		return
	}
	fr := newFrameReader(deadlineReader{c: c.rw, timeout: p.t.cfg.Timeout}, p.t.cfg.MaxFrame)
	for {
		payload, err := fr.next()
		if err == nil && c.brokenFlag.Load() {
			err = errBrokenHere
		}
		if err != nil {
			p.breakConn(c, wrapLost(err))
			err = p.connErr(c)
			if errorsIsFrame(err) {
				p.t.log.Warn("closing connection: bad frame", "peer", p.id, "error", err)
			} else {
				p.t.log.Debug("connection lost", "peer", p.id, "error", err)
			}
			p.t.emit(transport.Event{Kind: transport.Disconnected, Peer: p.id, Err: err})
			return
		}
		if len(payload) == 0 {
			continue // heartbeat
		}
		if !p.t.emit(transport.Event{Kind: transport.Message, Peer: p.id, Payload: payload}) {
			return
		}
	}
}

// errBrokenHere is the read error of a connection this side broke while its
// reader was busy; the reason recorded by the breaker wins over it.
var errBrokenHere = errors.New("broken by this side")

func wrapLost(err error) error { return fmt.Errorf("%w: %w", transport.ErrConnectionLost, err) }

// errorsIsFrame tells bad frames (worth a warning) from ordinary breaks.
func errorsIsFrame(err error) bool {
	return errors.Is(err, ErrFrameTooLarge) || errors.Is(err, io.ErrUnexpectedEOF)
}
