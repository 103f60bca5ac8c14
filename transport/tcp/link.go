package tcp

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ensemble-go/ensemble/transport"
)

// run is the peer's link goroutine: one per peer for the transport's life.
// It alternates between down (no connection: wait for work, connect with
// backoff) and up (write the queue to the connection in batches).
func (p *peer) run() {
	for !p.t.closing.Load() {
		p.mu.Lock()
		c := p.cur
		p.mu.Unlock()
		var ok bool
		if c == nil {
			ok = p.down()
		} else {
			ok = p.up(c)
		}
		if !ok {
			return
		}
	}
}

// settle waits for the previous connection's reader to have reported its
// Disconnected, so that the link's own events (losses while down) never
// overtake it. False means the transport is closing.
func (p *peer) settle() bool {
	if p.prev == nil {
		return true
	}
	select {
	case <-p.prev.done:
		p.prev = nil
		return true
	case <-p.t.done:
		return false
	}
}

// report emits a Disconnected for messages dropped while down.
func (p *peer) report(err error) bool {
	return p.settle() && p.t.emit(transport.Event{Kind: transport.Disconnected, Peer: p.id, Err: err})
}

// down runs while there is no connection, until one is installed; false
// means the transport is closing.
func (p *peer) down() bool {
	for {
		p.mu.Lock()
		if c := p.pending; c != nil {
			p.pending = nil
			p.mu.Unlock()
			return p.install(c)
		}
		if p.cur != nil { // cannot happen: only install sets cur
			p.mu.Unlock()
			return true
		}
		if lost := p.lost; lost != nil {
			p.lost = nil
			p.mu.Unlock()
			if !p.report(lost) {
				return false
			}
			continue
		}
		if p.resetBackoff {
			p.resetBackoff = false
			p.failures, p.notBefore = 0, 0
		}
		work := len(p.queue) > 0 || p.callMe
		wait := time.Duration(p.notBefore - time.Now().UnixNano())
		if work && wait <= 0 {
			p.callMe = false // this attempt answers it
		}
		p.mu.Unlock()

		if !work {
			select {
			case <-p.wake:
				continue
			case <-p.t.done:
				return false
			}
		}
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-p.wake:
			case <-timer.C:
			case <-p.t.done:
				timer.Stop()
				return false
			}
			timer.Stop()
			continue
		}

		var c *conn
		var err error
		if p.dials {
			c, err = p.dial()
		} else {
			c, err = p.callBack()
		}
		if c != nil {
			return p.install(c)
		}
		if p.t.closing.Load() {
			return false
		}
		p.failures++
		p.notBefore = time.Now().Add(backoff(p.failures, p.t.cfg.BackoffMin, p.t.cfg.BackoffMax, p.rng)).UnixNano()
		err = fmt.Errorf("%w: peer %d at %s: %w", transport.ErrUnreachable, p.id, p.addr, err)
		p.t.log.Debug("cannot connect", "peer", p.id, "error", err, "failures", p.failures)
		p.mu.Lock()
		dropped := len(p.queue) > 0 || p.lost != nil
		p.lost = nil
		p.clearQueueLocked()
		p.mu.Unlock()
		if dropped && !p.report(err) {
			return false
		}
	}
}

// install makes c the connection and starts its reader, which reports any
// loss still unreported, then Connected, then c's messages. The link goes on
// writing at once: only the reader waits for the consumer. False means the
// transport is closing.
func (p *peer) install(c *conn) bool {
	if p.t.closing.Load() {
		p.t.closeConn(c)
		return false
	}
	p.mu.Lock()
	lost := p.lost
	p.lost = nil
	p.cur = c
	p.callMe = false
	if !p.dials {
		p.seenInc, p.seenGen = c.peerInc, c.gen
	}
	p.mu.Unlock()
	p.failures, p.notBefore = 0, 0
	prev := p.prev
	p.prev = c
	p.t.log.Debug("connected", "peer", p.id, "gen", c.gen)
	p.t.spawn(func() { p.read(c, prev, lost) })
	return true
}

