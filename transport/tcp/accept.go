package tcp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"
)

// acceptLoop accepts connections until Close; each is handshaken in its own
// short-lived goroutine so a slow or silent dialer cannot hold up the rest.
func (t *Transport) acceptLoop() {
	var delay time.Duration
	for {
		raw, err := t.ln.Accept()
		if err != nil {
			if t.closing.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait and retry.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			t.log.Warn("accept failed", "error", err, "retry_in", delay)
			timer := time.NewTimer(delay)
			select {
			case <-timer.C:
			case <-t.done:
				timer.Stop()
				return
			}
			continue
		}
		delay = 0
		select {
		case t.shakers <- struct{}{}:
		default:
			t.log.Warn("too many connections handshaking, refusing one", "remote", raw.RemoteAddr().String())
			raw.Close()
			continue
		}
		if !t.track(raw) {
			<-t.shakers
			return
		}
		t.spawn(func() {
			defer func() { <-t.shakers }()
			if err := t.handshake(raw); err != nil {
				t.log.Warn("refused connection", "remote", raw.RemoteAddr().String(), "error", err)
				t.closeSocket(raw)
			}
		})
	}
}

// handshake answers one accepted connection. A call-me request is answered
// and closed; a data connection from a larger id is accepted and handed to
// the peer's link. Any error leaves the socket for the caller to close.
func (t *Transport) handshake(raw net.Conn) error {
	if err := raw.SetDeadline(time.Now().Add(t.cfg.DialTimeout)); err != nil {
		return err
	}
	rw := raw
	if t.cfg.TLS != nil {
		tc := tls.Server(raw, t.cfg.TLS)
		if err := tc.HandshakeContext(t.ctx); err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		rw = tc
	}
	h, err := readHello(rw)
	if err != nil {
		return err
	}
	me := t.cfg.ID
	p := t.peers[h.from]
	switch {
	case h.to != me:
		return fmt.Errorf("%w: addressed to server %d, this is %d", ErrHandshake, h.to, me)
	case p == nil:
		return fmt.Errorf("%w: unknown server %d", ErrHandshake, h.from)
	case h.kind == kindConnect && h.from < me:
		return fmt.Errorf("%w: server %d may not connect to larger server %d", ErrHandshake, h.from, me)
	case h.kind == kindCallMe && h.from > me:
		return fmt.Errorf("%w: server %d must connect, not ask %d to", ErrHandshake, h.from, me)
	}
	if v := t.cfg.VerifyPeer; v != nil {
		if err := v(h.from, tlsState(rw)); err != nil {
			return fmt.Errorf("%w: server %d refused by VerifyPeer: %w", ErrHandshake, h.from, err)
		}
	}
	if h.kind == kindCallMe {
		p.onCallMe(h)
		_, err := rw.Write(reply{status: statusWillDial, inc: t.inc}.encode())
		t.closeSocket(raw)
		if err != nil {
			t.log.Debug("call-me reply failed", "peer", h.from, "error", err)
		}
		return nil
	}
	if _, err := rw.Write(reply{status: statusAccepted, inc: t.inc}.encode()); err != nil {
		return err
	}
	if err := raw.SetDeadline(time.Time{}); err != nil {
		return err
	}
	p.offer(newConn(raw, rw, h.gen, h.inc))
	return nil
}

// onCallMe handles the smaller peer's request to be connected to. If our
// connection is one the peer no longer has (it restarted, or it says it lost
// exactly this one), the connection is broken; a request sent before our
// current connection reached the peer is stale and changes nothing.
func (p *peer) onCallMe(h hello) {
	p.mu.Lock()
	var broken *conn
	if c := p.cur; c != nil {
		var why error
		switch {
		case c.peerInc != h.inc:
			why = errors.New("peer restarted")
		case h.seenInc == p.t.inc && h.seenGen == c.gen:
			why = errors.New("peer lost the connection")
		}
		if why != nil && p.breakLocked(c, wrapLost(why)) {
			broken = c
		}
	}
	if p.cur == nil {
		p.callMe = true
		p.resetBackoff = true
	}
	p.mu.Unlock()
	p.t.closeConn(broken)
	p.signal()
}

// offer hands an accepted data connection to the link, replacing any other
// still waiting: the peer only dials when it has given up the earlier one.
func (p *peer) offer(c *conn) {
	p.mu.Lock()
	old := p.pending
	p.pending = c
	p.mu.Unlock()
	p.t.closeConn(old)
	p.signal()
}
