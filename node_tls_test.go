package ensemble

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTestPKI writes a CA and a server certificate for 127.0.0.1 as PEM
// files in dir: ca.pem, and server.pem holding the chain and the key, the
// layout of ZooKeeper's ssl.keyStore.type=PEM.
func writeTestPKI(t *testing.T, dir string) (caPool *x509.CertPool) {
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "ensemble"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	server := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})...)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.pem"), server, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

// TestSecureClientPortFromZooCfg serves ZooKeeper clients over TLS on the
// secureClientPort of a zoo.cfg with PEM key stores, and connects
// go-zookeeper/zk to it.
func TestSecureClientPortFromZooCfg(t *testing.T) {
	dir := t.TempDir()
	pool := writeTestPKI(t, dir)
	port := portOf(freeAddr(t))
	cfgPath := filepath.Join(dir, "zoo.cfg")
	writeFile(t, cfgPath, "tickTime=50\ndataDir="+filepath.Join(dir, "data")+
		"\nsecureClientPort="+port+"\nsecureClientPortAddress=127.0.0.1\n"+
		"ssl.keyStore.location="+filepath.Join(dir, "server.pem")+"\nssl.keyStore.type=PEM\n")
	cfg, err := ParseZooCfg(cfgPath)
	require.NoError(t, err)
	require.NotNil(t, cfg.ClientTLS)
	cfg.LogSegmentSize = 1 << 20
	n, err := Start(cfg)
	require.NoError(t, err)
	defer n.Close()
	<-n.Ready()

	dialTLS := func(network, address string, timeout time.Duration) (net.Conn, error) {
		d := &net.Dialer{Timeout: timeout}
		return tls.DialWithDialer(d, network, address, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	}
	conn, events, err := zk.Connect([]string{"127.0.0.1:" + port}, time.Second, zk.WithDialer(dialTLS), zk.WithLogInfo(false))
	require.NoError(t, err)
	defer conn.Close()
	deadline := time.After(10 * time.Second)
	for connected := false; !connected; {
		select {
		case ev := <-events:
			connected = ev.State == zk.StateHasSession
		case <-deadline:
			t.Fatal("no session over TLS")
		}
	}
	_, err = conn.Create("/secure", []byte("yes"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	data, _, err := conn.Get("/secure")
	require.NoError(t, err)
	assert.Equal(t, []byte("yes"), data)

	// Plain text on the secure port gets no session.
	raw, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second)
	require.NoError(t, err)
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(2 * time.Second))
	_, err = raw.Write([]byte("ruok"))
	require.NoError(t, err)
	buf := make([]byte, 16)
	n2, _ := raw.Read(buf)
	assert.NotEqual(t, "imok", string(buf[:n2]))
}
