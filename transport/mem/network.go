package mem

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ensemble-go/ensemble/transport"
)

// Causes wrapped in the Err of Disconnected events, below
// transport.ErrConnectionLost or transport.ErrUnreachable.
var (
	// ErrBroken: the connection was broken by Network.Break.
	ErrBroken = errors.New("mem: connection broken by the network")
	// ErrStalled: the connection was impaired for Options.StallTimeout.
	ErrStalled = errors.New("mem: connection stalled")
	// ErrPartitioned: a partition stands between the two endpoints.
	ErrPartitioned = errors.New("mem: partitioned")
	// ErrPeerDown: the peer has no open endpoint.
	ErrPeerDown = errors.New("mem: peer down")
	// ErrPeerClosed: the peer closed its endpoint.
	ErrPeerClosed = errors.New("mem: peer closed")
)

// pair is a directed pair of ids, or an unordered one with lo <= hi.
type pair struct{ from, to uint64 }

func unordered(a, b uint64) pair { return pair{min(a, b), max(a, b)} }

// link is a connection between two endpoints.
type link struct {
	ends pair // unordered
	// impairedSince is when the link last became impaired (partitioned
	// either way or with a paused end); zero while it is healthy.
	impairedSince time.Time
}

// Network is an in-process network of endpoints with fault injection. All
// its state is behind one mutex; each endpoint has one goroutine that
// delivers its events. It has no global state: tests make as many as they
// like.
type Network struct {
	opts Options
	live atomic.Int64 // goroutines running, for tests

	mu       sync.Mutex
	eps      map[uint64]*Endpoint // open endpoints
	links    map[pair]*link       // by unordered pair
	cut      map[pair]bool        // directed: from cannot reach to
	isolated map[uint64]bool
	delay    map[pair]time.Duration // directed
	paused   map[uint64]bool
	closed   bool
}

// NewNetwork returns an empty network.
func NewNetwork(opts Options) *Network {
	return &Network{
		opts:     opts.withDefaults(),
		eps:      make(map[uint64]*Endpoint),
		links:    make(map[pair]*link),
		cut:      make(map[pair]bool),
		isolated: make(map[uint64]bool),
		delay:    make(map[pair]time.Duration),
		paused:   make(map[uint64]bool),
	}
}

// Endpoint returns the open endpoint of id, creating it if there is none.
// After the endpoint is closed, Endpoint returns a new one: a restart,
// which peers see as a new connection. After the network is closed it
// returns a closed endpoint.
func (n *Network) Endpoint(id uint64) *Endpoint {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e := n.eps[id]; e != nil {
		return e
	}
	e := &Endpoint{
		n:      n,
		id:     id,
		events: make(chan transport.Event, n.opts.EventBuffer),
		inbox:  make(map[uint64]*inbox),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	if n.closed {
		e.closed = true
		close(e.done)
		close(e.exited)
		close(e.events)
		return e
	}
	n.eps[id] = e
	n.live.Add(1)
	go func() {
		defer close(e.exited)
		defer n.live.Add(-1) // before exited: Close returns with the count at zero
		e.pump()
	}()
	return e
}

// Close closes every endpoint and stops every goroutine of the network.
func (n *Network) Close() error {
	n.mu.Lock()
	n.closed = true
	eps := make([]*Endpoint, 0, len(n.eps))
	for _, e := range n.eps {
		eps = append(eps, e)
	}
	n.mu.Unlock()
	for _, e := range eps {
		e.Close()
	}
	return nil
}

// isPeer reports whether Send may address id at all.
func (n *Network) isPeer(id uint64) bool {
	return len(n.opts.IDs) == 0 || slices.Contains(n.opts.IDs, id)
}

// blockedLocked reports whether messages from one id to another cannot pass.
func (n *Network) blockedLocked(from, to uint64) bool {
	return n.cut[pair{from, to}] || n.isolated[from] || n.isolated[to]
}

// unreachableLocked says why a new connection between a and b cannot be
// made, or nil. A connection needs both directions, like TCP's handshake; a
// paused peer still accepts, as a stopped process's kernel does.
func (n *Network) unreachableLocked(a, b uint64) error {
	if e := n.eps[b]; e == nil {
		return ErrPeerDown
	}
	if n.blockedLocked(a, b) || n.blockedLocked(b, a) {
		return ErrPartitioned
	}
	return nil
}

// impairedLocked reports whether a link cannot carry messages both ways.
func (n *Network) impairedLocked(l *link) bool {
	a, b := l.ends.from, l.ends.to
	return n.blockedLocked(a, b) || n.blockedLocked(b, a) || n.paused[a] || n.paused[b]
}

// faultsChangedLocked restamps every link's impairment after a fault
// changed, and wakes every endpoint to look again.
func (n *Network) faultsChangedLocked() {
	now := time.Now()
	for _, l := range n.links {
		switch impaired := n.impairedLocked(l); {
		case impaired && l.impairedSince.IsZero():
			l.impairedSince = now
		case !impaired:
			l.impairedSince = time.Time{}
		}
	}
	for _, e := range n.eps {
		e.signal()
	}
}

// connectLocked makes a link between a (the sender) and b, queueing
// Connected on both sides.
func (n *Network) connectLocked(a, b uint64) *link {
	l := &link{ends: unordered(a, b)}
	if n.impairedLocked(l) {
		l.impairedSince = time.Now()
	}
	n.links[l.ends] = l
	n.eps[a].push(b, item{ev: transport.Event{Kind: transport.Connected, Peer: b}})
	n.eps[b].push(a, item{ev: transport.Event{Kind: transport.Connected, Peer: a}})
	return l
}

// breakLocked ends a link: messages in flight both ways are dropped and
// each end is told, with its own reason.
func (n *Network) breakLocked(l *link, errs map[uint64]error) {
	delete(n.links, l.ends)
	for _, x := range []uint64{l.ends.from, l.ends.to} {
		y := l.ends.from + l.ends.to - x
		e := n.eps[x]
		if e == nil {
			continue
		}
		e.dropMessagesLocked(y)
		e.push(y, item{ev: transport.Event{Kind: transport.Disconnected, Peer: y, Err: errs[x]}})
	}
}

// breakBoth breaks a link telling both ends the same cause.
func (n *Network) breakBothLocked(l *link, cause error) {
	err := fmt.Errorf("%w: %w", transport.ErrConnectionLost, cause)
	n.breakLocked(l, map[uint64]error{l.ends.from: err, l.ends.to: err})
}
