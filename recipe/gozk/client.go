package gozk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/znode"
)

// ErrClosed is why a Client's session ended after Close.
var ErrClosed = errors.New("gozk: closed")

// Client is a ZooKeeper session through go-zookeeper/zk, as a
// recipe.Client.
type Client struct {
	conn    *zk.Conn
	timeout time.Duration

	once  sync.Once
	ended chan struct{}
	mu    sync.Mutex     // guards err, and wg.Add against Close's wg.Wait
	err   error          // why the session ended
	wg    sync.WaitGroup // the connection's closer and the watch translators
	// connSet is closed once conn is set: the session can end (in the
	// event callback) before zk.Connect has returned it.
	connSet chan struct{}
}

// silent drops go-zookeeper's log lines.
type silent struct{}

func (silent) Printf(string, ...any) {}

// Connect opens a session on one of servers ("host:port") with the given
// session timeout, and waits until the session is established or ctx ends.
func Connect(ctx context.Context, servers []string, timeout time.Duration) (*Client, error) {
	c := &Client{timeout: timeout, ended: make(chan struct{}), connSet: make(chan struct{})}
	ready := make(chan struct{}, 1)
	conn, _, err := zk.Connect(servers, timeout,
		zk.WithLogger(silent{}),
		zk.WithLogInfo(false),
		zk.WithEventCallback(func(ev zk.Event) {
			if ev.Type != zk.EventSession {
				return
			}
			switch ev.State {
			case zk.StateHasSession:
				select {
				case ready <- struct{}{}:
				default:
				}
			case zk.StateExpired:
				c.end(znode.ErrSessionExpired)
			}
		}))
	if err != nil {
		return nil, fmt.Errorf("gozk: connecting to %v: %w", servers, err)
	}
	c.conn = conn
	close(c.connSet)
	select {
	case <-ready:
		return c, nil
	case <-ctx.Done():
		c.Close()
		return nil, fmt.Errorf("gozk: connecting to %v: %w", servers, ctx.Err())
	}
}

// Conn returns the go-zookeeper connection, for what the recipes do not
// need.
func (c *Client) Conn() *zk.Conn { return c.conn }

// SessionID returns the session's id.
func (c *Client) SessionID() int64 { return c.conn.SessionID() }

// Timeout returns the session timeout asked for.
func (c *Client) Timeout() time.Duration { return c.timeout }

// Expired is closed when the session ends: expired, or closed by Close.
func (c *Client) Expired() <-chan struct{} { return c.ended }

// Err returns why the session ended, or nil while it lives.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the session (its ephemeral nodes go at once) and the
// connection, and waits for the watch goroutines to stop.
func (c *Client) Close() {
	c.end(ErrClosed)
	c.wg.Wait()
}

// end records why the session ended and closes the connection, which
// stops go-zookeeper from opening a new session and releases every
// watch. It may run on go-zookeeper's own goroutine (the event callback),
// where closing the connection would wait for that goroutine: so the
// close runs on its own, and Close waits for it.
func (c *Client) end(reason error) {
	c.once.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.err = reason
		close(c.ended)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			<-c.connSet
			c.conn.Close()
		}()
	})
}

// alive checks ctx and the session before a call.
func (c *Client) alive(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-c.ended:
		return c.Err()
	default:
		return nil
	}
}

// codes maps go-zookeeper's errors to ZooKeeper's codes.
var codes = map[error]znode.Code{
	zk.ErrNoNode:                  znode.ErrNoNode,
	zk.ErrNodeExists:              znode.ErrNodeExists,
	zk.ErrBadVersion:              znode.ErrBadVersion,
	zk.ErrNotEmpty:                znode.ErrNotEmpty,
	zk.ErrNoAuth:                  znode.ErrNoAuth,
	zk.ErrNoChildrenForEphemerals: znode.ErrNoChildrenForEphemerals,
	zk.ErrSessionExpired:          znode.ErrSessionExpired,
	zk.ErrSessionMoved:            znode.ErrSessionMoved,
	zk.ErrInvalidACL:              znode.ErrInvalidACL,
	zk.ErrAuthFailed:              znode.ErrAuthFailed,
	zk.ErrBadArguments:            znode.ErrBadArguments,
	zk.ErrInvalidFlags:            znode.ErrBadArguments,
	zk.ErrAPIError:                znode.ErrAPIError,
	zk.ErrConnectionClosed:        znode.ErrConnectionLoss,
	zk.ErrClosing:                 znode.ErrConnectionLoss,
	zk.ErrNoServer:                znode.ErrConnectionLoss,
	zk.ErrReconfigDisabled:        znode.ErrReconfigDisabled,
}

// wrap turns a go-zookeeper error into one that matches its znode code
// too. After the session ended, the reason is given instead of the
// connection error the close causes.
func (c *Client) wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	if code, ok := codes[err]; ok {
		if code == znode.ErrConnectionLoss {
			if reason := c.Err(); reason != nil {
				return fmt.Errorf("gozk: %s %s: %w", op, path, reason)
			}
		}
		return fmt.Errorf("gozk: %s %s: %w (%w)", op, path, code, err)
	}
	return fmt.Errorf("gozk: %s %s: %w", op, path, err)
}

