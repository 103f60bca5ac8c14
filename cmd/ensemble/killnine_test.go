package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// killNineSessionTimeout is the session timeout the clients ask for and
// the peers allow (maxSessionTimeout, 50 ticks of 200ms). It must outlast
// an election plus a restart of a -race binary on a loaded machine, so
// that the client of the killed peer is back before its session expires.
const killNineSessionTimeout = 10 * time.Second

// TestBinaryKillNineLeader runs three peers as processes, kills the
// leader with SIGKILL and starts it again from the same zoo.cfg and data
// directory. Sessions survive all of it: the clients of the survivors keep
// their session ids and ephemerals, a client that knows every peer moves
// from the dead leader to a survivor with its session, and the client
// whose only peer was the leader gets its session, ephemeral and watches
// back once that peer has rejoined. Watches fire across the failover.
func TestBinaryKillNineLeader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	ports := freePorts(t, 9)
	var servers []string
	for i := range 3 {
		servers = append(servers, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", i+1, ports[2*i], ports[2*i+1]))
	}
	cfgs := make([]string, 3)
	addrs := make([]string, 3)
	peers := make([]*proc, 3)
	for i := range 3 {
		dir := t.TempDir()
		data := filepath.Join(dir, "data")
		require.NoError(t, os.MkdirAll(data, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(data, "myid"), []byte(strconv.Itoa(i+1)+"\n"), 0o644))
		// A fixed client port, so that the restarted peer is where its
		// client looks for it.
		addrs[i] = fmt.Sprintf("127.0.0.1:%d", ports[6+i])
		cfgs[i] = writeCfg(t, filepath.Join(dir, "zoo.cfg"), append([]string{
			"tickTime=200", "initLimit=10", "syncLimit=5",
			"maxSessionTimeout=" + strconv.FormatInt(killNineSessionTimeout.Milliseconds(), 10),
			"dataDir=" + data,
			"clientPortAddress=127.0.0.1", "clientPort=" + strconv.Itoa(ports[6+i]),
		}, servers...)...)
		peers[i] = startBinary(t, nil, "serve", "-config", cfgs[i])
	}
	for i, p := range peers {
		require.Equal(t, addrs[i], p.waitReady(t))
	}
	leader := -1
	for i, addr := range addrs {
		if field(t, fourLetterWord(t, addr, "srvr"), "Mode") == "leader" {
			require.Equal(t, -1, leader, "two leaders")
			leader = i
		}
	}
	require.NotEqual(t, -1, leader, "no leader")
	var survivors []int
	for i := range 3 {
		if i != leader {
			survivors = append(survivors, i)
		}
	}

	setup := zkConnect(t, addrs[0])
	for _, p := range []string{"/shared", "/later"} {
		_, err := setup.Create(p, []byte("0"), 0, zk.WorldACL(zk.PermAll))
		require.NoError(t, err)
	}

	// One client per peer, knowing only that peer, and one knowing all
	// three, the leader first so that it starts on the peer to be killed.
	clients := make([]*trackedClient, 4)
	for i := range 3 {
		clients[i] = connectTracked(ctx, t, fmt.Sprintf("client of peer %d", i+1), addrs[i])
	}
	all := append([]string{addrs[leader]}, addrs[survivors[0]], addrs[survivors[1]])
	clients[3] = connectTracked(ctx, t, "client of all peers", all...)
	moved, alone := clients[3], clients[leader]
	require.Equal(t, addrs[leader], moved.conn.Server())

	ids := make([]int64, 4)
	shared := make([]<-chan zk.Event, 4)
	for i, c := range clients {
		ids[i] = c.conn.SessionID()
		require.NotZero(t, ids[i])
		_, err := c.conn.Create(ephemeralPath(i), nil, zk.FlagEphemeral, zk.WorldACL(zk.PermAll))
		require.NoError(t, err, c.name)
		_, _, shared[i], err = c.conn.GetW("/shared")
		require.NoError(t, err, c.name)
	}
	_, _, later, err := alone.conn.GetW("/later")
	require.NoError(t, err)

	// kill -9 the leader: no goodbye to anyone.
	mark := make([]int, 4)
	for i, c := range clients {
		mark[i] = c.events.len()
	}
	require.NoError(t, peers[leader].cmd.Process.Signal(syscall.SIGKILL))
	select {
	case <-peers[leader].exited:
	case <-ctx.Done():
		require.FailNow(t, "the killed leader did not exit")
	}

	// The survivors elect a leader among themselves, and their clients
	// and the client of all peers have their sessions back, unchanged.
	for _, i := range survivors {
		clients[i].awaitSession(ctx, t, mark[i])
	}
	moved.awaitSession(ctx, t, mark[3])
	assert.Contains(t, []string{addrs[survivors[0]], addrs[survivors[1]]}, moved.conn.Server(),
		"the client of all peers moved to a survivor")
	modes := map[string]int{}
	for _, i := range survivors {
		modes[field(t, fourLetterWord(t, addrs[i], "srvr"), "Mode")]++
	}
	assert.Equal(t, map[string]int{"leader": 1, "follower": 1}, modes)
	for i, c := range clients {
		if c == alone {
			continue
		}
		assert.Equal(t, ids[i], c.conn.SessionID(), "%s kept its session", c.name)
		for j := range clients {
			_, st, err := c.conn.Get(ephemeralPath(j))
			require.NoError(t, err, "%s reads the ephemeral of %s", c.name, clients[j].name)
			assert.Equal(t, ids[j], st.EphemeralOwner)
		}
	}

	// A write after the failover fires the watches of the connected
	// clients; the client of the dead peer hears nothing yet.
	_, err = moved.conn.Set("/shared", []byte("1"), -1)
	require.NoError(t, err)
	for i, c := range clients {
		if c != alone {
			awaitWatch(ctx, t, c.name, shared[i], zk.EventNodeDataChanged, "/shared")
		}
	}
	assert.Empty(t, shared[leader], "the client of the dead peer heard a watch")

	// The killed peer comes back from its zoo.cfg and data directory and
	// rejoins as a follower; its client reconnects to it with the same
	// session, finds its ephemeral, and is told of the change it missed.
	peers[leader] = startBinary(t, nil, "serve", "-config", cfgs[leader])
	require.Equal(t, addrs[leader], peers[leader].waitReady(t))
	assert.Equal(t, "follower", field(t, fourLetterWord(t, addrs[leader], "srvr"), "Mode"))
	alone.awaitSession(ctx, t, mark[leader])
	assert.Equal(t, ids[leader], alone.conn.SessionID(), "the client of the killed peer kept its session")
	assert.Equal(t, addrs[leader], alone.conn.Server())
	awaitWatch(ctx, t, alone.name, shared[leader], zk.EventNodeDataChanged, "/shared")
	data, st, err := alone.conn.Get(ephemeralPath(leader))
	require.NoError(t, err)
	assert.Empty(t, data)
	assert.Equal(t, ids[leader], st.EphemeralOwner)
	data, _, err = alone.conn.Get("/shared")
	require.NoError(t, err)
	assert.Equal(t, "1", string(data), "the restarted peer has the write made while it was down")

	// The watch it set before the kill still fires, on a write made
	// through another peer.
	_, err = clients[survivors[0]].conn.Set("/later", []byte("1"), -1)
	require.NoError(t, err)
	awaitWatch(ctx, t, alone.name, later, zk.EventNodeDataChanged, "/later")

	// No client lost its session at any point.
	for _, c := range clients {
		assert.NotContains(t, c.events.states(), zk.StateExpired, c.name)
	}
}

