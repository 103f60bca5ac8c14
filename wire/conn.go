package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// conn is one client connection. Its reader goroutine (serve) does the
// handshake, then decodes requests and queues them; its writer goroutine
// (writeLoop) runs local ops and writes replies and events in order.
type conn struct {
	srv    *Server
	nc     net.Conn
	raw    net.Conn // nc without TLS: closing it never blocks
	br     *bufio.Reader
	ip     string
	id     uint64 // accept order, for listings
	ctx    context.Context
	cancel context.CancelFunc
	opened time.Time

	session     atomic.Int64
	timeout     time.Duration // negotiated; set before the writer starts
	established atomic.Bool   // the handshake succeeded

	// Owned by the reader goroutine.
	auth    znode.Auth
	added   []znode.Identity // identities in the order they were added
	authVer uint64
	rbuf    []byte
	dec     jute.Decoder

	mu       sync.Mutex
	cond     sync.Cond // signals the writer (work) and the reader (space)
	out      outbox
	closed   bool
	reason   error
	writerUp bool
	done     chan struct{} // closed when the writer returns

	// Owned by the writer goroutine.
	lastZxid int64
	enc      jute.Encoder
	runOps   []LocalOp
	runRes   []LocalResult

	st connStats
}

func newConn(s *Server, nc net.Conn, ip string, id uint64) *conn {
	ctx, cancel := context.WithCancel(s.ctx)
	c := &conn{
		srv:    s,
		nc:     nc,
		raw:    nc,
		br:     bufio.NewReaderSize(nc, 16<<10),
		ip:     ip,
		id:     id,
		ctx:    ctx,
		cancel: cancel,
		opened: time.Now(),
		done:   make(chan struct{}),
	}
	if tc, ok := nc.(*tls.Conn); ok {
		c.raw = tc.NetConn()
	}
	c.cond.L = &c.mu
	c.st.reset()
	c.added = []znode.Identity{{Scheme: "ip", ID: ip}}
	c.auth = znode.Auth{Identities: c.added}
	return c
}

// Deliver implements Conn.
func (c *conn) Deliver(ev znode.Event) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if c.out.queuedEvents() >= c.srv.cfg.MaxQueuedEvents {
		c.mu.Unlock()
		c.srv.log.Warn("closing connection: too many undelivered watch events", "remote", c.nc.RemoteAddr(), "session", hexID(c.Session()))
		c.Close(ErrSlowClient)
		return
	}
	c.out.deliver(ev)
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Close implements Conn. It closes the socket under any TLS layer, so it
// never waits for the peer.
func (c *conn) Close(reason error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.reason = reason
	c.cond.Broadcast()
	c.mu.Unlock()
	c.cancel()
	_ = c.raw.Close()
}

// Session implements Conn.
func (c *conn) Session() int64 { return c.session.Load() }

// RemoteAddr implements Conn.
func (c *conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// serve is the reader goroutine: handshake, then requests until the
// connection ends; then it waits for the writer and tells the Backend.
func (c *conn) serve() {
	defer c.srv.wg.Done()
	defer c.srv.release(c)
	defer c.cancel()

	err := c.handshake()
	if err == nil {
		c.mu.Lock()
		c.writerUp = true
		c.mu.Unlock()
		c.srv.wg.Add(1)
		go c.writeLoop()
		err = c.readLoop()
	}
	if !errors.Is(err, errGraceful) {
		c.logClose(err)
		c.Close(err)
	}
	c.mu.Lock()
	up := c.writerUp
	c.mu.Unlock()
	if up {
		<-c.done
	}
	c.Close(err)
	if c.established.Load() {
		c.srv.backend.Disconnect(c)
	}
}

// errGraceful ends the reader without closing the connection: the writer
// closes it after the last reply (closeSession, a failed auth, an
// unknown op, a four-letter word).
var errGraceful = errors.New("wire: closing after the last reply")

// logClose logs why a connection ended, unless it is an ordinary end.
func (c *conn) logClose(err error) {
	switch {
	case err == nil, errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, ErrServerClosed), c.isClosed():
		return
	}
	c.srv.log.Info("closing client connection", "remote", c.nc.RemoteAddr(), "session", hexID(c.Session()), "error", err)
}

// readFrame reads one length-prefixed frame into the reader's buffer,
// refusing lengths outside [0, MaxBuffer] before reading them.
func (c *conn) readFrame() ([]byte, error) {
	var lb [4]byte
	if _, err := io.ReadFull(c.br, lb[:]); err != nil {
		return nil, err
	}
	return c.readBody(lb)
}

func (c *conn) readBody(lb [4]byte) ([]byte, error) {
	n := int32(uint32(lb[0])<<24 | uint32(lb[1])<<16 | uint32(lb[2])<<8 | uint32(lb[3]))
	if n < 0 || int(n) > c.srv.cfg.MaxBuffer {
		return nil, errors.Join(ErrBadFrame, errLen(n))
	}
	if cap(c.rbuf) < int(n) {
		c.rbuf = make([]byte, n)
	}
	b := c.rbuf[:n]
	if _, err := io.ReadFull(c.br, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	// A rare huge frame should not pin its buffer for the connection's
	// life.
	if cap(c.rbuf) > 256<<10 {
		c.rbuf = nil
	}
	c.st.received.Add(1)
	c.srv.stats.received.Add(1)
	c.srv.stats.bytesReceived.Add(int64(n) + 4)
	return b, nil
}

type errLen int32

// Error implements error.
func (e errLen) Error() string { return "length " + itoa(int64(e)) + " out of range" }

// readLoop reads requests until the connection ends or a request ends it.
func (c *conn) readLoop() error {
	for {
		if c.timeout > 0 {
			_ = c.nc.SetReadDeadline(time.Now().Add(c.timeout))
		}
		frame, err := c.readFrame()
		if err != nil {
			return err
		}
		c.dec.Reset(frame)
		var h jute.RequestHeader
		h.Decode(&c.dec)
		if err := c.dec.Err(); err != nil {
			return errors.Join(ErrBadFrame, err)
		}
		c.srv.backend.Touch(c.Session())
		if err := c.dispatch(h); err != nil {
			return err
		}
	}
}

// queue adds a slot for the writer, waiting while the connection has
// MaxOutstanding requests in flight. It reports false if the connection
// closed meanwhile.
func (c *conn) queue(s *slot) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for !c.closed && c.out.outstanding() >= c.srv.cfg.MaxOutstanding {
		c.cond.Wait()
	}
	if c.closed {
		return false
	}
	c.out.push(s)
	c.srv.stats.outstanding.Add(1)
	c.cond.Broadcast()
	return true
}

// complete is the done callback of a write or sync: it stores the result
// and wakes the writer. It ignores a second call and calls after close.
func (c *conn) complete(s *slot, res znode.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || s.state != slotPending {
		return
	}
	s.wres = res
	s.zxid = res.Zxid
	s.state = slotDone
	c.cond.Broadcast()
}

// caller is who the reader's next request comes from.
func (c *conn) caller() Caller { return Caller{Session: c.Session(), Auth: c.auth} }