// watch turns a go-zookeeper watch channel into a znode one: one event,
// or none when the watch ends without one (session expired or closed).
func (c *Client) watch(in <-chan zk.Event) <-chan znode.Event {
	out := make(chan znode.Event, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		// Ended: Close may be waiting, so no new goroutine. go-zookeeper
		// closes in when the connection closes.
		close(out)
		return out
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer close(out)
		ev, ok := <-in
		if ok && ev.Err == nil && ev.Type > 0 {
			out <- znode.Event{Type: znode.EventType(ev.Type), Path: ev.Path}
		}
	}()
	return out
}

func stat(s *zk.Stat) znode.Stat {
	if s == nil {
		return znode.Stat{}
	}
	return znode.Stat(*s)
}

func acls(acl []znode.ACL) []zk.ACL {
	if acl == nil {
		acl = znode.OpenACL
	}
	out := make([]zk.ACL, len(acl))
	for i, a := range acl {
		out[i] = zk.ACL{Perms: int32(a.Perms), Scheme: a.Identity.Scheme, ID: a.Identity.ID}
	}
	return out
}

// Create makes a znode and returns its path. Containers are supported;
// TTL modes are not (ErrBadArguments): they need a TTL.
func (c *Client) Create(ctx context.Context, path string, data []byte, mode znode.CreateMode, acl []znode.ACL) (string, error) {
	if err := c.alive(ctx); err != nil {
		return "", err
	}
	var (
		p   string
		err error
	)
	switch {
	case mode.IsTTL() || !mode.Valid():
		return "", fmt.Errorf("gozk: create %s: mode %d: %w", path, mode, znode.ErrBadArguments)
	case mode.IsContainer():
		p, err = c.conn.CreateContainer(path, data, zk.FlagContainer, acls(acl))
	default:
		p, err = c.conn.Create(path, data, int32(mode), acls(acl))
	}
	return p, c.wrap("create", path, err)
}

// Delete deletes a znode if its version is version (-1: any).
func (c *Client) Delete(ctx context.Context, path string, version int32) error {
	if err := c.alive(ctx); err != nil {
		return err
	}
	return c.wrap("delete", path, c.conn.Delete(path, version))
}

// Set replaces a znode's data if its version is version (-1: any).
func (c *Client) Set(ctx context.Context, path string, data []byte, version int32) (znode.Stat, error) {
	if err := c.alive(ctx); err != nil {
		return znode.Stat{}, err
	}
	st, err := c.conn.Set(path, data, version)
	return stat(st), c.wrap("set", path, err)
}

// Get returns a znode's data and Stat.
func (c *Client) Get(ctx context.Context, path string) ([]byte, znode.Stat, error) {
	if err := c.alive(ctx); err != nil {
		return nil, znode.Stat{}, err
	}
	data, st, err := c.conn.Get(path)
	return data, stat(st), c.wrap("get", path, err)
}

// GetW is Get that also sets a data watch (only if the znode exists).
func (c *Client) GetW(ctx context.Context, path string) ([]byte, znode.Stat, <-chan znode.Event, error) {
	if err := c.alive(ctx); err != nil {
		return nil, znode.Stat{}, nil, err
	}
	data, st, ch, err := c.conn.GetW(path)
	if err != nil {
		return nil, znode.Stat{}, nil, c.wrap("get", path, err)
	}
	return data, stat(st), c.watch(ch), nil
}

// Exists reports whether a znode exists, with its Stat when it does.
func (c *Client) Exists(ctx context.Context, path string) (bool, znode.Stat, error) {
	if err := c.alive(ctx); err != nil {
		return false, znode.Stat{}, err
	}
	ok, st, err := c.conn.Exists(path)
	return ok, stat(st), c.wrap("exists", path, err)
}

// ExistsW is Exists that also sets a watch, whether or not the znode
// exists.
func (c *Client) ExistsW(ctx context.Context, path string) (bool, znode.Stat, <-chan znode.Event, error) {
	if err := c.alive(ctx); err != nil {
		return false, znode.Stat{}, nil, err
	}
	ok, st, ch, err := c.conn.ExistsW(path)
	if err != nil {
		return false, znode.Stat{}, nil, c.wrap("exists", path, err)
	}
	return ok, stat(st), c.watch(ch), nil
}

// Children returns a znode's children, in the server's order.
func (c *Client) Children(ctx context.Context, path string) ([]string, znode.Stat, error) {
	if err := c.alive(ctx); err != nil {
		return nil, znode.Stat{}, err
	}
	kids, st, err := c.conn.Children(path)
	return kids, stat(st), c.wrap("children", path, err)
}

// ChildrenW is Children that also sets a child watch.
func (c *Client) ChildrenW(ctx context.Context, path string) ([]string, znode.Stat, <-chan znode.Event, error) {
	if err := c.alive(ctx); err != nil {
		return nil, znode.Stat{}, nil, err
	}
	kids, st, ch, err := c.conn.ChildrenW(path)
	if err != nil {
		return nil, znode.Stat{}, nil, c.wrap("children", path, err)
	}
	return kids, stat(st), c.watch(ch), nil
}
