package gozk_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/recipe/gozk"
	"github.com/ensemble-go/ensemble/znode"
)

var _ recipe.Client = (*gozk.Client)(nil)

const (
	tick           = 50 * time.Millisecond
	sessionTimeout = 20 * tick
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// serve starts a standalone peer that serves ZooKeeper clients on a
// loopback port.
func serve(t *testing.T) *ensemble.Node {
	t.Helper()
	dir := t.TempDir()
	n, err := ensemble.Start(ensemble.Config{
		DataDir:           dir,
		TickTime:          tick,
		MaxSessionTimeout: sessionTimeout,
		LogSegmentSize:    1 << 20,
		ClientAddr:        "127.0.0.1:0",
	})
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	<-n.Ready()
	return n
}

// recv receives from ch, failing the test if ctx ends first.
func recv[T any](t *testing.T, ctx context.Context, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatal("timed out")
		panic("unreachable")
	}
}

func connect(t *testing.T, addr string) *gozk.Client {
	t.Helper()
	c, err := gozk.Connect(testContext(t), []string{addr}, sessionTimeout)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// TestLockOverTheWire: contenders over go-zookeeper and in-process take
// the same lock in turn; an unguarded read-modify-write inside it loses
// no update.
func TestLockOverTheWire(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	local, err := n.NewClient(ctx, ensemble.ClientOptions{})
	require.NoError(t, err)
	defer local.Close()
	_, err = local.Create(ctx, "/count", []byte("0"), znode.Persistent, nil)
	require.NoError(t, err)

	clients := []recipe.Client{local, connect(t, n.ClientAddr()), connect(t, n.ClientAddr())}
	const rounds = 10
	var holders atomic.Int32
	var wg sync.WaitGroup
	for i, c := range clients {
		l := recipe.NewLock(c, "/locks/wire", fmt.Sprint("c", i))
		wg.Go(func() {
			for range rounds {
				held, err := l.Lock(ctx)
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, int32(1), holders.Add(1), "two holders")
				data, _, err := c.Get(held, "/count")
				if assert.NoError(t, err) {
					v, _ := strconv.Atoi(string(data))
					_, err = c.Set(held, "/count", []byte(strconv.Itoa(v+1)), -1)
					assert.NoError(t, err)
				}
				holders.Add(-1)
				assert.NoError(t, l.Unlock(ctx))
			}
		})
	}
	wg.Wait()
	data, _, err := local.Get(ctx, "/count")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(len(clients)*rounds), string(data))
}

func TestConfigAndElectionOverTheWire(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	c := connect(t, n.ClientAddr())
	w, err := recipe.WatchConfig(ctx, c, "/cfg", recipe.String())
	require.NoError(t, err)
	defer w.Close()
	_, err = recipe.PutConfig(ctx, connect(t, n.ClientAddr()), "/cfg", recipe.String(), "v1")
	require.NoError(t, err)
	assert.Equal(t, "v1", recv(t, ctx, w.Changes()))

	leaders := recipe.NewElection(c, "/election", "watcher").Observe(ctx)
	assert.Equal(t, "", recv(t, ctx, leaders))
	e := recipe.NewElection(connect(t, n.ClientAddr()), "/election", "remote")
	_, err = e.Campaign(ctx)
	require.NoError(t, err)
	for l := range leaders {
		if l == "remote" {
			break
		}
	}
	require.NoError(t, e.Resign(ctx))
}

