package tcp_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTLSRefusals checks that a peer that fails TLS never gets a
// connection: the dialer (server 2, the larger) reports ErrUnreachable and
// the acceptor (server 1) reports nothing.
func TestTLSRefusals(t *testing.T) {
	ca, other := newPKI(t), newPKI(t)
	byCN := func(id uint64, st *tls.ConnectionState) error {
		if st == nil || len(st.PeerCertificates) == 0 {
			return errors.New("no certificate")
		}
		if cn, want := st.PeerCertificates[0].Subject.CommonName, fmt.Sprintf("server.%d", id); cn != want {
			return fmt.Errorf("certificate %q claims to be %q", cn, want)
		}
		return nil
	}
	tests := []struct {
		name     string
		acceptor func(cfg *tcp.Config) // server 1
		dialer   func(cfg *tcp.Config) // server 2
		ok       bool
	}{
		{"mutual TLS", func(c *tcp.Config) { c.TLS = ca.config(t, 1) }, func(c *tcp.Config) { c.TLS = ca.config(t, 2) }, true},
		{"dialer from another CA", func(c *tcp.Config) { c.TLS = ca.config(t, 1) }, func(c *tcp.Config) {
			c.TLS = other.config(t, 2)
			c.TLS.RootCAs = ca.pool // trusts the acceptor, but is not trusted
		}, false},
		{"acceptor from another CA", func(c *tcp.Config) {
			c.TLS = other.config(t, 1)
			c.TLS.ClientCAs = ca.pool
		}, func(c *tcp.Config) { c.TLS = ca.config(t, 2) }, false},
		{"dialer without certificate", func(c *tcp.Config) { c.TLS = ca.config(t, 1) }, func(c *tcp.Config) {
			c.TLS = ca.config(t, 2)
			c.TLS.Certificates = nil
		}, false},
		{"plaintext dialer", func(c *tcp.Config) { c.TLS = ca.config(t, 1) }, func(c *tcp.Config) {}, false},
		{"plaintext acceptor", func(c *tcp.Config) {}, func(c *tcp.Config) { c.TLS = ca.config(t, 2) }, false},
		{"verify peer accepts", func(c *tcp.Config) {
			c.TLS, c.VerifyPeer = ca.config(t, 1), byCN
		}, func(c *tcp.Config) { c.TLS, c.VerifyPeer = ca.config(t, 2), byCN }, true},
		{"verify peer refuses", func(c *tcp.Config) {
			c.TLS, c.VerifyPeer = ca.config(t, 1), byCN
		}, func(c *tcp.Config) {
			c.TLS = ca.config(t, 3) // a valid certificate, for another server
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []uint64{1, 2}, func(id uint64, cfg *tcp.Config) {
				if id == 1 {
					tc.acceptor(cfg)
				} else {
					tc.dialer(cfg)
				}
			})
			a, b := h.Start(t, 1), h.Start(t, 2)
			sa, sb := transporttest.NewStream(t, a), transporttest.NewStream(t, b)
			require.NoError(t, b.Send(1, []byte("hello")))
			if !tc.ok {
				ev := sb.Expect(transport.Disconnected, 1)
				assert.ErrorIs(t, ev.Err, transport.ErrUnreachable)
				_, got := sa.TryNext()
				assert.False(t, got, "the acceptor reported a refused connection")
				return
			}
			sb.Expect(transport.Connected, 1)
			sa.Expect(transport.Connected, 2)
			assert.Equal(t, "hello", string(sa.Expect(transport.Message, 2).Payload))
		})
	}
}
