package wire_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// testPKI is a CA with a server certificate for 127.0.0.1 and a client
// certificate, made fresh for each test.
type testPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	leaf := func(serial int64, name pkix.Name, usage x509.ExtKeyUsage, ips []net.IP) tls.Certificate {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: name, IPAddresses: ips,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		require.NoError(t, err)
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return testPKI{
		pool:   pool,
		server: leaf(2, pkix.Name{CommonName: "server"}, x509.ExtKeyUsageServerAuth, []net.IP{net.ParseIP("127.0.0.1")}),
		client: leaf(3, pkix.Name{CommonName: "client", Organization: []string{"ensemble"}}, x509.ExtKeyUsageClientAuth, nil),
	}
}

// startTLS serves the secure client port: a TLS listener, as the Node
// makes from secureClientPort and the ssl.* keys.
func startTLS(t *testing.T, pki testPKI) *testServer {
	t.Helper()
	b, err := wiretest.New(wiretest.Options{TickTime: 50 * time.Millisecond})
	require.NoError(t, err)
	srv, err := wire.NewServer(wire.Config{TickTime: 50 * time.Millisecond}, b)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	tlsLn := tls.NewListener(ln, &tls.Config{
		Certificates: []tls.Certificate{pki.server},
		ClientCAs:    pki.pool,
		ClientAuth:   tls.VerifyClientCertIfGiven,
		MinVersion:   tls.VersionTLS12,
	})
	ts := &testServer{srv: srv, backend: b, addr: ln.Addr().String(), served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve(tlsLn) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-ts.served, wire.ErrServerClosed)
		b.Close()
	})
	return ts
}

func TestTLSClientPort(t *testing.T) {
	pki := newPKI(t)
	ts := startTLS(t, pki)

	t.Run("go-zookeeper/zk over TLS", func(t *testing.T) {
		dialer := func(network, address string, timeout time.Duration) (net.Conn, error) {
			return tls.DialWithDialer(&net.Dialer{Timeout: timeout}, network, address, &tls.Config{RootCAs: pki.pool})
		}
		c, events, err := zk.Connect([]string{ts.addr}, 2*time.Second, zk.WithDialer(dialer), zk.WithLogger(quietLogger{}))
		require.NoError(t, err)
		defer c.Close()
		waitState(t, events, zk.StateHasSession)
		_, err = c.Create("/secure", []byte("s"), 0, openACL)
		require.NoError(t, err)
		data, _, err := c.Get("/secure")
		require.NoError(t, err)
		assert.Equal(t, "s", string(data))
	})

	t.Run("a client certificate is the x509 identity", func(t *testing.T) {
		c, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{TLS: &tls.Config{
			RootCAs: pki.pool, Certificates: []tls.Certificate{pki.client},
		}})
		require.NoError(t, err)
		defer c.Close()
		r, _ := call(t, c, 1, znode.OpWhoAmI, nil)
		var who jute.WhoAmIResponse
		require.NoError(t, r.Decode(&who))
		assert.ElementsMatch(t, []jute.ClientInfo{
			{AuthScheme: "ip", User: "127.0.0.1"},
			{AuthScheme: "x509", User: "CN=client,O=ensemble"},
		}, who.ClientInfo)
	})

	t.Run("four-letter words over TLS", func(t *testing.T) {
		c, err := wiretest.DialRaw(context.Background(), ts.addr, wiretest.DialOptions{TLS: &tls.Config{RootCAs: pki.pool}})
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.Write([]byte("srvr")))
		b := make([]byte, 4096)
		n, _ := c.Conn().Read(b)
		assert.Contains(t, string(b[:n]), "Zookeeper version: ")
	})

	t.Run("plain text on the secure port is refused", func(t *testing.T) {
		_, err := wiretest.Dial(context.Background(), ts.addr, wiretest.DialOptions{})
		require.Error(t, err)
	})
}
