package tcp

import (
	"crypto/tls"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Defaults for the zero fields of Config.
const (
	DefaultMaxFrame    = 64 << 20
	DefaultQueueSize   = 8192
	DefaultEventBuffer = 1024
	DefaultDialTimeout = 5 * time.Second
	DefaultBackoffMin  = 50 * time.Millisecond
	DefaultBackoffMax  = 5 * time.Second
	DefaultHeartbeat   = 1 * time.Second
	DefaultTimeout     = 10 * time.Second
)

// Config configures a Transport. Zero fields take the defaults above. New
// copies it; the caller's Config is never modified.
type Config struct {
	// ID is this server's id (ZooKeeper's myid).
	ID uint64
	// Peers maps every server id to its address for this channel: the
	// quorum port or the election port of server.N=host:quorumPort:
	// electionPort. It may include ID itself, which is not a peer. The
	// peer set is fixed for the transport's life (dynamic reconfiguration
	// will add a method; it is not there yet).
	Peers map[uint64]string
	// Listen is the address to accept connections on. Empty means
	// Peers[ID] (set "0.0.0.0:port" for quorumListenOnAllIPs).
	Listen string
	// Listener, if not nil, is used instead of Listen. Once New succeeds
	// the transport owns it and closes it on Close.
	Listener net.Listener
	// TLS, if not nil, wraps every connection in TLS with this config, in
	// both directions. For mutual TLS (ZooKeeper's sslQuorum) set
	// Certificates, RootCAs, ClientCAs and ClientAuth =
	// tls.RequireAndVerifyClientCert. An empty ServerName is set per peer
	// to the host of its address.
	TLS *tls.Config
	// VerifyPeer, if not nil, is called on both sides of every handshake
	// with the id the other side claims and its TLS state (nil without
	// TLS); an error refuses the connection. Use it to tie certificates to
	// server ids.
	VerifyPeer func(id uint64, state *tls.ConnectionState) error
	// MaxFrame is the largest payload accepted, in bytes, on send and on
	// receive (default 64 MiB, at most 2^31-1). Zab's SNAP carries a whole
	// snapshot: a larger snapshot must be chunked above this layer.
	MaxFrame int
	// QueueSize is how many messages may wait for one peer (default 8192);
	// one more is an overflow: the queue is dropped and the connection
	// broken.
	QueueSize int
	// EventBuffer is the capacity of the Events channel (default 1024).
	EventBuffer int
	// DialTimeout bounds a dial plus its TLS and transport handshakes
	// (default 5s). A smaller id waits twice this for the larger one to
	// call back.
	DialTimeout time.Duration
	// BackoffMin and BackoffMax bound the wait between failed connection
	// attempts to one peer: it doubles from BackoffMin up to BackoffMax,
	// with jitter (defaults 50ms and 5s).
	BackoffMin, BackoffMax time.Duration
	// Heartbeat is how long a connection may carry nothing from this side
	// before an empty frame is sent to keep it alive (default 1s). It must
	// be less than Timeout.
	Heartbeat time.Duration
	// Timeout breaks a connection on which nothing (not even a heartbeat)
	// has arrived, or a write has not progressed, for this long (default
	// 10s). It is how a dead network or a paused peer is noticed.
	Timeout time.Duration
	// Seed seeds the backoff jitter. Zero means a random seed.
	Seed uint64
	// Logger receives connection changes (debug) and rejected connections
	// and bad frames (warn). Nil means silent.
	Logger hclog.Logger
}

// withDefaults returns a validated copy of c with defaults filled in.
func (c Config) withDefaults() (Config, error) {
	peers := make(map[uint64]string, len(c.Peers))
	for id, addr := range c.Peers {
		if id != c.ID && addr == "" {
			return c, fmt.Errorf("%w: Peers[%d]: empty address", ErrConfig, id)
		}
		peers[id] = addr
	}
	c.Peers = peers
	if c.Listen == "" {
		c.Listen = c.Peers[c.ID]
	}
	if c.Listener == nil && c.Listen == "" {
		return c, fmt.Errorf("%w: Listen: empty, and Peers has no address for ID %d", ErrConfig, c.ID)
	}
	setInt(&c.MaxFrame, DefaultMaxFrame)
	setInt(&c.QueueSize, DefaultQueueSize)
	setInt(&c.EventBuffer, DefaultEventBuffer)
	setDur(&c.DialTimeout, DefaultDialTimeout)
	setDur(&c.BackoffMin, DefaultBackoffMin)
	setDur(&c.BackoffMax, DefaultBackoffMax)
	setDur(&c.Heartbeat, DefaultHeartbeat)
	setDur(&c.Timeout, DefaultTimeout)
	switch {
	case c.MaxFrame < 1 || c.MaxFrame > math.MaxInt32:
		return c, fmt.Errorf("%w: MaxFrame: %d, must be 1 to %d", ErrConfig, c.MaxFrame, math.MaxInt32)
	case c.QueueSize < 1:
		return c, fmt.Errorf("%w: QueueSize: %d, must be positive", ErrConfig, c.QueueSize)
	case c.EventBuffer < 0:
		return c, fmt.Errorf("%w: EventBuffer: %d, must not be negative", ErrConfig, c.EventBuffer)
	case c.DialTimeout < 0, c.BackoffMin < 0, c.BackoffMax < 0, c.Heartbeat < 0, c.Timeout < 0:
		return c, fmt.Errorf("%w: DialTimeout, BackoffMin, BackoffMax, Heartbeat and Timeout must not be negative", ErrConfig)
	case c.BackoffMin > c.BackoffMax:
		return c, fmt.Errorf("%w: BackoffMin %v is more than BackoffMax %v", ErrConfig, c.BackoffMin, c.BackoffMax)
	case c.Heartbeat >= c.Timeout:
		return c, fmt.Errorf("%w: Heartbeat %v must be less than Timeout %v", ErrConfig, c.Heartbeat, c.Timeout)
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	return c, nil
}

func setInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func setDur(v *time.Duration, def time.Duration) {
	if *v == 0 {
		*v = def
	}
}