// ephemeralPath is the ephemeral client i creates.
func ephemeralPath(i int) string { return fmt.Sprintf("/ephemeral-%d", i) }

// awaitWatch waits for a watch to fire and checks what it says.
func awaitWatch(ctx context.Context, t *testing.T, name string, ch <-chan zk.Event, typ zk.EventType, path string) {
	t.Helper()
	select {
	case ev := <-ch:
		assert.Equal(t, typ, ev.Type, "%s: %+v", name, ev)
		assert.Equal(t, path, ev.Path, name)
		assert.NoError(t, ev.Err, name)
	case <-ctx.Done():
		require.FailNow(t, "the watch did not fire", "%s, on %s", name, path)
	}
}

// trackedClient is a go-zookeeper/zk client whose session events the test
// can wait for.
type trackedClient struct {
	name   string
	conn   *zk.Conn
	events *sessionLog
}

// connectTracked connects to addrs, tried in the order given, and waits
// for the session.
func connectTracked(ctx context.Context, t *testing.T, name string, addrs ...string) *trackedClient {
	t.Helper()
	c := &trackedClient{name: name, events: newSessionLog()}
	conn, _, err := zk.Connect(addrs, killNineSessionTimeout,
		zk.WithLogger(quietLogger{}),
		zk.WithDialer(func(network, addr string, timeout time.Duration) (net.Conn, error) {
			nc, err := net.DialTimeout(network, addr, timeout)
			if err != nil {
				return nil, err
			}
			return &setWatchesSpy{Conn: nc, log: c.events}, nil
		}),
		zk.WithEventCallback(c.events.record),
		zk.WithHostProvider(newOrderedHosts(addrs)))
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	c.conn = conn
	c.awaitSession(ctx, t, 0)
	return c
}

