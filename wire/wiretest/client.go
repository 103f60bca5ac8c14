package wiretest

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// Client is a raw jute client: it sends exactly the frames it is told to
// and reads frames one by one, so a test can send what no client library
// does (addWatch, removeWatches, multiRead, whoAmI, setWatches2, bad
// frames) and see the exact order of replies and events.
type Client struct {
	nc       net.Conn
	Response jute.ConnectResponse // the handshake's answer
	timeout  time.Duration
}

// DialOptions configure Dial.
type DialOptions struct {
	// Connect is the ConnectRequest to send; zero means a new session
	// with a 10s timeout and no readOnly byte.
	Connect jute.ConnectRequest
	// TLS, when set, dials with TLS.
	TLS *tls.Config
	// Timeout bounds each read and write (default 10s).
	Timeout time.Duration
}

// Dial connects to addr and performs the handshake. If the server closes
// the connection instead of answering, the error matches io.EOF.
func Dial(ctx context.Context, addr string, o DialOptions) (*Client, error) {
	c, err := DialRaw(ctx, addr, o)
	if err != nil {
		return nil, err
	}
	req := o.Connect
	if req.TimeOut == 0 {
		req.TimeOut = 10000
	}
	if req.Passwd == nil {
		req.Passwd = make([]byte, 16)
	}
	if err := c.WriteFrame(jute.Marshal(&req)); err != nil {
		c.Close()
		return nil, err
	}
	frame, err := c.ReadFrame()
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := jute.Unmarshal(frame, &c.Response); err != nil {
		c.Close()
		return nil, fmt.Errorf("wiretest: connect response: %w", err)
	}
	return c, nil
}

// DialRaw connects to addr without a handshake.
func DialRaw(ctx context.Context, addr string, o DialOptions) (*Client, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if o.TLS != nil {
		cfg := o.TLS
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	return &Client{nc: nc, timeout: o.Timeout}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }

// Conn returns the underlying connection.
func (c *Client) Conn() net.Conn { return c.nc }

// Write writes raw bytes.
func (c *Client) Write(b []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.timeout))
	_, err := c.nc.Write(b)
	return err
}

// WriteFrame writes b with its length prefix.
func (c *Client) WriteFrame(b []byte) error {
	return c.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(b))), b...))
}

// Send writes one request: header and body (nil for none).
func (c *Client) Send(xid int32, op znode.OpCode, body jute.Record) error {
	var e jute.Encoder
	h := jute.RequestHeader{Xid: xid, Type: op}
	h.Encode(&e)
	if body != nil {
		body.Encode(&e)
	}
	return c.WriteFrame(e.Bytes())
}

// ReadFrame reads one length-prefixed frame.
func (c *Client) ReadFrame() ([]byte, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(c.timeout))
	var lb [4]byte
	if _, err := io.ReadFull(c.nc, lb[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(lb[:])
	if n > 1<<26 {
		return nil, fmt.Errorf("wiretest: frame of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(c.nc, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Reply is one frame from the server after the handshake.
type Reply struct {
	Header jute.ReplyHeader
	Body   []byte
}

// IsEvent reports whether the reply is a watch notification.
func (r Reply) IsEvent() bool { return r.Header.Xid == jute.XidNotification }

// Decode decodes the body into rec, refusing trailing bytes.
func (r Reply) Decode(rec jute.Record) error { return jute.Unmarshal(r.Body, rec) }

// Event decodes a notification's body.
func (r Reply) Event() (jute.WatcherEvent, error) {
	var ev jute.WatcherEvent
	err := r.Decode(&ev)
	return ev, err
}

// Read reads the next reply or event.
func (c *Client) Read() (Reply, error) {
	b, err := c.ReadFrame()
	if err != nil {
		return Reply{}, err
	}
	d := jute.NewDecoder(b)
	var r Reply
	r.Header.Decode(d)
	if d.Err() != nil {
		return Reply{}, d.Err()
	}
	r.Body = b[d.Offset():]
	return r, nil
}

// Call sends a request and reads frames until its reply, returning the
// reply and the events that came before it. A non-OK header is not an
// error: it is in the reply.
func (c *Client) Call(xid int32, op znode.OpCode, body jute.Record) (Reply, []jute.WatcherEvent, error) {
	if err := c.Send(xid, op, body); err != nil {
		return Reply{}, nil, err
	}
	var events []jute.WatcherEvent
	for {
		r, err := c.Read()
		if err != nil {
			return Reply{}, events, err
		}
		if !r.IsEvent() {
			if r.Header.Xid != xid {
				return r, events, fmt.Errorf("wiretest: reply xid %d, want %d", r.Header.Xid, xid)
			}
			return r, events, nil
		}
		ev, err := r.Event()
		if err != nil {
			return r, events, err
		}
		events = append(events, ev)
	}
}

// ErrNotClosed is returned by WaitClosed when the server sent data
// instead of closing.
var ErrNotClosed = errors.New("wiretest: server did not close the connection")

// WaitClosed reads until the server closes the connection, failing if a
// frame arrives first.
func (c *Client) WaitClosed() error {
	_ = c.nc.SetReadDeadline(time.Now().Add(c.timeout))
	var b [1]byte
	n, err := c.nc.Read(b[:])
	if n > 0 {
		return ErrNotClosed
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err) {
		return nil
	}
	return err
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

// FourLetter sends a four-letter word and returns everything the server
// answers before it closes the connection.
func FourLetter(ctx context.Context, addr, word string) (string, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(dl)
	} else {
		_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	}
	if _, err := io.WriteString(nc, word); err != nil {
		return "", err
	}
	b, err := io.ReadAll(nc)
	return string(b), err
}
