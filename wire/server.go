package wire

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Server serves the ZooKeeper client protocol on one or more listeners,
// over a Backend.
type Server struct {
	cfg     Config
	backend Backend
	log     hclog.Logger
	stats   serverStats
	started time.Time

	ctx    context.Context // cancelled by Close; parent of every connection's
	cancel context.CancelFunc

	mu        sync.Mutex
	closed    bool
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	perIP     map[string]int
	nextID    uint64
	wg        sync.WaitGroup // every connection's goroutines
}

// NewServer returns a Server for b. cfg's zero fields take their
// defaults; a setting that cannot work is an error matching
// ErrInvalidConfig.
func NewServer(cfg Config, b Backend) (*Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, errors.Join(ErrInvalidConfig, errors.New("wire: nil Backend"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:       cfg,
		backend:   b,
		log:       cfg.Logger,
		started:   time.Now(),
		ctx:       ctx,
		cancel:    cancel,
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
		perIP:     make(map[string]int),
	}
	s.stats.reset()
	return s, nil
}

// Serve accepts connections on ln until Close, serving each on its own
// pair of goroutines, and returns ErrServerClosed after Close (or the
// listener's error if it fails first). ln may be a TLS listener
// (crypto/tls.NewListener): that is the secure client port, where a
// client certificate also gives the identity x509. Serve may be called
// for several listeners at once.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isClosed() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				// Out of file descriptors and the like: back off as
				// net/http does, without spinning.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "error", err, "delay", backoff)
				select {
				case <-time.After(backoff):
				case <-s.ctx.Done():
				}
				continue
			}
			return err
		}
		backoff = 0
		s.accept(nc)
	}
}

// accept registers a new connection and starts serving it, or refuses it
// when its address is over MaxClientCnxns or the server is closed.
func (s *Server) accept(nc net.Conn) {
	ip := hostOf(nc.RemoteAddr())
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	if s.cfg.MaxClientCnxns > 0 && s.perIP[ip] >= s.cfg.MaxClientCnxns {
		s.mu.Unlock()
		s.log.Warn("too many connections; refusing", "ip", ip, "max", s.cfg.MaxClientCnxns)
		s.stats.connectionRejected.Add(1)
		_ = nc.Close()
		return
	}
	s.perIP[ip]++
	s.nextID++
	c := newConn(s, nc, ip, s.nextID)
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
}

// release forgets a finished connection.
func (s *Server) release(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if s.perIP[c.ip]--; s.perIP[c.ip] <= 0 {
		delete(s.perIP, c.ip)
	}
	s.mu.Unlock()
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// connections returns a snapshot of the open connections, oldest first.
func (s *Server) connections() []*conn {
	s.mu.Lock()
	out := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	s.mu.Unlock()
	sortConns(out)
	return out
}

// Close stops every listener and connection and waits until every
// goroutine the Server started has returned. Sessions are not closed:
// their clients reconnect elsewhere, or they expire. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	var errs []error
	for ln := range s.listeners {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	s.cancel()
	for _, c := range conns {
		c.Close(ErrServerClosed)
	}
	s.wg.Wait()
	return errors.Join(errs...)
}

// hostOf returns the IP of a network address, or its string form.
func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
