package wire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// handshake serves the first frame of a connection: a four-letter word or
// a ConnectRequest. It returns nil when a session is open, errGraceful
// when the connection is answered and done, or why it failed.
func (c *conn) handshake() error {
	deadline := time.Now().Add(c.srv.cfg.HandshakeTimeout)
	_ = c.nc.SetDeadline(deadline)
	ctx, cancel := context.WithDeadline(c.ctx, deadline)
	defer cancel()

	if tc, ok := c.nc.(*tls.Conn); ok {
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("wire: TLS handshake: %w", err)
		}
		// ZooKeeper's X509AuthenticationProvider: a verified client
		// certificate is an identity.
		if certs := tc.ConnectionState().PeerCertificates; len(certs) > 0 {
			c.addIdentity(znode.Identity{Scheme: "x509", ID: certs[0].Subject.String()})
		}
	}

	var lb [4]byte
	if _, err := io.ReadFull(c.br, lb[:]); err != nil {
		return err
	}
	if word, ok := fourLetterWord(lb); ok {
		c.srv.stats.received.Add(1)
		c.answerWord(ctx, word)
		return errGraceful
	}
	frame, err := c.readBody(lb)
	if err != nil {
		return err
	}
	var req jute.ConnectRequest
	d := jute.NewDecoder(frame)
	req.Decode(d)
	if d.Err() != nil {
		return errors.Join(ErrBadFrame, d.Err())
	}

	h := Handshake{
		SessionID:    req.SessionID,
		Password:     req.Passwd,
		Timeout:      c.srv.cfg.clampTimeout(req.TimeOut),
		LastZxidSeen: req.LastZxidSeen,
		ReadOnly:     req.ReadOnly,
		Remote:       c.nc.RemoteAddr(),
	}
	sess, err := c.srv.backend.Connect(ctx, h, c)
	resp := jute.ConnectResponse{HasReadOnly: req.HasReadOnly}
	switch {
	case err == nil:
		resp.TimeOut, resp.SessionID, resp.Passwd, resp.ReadOnly = sess.Timeout, sess.ID, sess.Password, sess.ReadOnly
	case errors.Is(err, znode.ErrSessionExpired):
		// ZooKeeper answers an expired or unknown session with a zero
		// session and a zero password, then closes.
		resp.Passwd = make([]byte, 16)
	default:
		return fmt.Errorf("wire: connect refused: %w", err)
	}
	c.enc.Reset()
	c.enc.Int(0)
	resp.Encode(&c.enc)
	b := patchLength(c.enc.Bytes(), 0)
	if _, werr := c.nc.Write(b); werr != nil {
		return werr
	}
	c.st.sent.Add(1)
	c.srv.stats.sent.Add(1)
	if err != nil {
		return errGraceful
	}

	c.session.Store(sess.ID)
	c.timeout = time.Duration(sess.Timeout) * time.Millisecond
	c.lastZxid = req.LastZxidSeen
	c.st.setEstablished(time.Now(), sess.Timeout)
	c.established.Store(true)
	_ = c.nc.SetDeadline(time.Time{})
	return nil
}

// patchLength writes the length of b[at+4:] into b[at:at+4] and returns b.
func patchLength(b []byte, at int) []byte {
	n := uint32(len(b) - at - 4)
	b[at], b[at+1], b[at+2], b[at+3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return b
}