// up writes the queue to c until c breaks or a newer connection replaces
// it. Frames are batched in a buffer that is flushed whenever the queue runs
// empty; an idle connection gets a heartbeat. False means the transport is
// closing.
func (p *peer) up(c *conn) bool {
	cfg := &p.t.cfg
	bw := bufio.NewWriterSize(deadlineWriter{c: c.rw, timeout: cfg.Timeout}, 64<<10)
	heartbeat := time.NewTimer(cfg.Heartbeat)
	defer heartbeat.Stop()
	fail := func(err error) bool {
		p.breakConn(c, wrapLost(err))
		return true
	}
	for {
		if p.t.closing.Load() {
			return false
		}
		p.mu.Lock()
		if p.cur != c {
			p.mu.Unlock()
			return true // broken elsewhere; its reader reports it
		}
		if next := p.pending; next != nil {
			// The peer made a new connection: it no longer uses this one.
			p.pending = nil
			p.breakLocked(c, wrapLost(errReplaced))
			p.mu.Unlock()
			p.t.closeConn(c)
			return p.install(next)
		}
		if len(p.queue) == 0 {
			p.mu.Unlock()
			if bw.Buffered() > 0 {
				if err := bw.Flush(); err != nil {
					return fail(err)
				}
				heartbeat.Reset(cfg.Heartbeat)
			}
			select {
			case <-p.wake:
			case <-c.done:
			case <-heartbeat.C:
				if err := writeFrame(bw, nil); err != nil {
					return fail(err)
				}
				if err := bw.Flush(); err != nil {
					return fail(err)
				}
				heartbeat.Reset(cfg.Heartbeat)
			case <-p.t.done:
				return false
			}
			continue
		}
		batch := p.queue
		p.queue = p.spare[:0]
		p.mu.Unlock()
		var err error
		for i, m := range batch {
			if err == nil {
				err = writeFrame(bw, m)
			}
			batch[i] = nil
		}
		p.spare = batch[:0]
		if err != nil {
			return fail(err)
		}
	}
}

// errReplaced is why a connection ends when the larger peer makes a new one.
var errReplaced = errors.New("replaced by a newer connection from the peer")

// dial makes a data connection to the peer (our id is larger).
func (p *peer) dial() (*conn, error) {
	raw, rw, err := p.connect()
	if err != nil {
		return nil, err
	}
	p.gen++
	h := hello{kind: kindConnect, from: p.t.cfg.ID, to: p.id, inc: p.t.inc, gen: p.gen}
	rep, err := p.exchange(rw, h, statusAccepted)
	if err == nil {
		err = raw.SetDeadline(time.Time{})
	}
	if err != nil {
		p.t.closeSocket(raw)
		return nil, err
	}
	return newConn(raw, rw, p.gen, rep.inc), nil
}

// callBack asks the larger peer to connect to us and waits for it to.
func (p *peer) callBack() (*conn, error) {
	p.mu.Lock()
	h := hello{kind: kindCallMe, from: p.t.cfg.ID, to: p.id, inc: p.t.inc, seenInc: p.seenInc, seenGen: p.seenGen}
	p.mu.Unlock()
	raw, rw, err := p.connect()
	if err == nil {
		_, err = p.exchange(rw, h, statusWillDial)
		p.t.closeSocket(raw)
	}
	// The peer may have connected on its own meanwhile.
	wait := 2 * p.t.cfg.DialTimeout
	if err != nil {
		wait = 0
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		p.mu.Lock()
		c := p.pending
		p.pending = nil
		p.mu.Unlock()
		if c != nil {
			return c, nil
		}
		if err != nil {
			return nil, err
		}
		select {
		case <-p.wake:
		case <-timer.C:
			return nil, fmt.Errorf("peer did not connect back within %v", wait)
		case <-p.t.done:
			return nil, transport.ErrClosed
		}
	}
}

// connect opens a socket to the peer and, with TLS, shakes hands. The
// socket's deadline bounds the rest of the handshake.
func (p *peer) connect() (raw, rw net.Conn, err error) {
	d := net.Dialer{Timeout: p.t.cfg.DialTimeout}
	raw, err = d.DialContext(p.t.ctx, "tcp", p.addr)
	if err != nil {
		return nil, nil, err
	}
	if !p.t.track(raw) {
		return nil, nil, transport.ErrClosed
	}
	if err := raw.SetDeadline(time.Now().Add(p.t.cfg.DialTimeout)); err != nil {
		p.t.closeSocket(raw)
		return nil, nil, err
	}
	rw = raw
	if p.tls != nil {
		tc := tls.Client(raw, p.tls)
		if err := tc.HandshakeContext(p.t.ctx); err != nil {
			p.t.closeSocket(raw)
			return nil, nil, fmt.Errorf("TLS handshake: %w", err)
		}
		rw = tc
	}
	return raw, rw, nil
}

// exchange sends our hello and reads the peer's reply.
func (p *peer) exchange(rw net.Conn, h hello, want uint8) (reply, error) {
	if _, err := rw.Write(h.encode()); err != nil {
		return reply{}, err
	}
	rep, err := readReply(rw, want)
	if err != nil {
		return reply{}, err
	}
	if v := p.t.cfg.VerifyPeer; v != nil {
		if err := v(p.id, tlsState(rw)); err != nil {
			return reply{}, fmt.Errorf("%w: peer %d refused by VerifyPeer: %w", ErrHandshake, p.id, err)
		}
	}
	return rep, nil
}
