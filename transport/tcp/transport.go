package tcp

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/hashicorp/go-hclog"
)

// maxHandshakes bounds the connections being handshaken at once, so a flood
// of connections that never say hello costs sockets and goroutines only up to
// this many, each for at most DialTimeout.
const maxHandshakes = 64

// Transport is a transport.Transport over TCP (optionally TLS) for one
// channel: the election port or the quorum port.
type Transport struct {
	cfg   Config
	log   hclog.Logger
	inc   uint64 // this incarnation, nonzero
	ln    net.Listener
	peers map[uint64]*peer

	events chan transport.Event

	ctx     context.Context // canceled by Close; bounds dials
	cancel  context.CancelFunc
	closing atomic.Bool
	done    chan struct{} // closed by Close
	once    sync.Once
	wg      sync.WaitGroup
	live    atomic.Int64 // goroutines running, for tests
	shakers chan struct{}

	connsMu sync.Mutex
	conns   map[net.Conn]struct{} // every open socket, closed by Close
	closed  bool
}

var (
	_ transport.Transport    = (*Transport)(nil)
	_ transport.Disconnecter = (*Transport)(nil)
)

// New starts a transport: it listens, and starts one goroutine per peer
// that will connect when there is something to send. ctx bounds the setup
// (listening) only; the transport runs until Close.
func New(ctx context.Context, cfg Config) (*Transport, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var seed [16]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, fmt.Errorf("tcp: drawing an incarnation: %w", err)
	}
	inc := binary.BigEndian.Uint64(seed[:8]) | 1 // nonzero
	if cfg.Seed == 0 {
		cfg.Seed = binary.BigEndian.Uint64(seed[8:])
	}
	ln := cfg.Listener
	if ln == nil {
		var lc net.ListenConfig
		if ln, err = lc.Listen(ctx, "tcp", cfg.Listen); err != nil {
			return nil, fmt.Errorf("tcp: listening on %s: %w", cfg.Listen, err)
		}
	}
	t := &Transport{
		cfg:     cfg,
		log:     cfg.Logger.With("id", cfg.ID),
		inc:     inc,
		ln:      ln,
		peers:   make(map[uint64]*peer, len(cfg.Peers)),
		events:  make(chan transport.Event, cfg.EventBuffer),
		done:    make(chan struct{}),
		shakers: make(chan struct{}, maxHandshakes),
		conns:   make(map[net.Conn]struct{}),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	for id, addr := range cfg.Peers {
		if id == cfg.ID {
			continue
		}
		p := &peer{
			t:     t,
			id:    id,
			addr:  addr,
			dials: cfg.ID > id,
			wake:  make(chan struct{}, 1),
			rng:   mrand.New(mrand.NewPCG(cfg.Seed, id)),
		}
		if cfg.TLS != nil {
			p.tls = cfg.TLS.Clone()
			if p.tls.ServerName == "" {
				if host, _, err := net.SplitHostPort(addr); err == nil {
					p.tls.ServerName = host
				}
			}
		}
		t.peers[id] = p
	}
	t.spawn(t.acceptLoop)
	for _, p := range t.peers {
		t.spawn(p.run)
	}
	t.log.Debug("transport started", "listen", ln.Addr().String(), "peers", len(t.peers))
	return t, nil
}

// Addr is the address the transport accepts connections on.
func (t *Transport) Addr() net.Addr { return t.ln.Addr() }

// Events implements transport.Transport.
func (t *Transport) Events() <-chan transport.Event { return t.events }

// Send implements transport.Transport.
func (t *Transport) Send(to uint64, payload []byte) error {
	if len(payload) == 0 {
		return transport.ErrEmptyPayload
	}
	if len(payload) > t.cfg.MaxFrame {
		return fmt.Errorf("%w: %d bytes, maximum %d", transport.ErrTooLarge, len(payload), t.cfg.MaxFrame)
	}
	p := t.peers[to]
	if p == nil {
		return fmt.Errorf("%w: %d", transport.ErrUnknownPeer, to)
	}
	if t.closing.Load() {
		return transport.ErrClosed
	}
	p.mu.Lock()
	if len(p.queue) >= t.cfg.QueueSize {
		err := fmt.Errorf("%w: peer %d, %d messages", transport.ErrQueueFull, to, len(p.queue))
		c := p.dropLocked(err)
		p.mu.Unlock()
		t.closeConn(c)
		p.signal()
		return err
	}
	p.queue = append(p.queue, payload)
	first := len(p.queue) == 1
	p.mu.Unlock()
	if first {
		p.signal()
	}
	return nil
}

// Disconnect implements transport.Disconnecter.
func (t *Transport) Disconnect(peer uint64) error {
	p := t.peers[peer]
	if p == nil {
		return fmt.Errorf("%w: %d", transport.ErrUnknownPeer, peer)
	}
	if t.closing.Load() {
		return transport.ErrClosed
	}
	p.mu.Lock()
	c := p.dropLocked(fmt.Errorf("%w: disconnected on request", transport.ErrConnectionLost))
	pending := p.pending
	p.pending = nil
	p.callMe = false
	p.mu.Unlock()
	t.closeConn(c)
	t.closeConn(pending)
	p.signal()
	return nil
}

// Close implements transport.Transport. It returns once every goroutine of
// the transport has stopped.
func (t *Transport) Close() error {
	var err error
	t.once.Do(func() {
		t.closing.Store(true)
		close(t.done)
		t.cancel()
		err = t.ln.Close()
		t.connsMu.Lock()
		t.closed = true
		for c := range t.conns {
			c.Close()
		}
		clear(t.conns)
		t.connsMu.Unlock()
		t.wg.Wait()
		close(t.events)
		t.log.Debug("transport closed")
	})
	return err
}

// spawn runs f in a goroutine that Close waits for. It is only called by
// New and by goroutines already counted, so the count never rises from zero
// while Close waits.
func (t *Transport) spawn(f func()) {
	t.wg.Add(1)
	t.live.Add(1)
	go func() {
		defer t.wg.Done()
		defer t.live.Add(-1)
		f()
	}()
}

// emit delivers an event, waiting for the consumer; false means the
// transport is closing and the event was dropped.
func (t *Transport) emit(ev transport.Event) bool {
	if t.closing.Load() {
		return false // select below would pick at random once both are ready
	}
	select {
	case t.events <- ev:
		return true
	case <-t.done:
		return false
	}
}

// track registers a socket so Close can close it; false means the
// transport is closed and the socket was closed here.
func (t *Transport) track(c net.Conn) bool {
	t.connsMu.Lock()
	defer t.connsMu.Unlock()
	if t.closed {
		c.Close()
		return false
	}
	t.conns[c] = struct{}{}
	return true
}

// closeSocket closes a tracked socket.
func (t *Transport) closeSocket(c net.Conn) {
	c.Close()
	t.connsMu.Lock()
	delete(t.conns, c)
	t.connsMu.Unlock()
}

// closeConn closes an established connection's socket, if there is one.
func (t *Transport) closeConn(c *conn) {
	if c != nil {
		t.closeSocket(c.raw)
	}
}

// tlsState returns a connection's TLS state, or nil for plain TCP.
func tlsState(c net.Conn) *tls.ConnectionState {
	if tc, ok := c.(*tls.Conn); ok {
		s := tc.ConnectionState()
		return &s
	}
	return nil
}
