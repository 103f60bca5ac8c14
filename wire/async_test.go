package wire_test

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// asyncBackend completes writes on its own goroutine, in order, like the
// Node's apply loop, and holds them until gate writes are waiting: a
// server that waited for each write before sending the next would never
// get a reply.
type asyncBackend struct {
	*wiretest.Backend
	gate int

	mu        sync.Mutex
	cond      sync.Cond
	queue     []func()
	open      bool // the gate has opened
	stopped   bool
	maxQueued int
	done      chan struct{}
}

func newAsyncBackend(t *testing.T, gate int) *asyncBackend {
	inner, err := wiretest.New(wiretest.Options{TickTime: time.Second})
	require.NoError(t, err)
	b := &asyncBackend{Backend: inner, gate: gate, done: make(chan struct{})}
	b.cond.L = &b.mu
	go b.loop()
	t.Cleanup(func() {
		b.mu.Lock()
		b.stopped = true
		b.cond.Broadcast()
		b.mu.Unlock()
		<-b.done
		inner.Close()
	})
	return b
}

func (b *asyncBackend) Write(c wire.Caller, xid int32, req znode.Request, done func(znode.Result)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queue = append(b.queue, func() { b.Backend.Write(c, xid, req, done) })
	b.maxQueued = max(b.maxQueued, len(b.queue))
	if len(b.queue) >= b.gate {
		b.open = true
	}
	b.cond.Broadcast()
}

func (b *asyncBackend) loop() {
	defer close(b.done)
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		for !b.stopped && (!b.open || len(b.queue) == 0) {
			b.cond.Wait()
		}
		if b.stopped {
			return
		}
		next := b.queue[0]
		b.queue = b.queue[1:]
		b.mu.Unlock()
		next() // applies, delivers events, then completes: the Backend's rule 2
		b.mu.Lock()
	}
}

// Writes are pipelined (sent to the Backend without waiting for earlier
// ones), complete asynchronously, and a read waits for every earlier
// write of its session.
func TestAsyncBackendPipelining(t *testing.T) {
	const n = 10
	b := newAsyncBackend(t, n)
	srv, err := wire.NewServer(wire.Config{}, b)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		<-served
	})
	ts := &testServer{srv: srv, addr: ln.Addr().String()}

	c := ts.dial(t, wiretest.DialOptions{})
	watcher := ts.dial(t, wiretest.DialOptions{})
	call(t, watcher, 1, znode.OpExists, &jute.ExistsRequest{Path: "/p0", Watch: true})
	for i := range n {
		path := fmt.Sprintf("/p%d", i)
		require.NoError(t, c.Send(int32(2*i+1), znode.OpCreate, &jute.CreateRequest{Path: path, Data: []byte(path), ACL: znode.OpenACL}))
		require.NoError(t, c.Send(int32(2*i+2), znode.OpGetData, &jute.GetDataRequest{Path: path}))
	}
	for i := range 2 * n {
		r, err := c.Read()
		require.NoError(t, err)
		require.Equal(t, int32(i+1), r.Header.Xid)
		require.Equal(t, znode.OK, r.Header.Err, "xid %d", r.Header.Xid)
		if i%2 == 1 {
			var gd jute.GetDataResponse
			require.NoError(t, r.Decode(&gd))
			require.Equal(t, fmt.Sprintf("/p%d", i/2), string(gd.Data))
		}
	}
	b.mu.Lock()
	assert.GreaterOrEqual(t, b.maxQueued, n, "writes were sent without waiting for earlier replies")
	b.mu.Unlock()

	// The watch fired on the Backend's goroutine and reached the other
	// session before its next reply.
	_, evs := call(t, watcher, 2, znode.OpPing, nil)
	assert.Equal(t, []jute.WatcherEvent{{Type: znode.EventNodeCreated, State: 3, Path: "/p0"}}, evs)
}