func TestErrorsMatchBothLibraries(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	c := connect(t, n.ClientAddr())
	_, err := c.Create(ctx, "/a", nil, znode.Persistent, nil)
	require.NoError(t, err)

	tests := []struct {
		name string
		err  error
		code znode.Code
		zk   error
	}{
		{"exists", func() error { _, err := c.Create(ctx, "/a", nil, znode.Persistent, nil); return err }(), znode.ErrNodeExists, zk.ErrNodeExists},
		{"no node", func() error { _, _, err := c.Get(ctx, "/missing"); return err }(), znode.ErrNoNode, zk.ErrNoNode},
		{"bad version", func() error { _, err := c.Set(ctx, "/a", nil, 7); return err }(), znode.ErrBadVersion, zk.ErrBadVersion},
		{"no parent", func() error { _, err := c.Create(ctx, "/x/y", nil, znode.Persistent, nil); return err }(), znode.ErrNoNode, zk.ErrNoNode},
		{"TTL", func() error { _, err := c.Create(ctx, "/t", nil, znode.PersistentWithTTL, nil); return err }(), znode.ErrBadArguments, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.err, tt.code)
			if tt.zk != nil {
				assert.ErrorIs(t, tt.err, tt.zk)
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Create(canceled, "/b", nil, znode.Persistent, nil)
	assert.ErrorIs(t, err, context.Canceled)

	p, err := c.Create(ctx, "/container", nil, znode.Container, nil)
	require.NoError(t, err)
	assert.Equal(t, "/container", p)
}

// TestCloseEndsEverything: after Close the session's ephemerals are gone,
// its watches are released, and calls fail with ErrClosed.
func TestCloseEndsEverything(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	c := connect(t, n.ClientAddr())
	other := connect(t, n.ClientAddr())
	_, err := c.Create(ctx, "/eph", nil, znode.Ephemeral, nil)
	require.NoError(t, err)
	_, _, ch, err := c.ExistsW(ctx, "/never")
	require.NoError(t, err)

	c.Close()
	<-c.Expired()
	assert.ErrorIs(t, c.Err(), gozk.ErrClosed)
	_, open := <-ch
	assert.False(t, open, "a watch ends without an event")
	_, _, err = c.Get(ctx, "/eph")
	assert.ErrorIs(t, err, gozk.ErrClosed)
	ok, _, err := other.Exists(ctx, "/eph")
	require.NoError(t, err)
	assert.False(t, ok)
}

// proxy forwards TCP connections to a target, and can cut them all and
// refuse new ones for a while: a client that cannot reach its server.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{t: t, addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(func() { p.cut(); p.wg.Wait() })
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(out, in); out.Close() })
			p.wg.Go(func() { io.Copy(in, out); in.Close() })
		}
	})
}

// cut closes the listener and every connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *proxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	require.NoError(p.t, err)
	p.serve(ln)
}

// TestExpiryEndsTheClient: a client cut off from its server for longer
// than its session timeout; the lock it held is lost (by its lease, while
// still cut off), and when it reaches the server again and hears that its
// session expired, the Client ends instead of opening a new session.
func TestExpiryEndsTheClient(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	p := newProxy(t, n.ClientAddr())
	c := connect(t, p.addr)
	l := recipe.NewLock(c, "/locks/expiry", "cut-off")
	held, err := l.Lock(ctx)
	require.NoError(t, err)

	p.cut()
	recv(t, ctx, held.Done())
	assert.ErrorIs(t, context.Cause(held), recipe.ErrLost)
	// Wait until the server has expired the session, then let the client
	// back in.
	watcher := connect(t, n.ClientAddr())
	for {
		kids, _, err := watcher.Children(ctx, "/locks/expiry")
		require.NoError(t, err)
		if len(kids) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the session never expired")
		case <-time.After(tick):
		}
	}
	p.restore()
	select {
	case <-c.Expired():
	case <-ctx.Done():
		t.Fatal("the client never learned that its session expired")
	}
	assert.ErrorIs(t, c.Err(), znode.ErrSessionExpired)
	_, err = c.Create(ctx, "/after", nil, znode.Persistent, nil)
	assert.ErrorIs(t, err, znode.ErrSessionExpired)
	assert.NoError(t, l.Unlock(ctx))
}

// TestConfigSurvivesAReconnect: a Config watching over a connection that
// breaks for less than the session timeout gets the value written while
// it was cut off, once go-zookeeper has reconnected and set its watches
// again.
func TestConfigSurvivesAReconnect(t *testing.T) {
	ctx := testContext(t)
	n := serve(t)
	p := newProxy(t, n.ClientAddr())
	w, err := recipe.WatchConfig(ctx, connect(t, p.addr), "/cfg", recipe.String())
	require.NoError(t, err)
	defer w.Close()
	writer := connect(t, n.ClientAddr())
	_, err = recipe.PutConfig(ctx, writer, "/cfg", recipe.String(), "before")
	require.NoError(t, err)
	assert.Equal(t, "before", recv(t, ctx, w.Changes()))

	p.cut()
	_, err = recipe.PutConfig(ctx, writer, "/cfg", recipe.String(), "while cut off")
	require.NoError(t, err)
	p.restore()
	assert.Equal(t, "while cut off", recv(t, ctx, w.Changes()))
	require.NoError(t, w.Err())
}