// awaitSession waits until, after the first from events, the client was
// disconnected and has a session again that serves requests. A peer that
// has lost its leader without noticing yet may still take the session
// back, then drop the connection once it notices; the client then moves
// on, and awaitSession waits for its next session.
func (c *trackedClient) awaitSession(ctx context.Context, t *testing.T, from int) {
	t.Helper()
	want := []zk.State{zk.StateHasSession}
	if from > 0 {
		// A reconnecting client holds watches (every reconnect in the
		// test does): wait for it to send them again before using it.
		want = []zk.State{zk.StateDisconnected, zk.StateHasSession, watchesResent}
	}
	for {
		require.NoError(t, c.events.await(ctx, from, want...), "%s; its states: %v", c.name, c.events.states())
		next := c.events.len()
		_, err := c.conn.Sync("/")
		if err == nil {
			return
		}
		require.True(t, errors.Is(err, zk.ErrConnectionClosed) || errors.Is(err, zk.ErrNoServer),
			"%s: sync: %v", c.name, err)
		from, want = next, []zk.State{zk.StateHasSession, watchesResent}
	}
}

// watchesResent is not one of go-zookeeper/zk's states: setWatchesSpy
// records it in a sessionLog when the client sends SetWatches on a new
// connection.
const watchesResent zk.State = -1000

// opSetWatches is the opcode of ZooKeeper's SetWatches request.
const opSetWatches = 101

// setWatchesSpy tells when a go-zookeeper/zk client has sent its watches
// again after a reconnect. go-zookeeper/zk v1.0.4 reads its last zxid for
// SetWatches on one goroutine while its receive loop may already write it
// on another, with no lock: a request answered before SetWatches is sent
// is a data race inside the library that -race reports. The test sends
// nothing on a new connection until SetWatches has gone out.
type setWatchesSpy struct {
	net.Conn
	log       *sessionLog
	handshook bool // the first write is the connect request, not a packet with an opcode
}

// Write sees whole packets: go-zookeeper/zk writes one per call.
func (s *setWatchesSpy) Write(p []byte) (int, error) {
	n, err := s.Conn.Write(p)
	if err == nil && s.handshook && len(p) >= 12 && int32(binary.BigEndian.Uint32(p[8:12])) == opSetWatches {
		s.log.add(watchesResent)
	}
	s.handshook = true
	return n, err
}

// sessionLog records a client's session states as go-zookeeper/zk
// reports them, and tells waiters when one comes.
type sessionLog struct {
	mu      sync.Mutex
	log     []zk.State
	changed chan struct{} // closed and replaced on every new state
}

func newSessionLog() *sessionLog { return &sessionLog{changed: make(chan struct{})} }

// record is the client's event callback; it must not block.
func (l *sessionLog) record(ev zk.Event) {
	if ev.Type == zk.EventSession {
		l.add(ev.State)
	}
}

// add records s and wakes the waiters.
func (l *sessionLog) add(s zk.State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.log = append(l.log, s)
	close(l.changed)
	l.changed = make(chan struct{})
}

func (l *sessionLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.log)
}

func (l *sessionLog) states() []zk.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

// await waits until the states after the first from include want, in
// that order.
func (l *sessionLog) await(ctx context.Context, from int, want ...zk.State) error {
	for {
		l.mu.Lock()
		seen, changed := l.log[from:], l.changed
		l.mu.Unlock()
		rest := want
		for _, s := range seen {
			if len(rest) > 0 && s == rest[0] {
				rest = rest[1:]
			}
		}
		if len(rest) == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for session states %v: %w", want, ctx.Err())
		}
	}
}

// orderedHosts is a zk.HostProvider that tries its servers in the order
// it was made with: go-zookeeper/zk shuffles the servers given to Connect
// before it hands them to Init, and the test must know which peer the
// client of all peers starts on.
type orderedHosts struct {
	mu      sync.Mutex
	servers []string
	last    int // index of the server Next last returned
	tries   int // servers returned since the last connection
}

func newOrderedHosts(servers []string) *orderedHosts {
	return &orderedHosts{servers: slices.Clone(servers), last: -1}
}

// Init checks that the client was given the same servers, in any order.
func (h *orderedHosts) Init(servers []string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !sameSet(h.servers, servers) {
		return fmt.Errorf("orderedHosts: made with %v, given %v", h.servers, servers)
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func (h *orderedHosts) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.servers)
}

// Next returns the server after the last one; retryStart is true once
// every server has been tried since the last connection, so that the
// client pauses before another round.
func (h *orderedHosts) Next() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = (h.last + 1) % len(h.servers)
	h.tries++
	retryStart := h.tries > len(h.servers)
	if retryStart {
		h.tries = 1
	}
	return h.servers[h.last], retryStart
}

func (h *orderedHosts) Connected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tries = 0
}
