package ensemble

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble/election"
	"github.com/ensemble-go/ensemble/quorum"
	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/zab"
	"github.com/ensemble-go/ensemble/znode"
)

// ErrClosed is returned by calls on a Node (or a Client of it) that has
// been closed.
var ErrClosed = errors.New("ensemble: node closed")

// Role is what a peer does in the ensemble right now.
type Role int32

// Roles, with ZooKeeper's names.
const (
	Looking   Role = Role(zab.Looking)
	Following Role = Role(zab.Following)
	Leading   Role = Role(zab.Leading)
	Observing Role = Role(zab.Observing)
)

// String returns ZooKeeper's name for the role, such as "LEADING".
func (r Role) String() string { return zab.Role(r).String() }

// ticksPerTickTime is how many core ticks make one tickTime. The cores
// count in ticks; ZooKeeper's election waits 200ms (a tenth of the default
// tickTime) for a better vote, so the Node ticks its cores ten times per
// tickTime and scales initLimit and syncLimit to match.
const ticksPerTickTime = 10

// Node is one peer of an ensemble, hosted in-process. It owns the
// goroutines and I/O around the deterministic cores: the loop that drives
// election and zab, the txn log's syncer, the transports and, when
// Config.ClientAddr is set, the ZooKeeper client port.
//
// Start one with Start; wait for Ready before expecting writes to succeed;
// Close it to stop everything. Open sessions with NewClient.
type Node struct {
	cfg Config
	log hclog.Logger
	id  uint64

	wal      *wal.Log
	elecT    transport.Transport // nil for a standalone peer
	quorumT  transport.Transport // nil for a standalone peer
	server   *wire.Server        // nil without a client address
	secure   *wire.Server        // nil without a secure client address
	clientLn net.Listener
	secureLn net.Listener

	// The loop owns these; nothing else touches them.
	elec        *election.Election
	zab         *zab.Zab
	prep        *znode.Preparer
	tracker     *session.Tracker // the leader's expiry queue; nil when not leading
	role        Role
	established bool // zab is in its broadcast phase
	pending     map[writeKey]*pendingWrite
	seq         uint64      // orders pending writes and syncs
	backlog     []*writeReq // writes waiting for an established leader
	syncs       map[uint64]*syncReq
	syncWaits   []*syncReq             // answered by the leader, waiting for the apply
	hellos      map[uint64]zab.Message // learners' FOLLOWERINFO held while Looking
	syncing     syncKind               // how the current learner sync is going
	lastSync    atomic.Int32           // syncKind of the last completed learner sync
	nextSyncID  uint64
	coreTicks   int
	sinceSnap   int
	snapEvery   int
	snapping    bool
	lastCleanup time.Time
	lastPurge   time.Time
	lastContact time.Time // when the peer last served with an established leader

	// mu guards the tree and the watch manager for readers outside the
	// loop. The loop changes them only while holding mu for writing, so a
	// reader holding it for reading sees a tree whose every applied txn
	// has had its watch events delivered (wire's Backend rule 3).
	mu       sync.RWMutex
	tree     *znode.Tree
	watchMu  sync.Mutex // Watches is not safe for concurrent use; Local calls run in parallel
	watches  *session.Watches
	sessions map[int64]*attached // sessions attached to this peer, by id

	idGen   *session.IDGenerator
	idMu    sync.Mutex
	touchMu sync.Mutex
	touched *session.TouchSet // sessions seen alive here since the last tick

	inbox        chan func() // work for the loop from other goroutines
	persistedTo  atomic.Int64
	persistedSig chan struct{}
	applied      atomic.Int64
	roleWatchers []chan Role
	roleMu       sync.Mutex
	roleNow      atomic.Int32
	leaderNow    atomic.Uint64
	servingNow   atomic.Bool
	readyOnce    sync.Once
	readyC       chan struct{}
	stop         chan struct{}
	done         chan struct{}
	errMu        sync.Mutex
	err          error
	closeOnce    sync.Once
	bg           sync.WaitGroup // background snapshot and purge work
	// diskMu keeps the log's whole-file operations apart, as wal requires:
	// a background SaveSnapshot or Purge never runs while the loop
	// truncates the log or installs a leader's snapshot.
	diskMu        sync.Mutex
	snapshotCount atomic.Int64 // snapshots written, for tests and mntr
}

// syncKind is how a learner caught up with its leader, for logs and tests.
type syncKind int32

const (
	syncNone  syncKind = iota
	syncDiff           // the leader sent the txns it was missing (maybe none)
	syncTrunc          // the learner dropped txns the leader never committed, then got a DIFF
	syncSnap           // the leader sent a snapshot, then a DIFF
)

func (k syncKind) String() string {
	return [...]string{"none", "DIFF", "TRUNC", "SNAP"}[k]
}

// writeKey identifies a write by the session that sent it and its cxid.
type writeKey struct {
	session int64
	cxid    int32
}

// Start opens the data directories, recovers the newest snapshot and the
// txn log, and starts the peer: its transports, the election and, when
// configured, the client port. It returns once everything is running; the
// peer is ready to serve when Ready is closed.
func Start(cfg Config) (*Node, error) {
	cfg, err := cfg.validated()
	if err != nil {
		return nil, err
	}
	n := &Node{
		cfg:          cfg,
		log:          cfg.Logger.Named("ensemble").With("id", cfg.ID),
		id:           cfg.ID,
		pending:      map[writeKey]*pendingWrite{},
		syncs:        map[uint64]*syncReq{},
		hellos:       map[uint64]zab.Message{},
		sessions:     map[int64]*attached{},
		watches:      session.NewWatches(),
		touched:      session.NewTouchSet(),
		inbox:        make(chan func(), 1024),
		persistedSig: make(chan struct{}, 1),
		readyC:       make(chan struct{}),
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	n.snapEvery = cfg.SnapCount/2 + 1 + rand.IntN(cfg.SnapCount-cfg.SnapCount/2)
	if n.idGen, err = session.NewIDGenerator(cfg.ID, time.Now().UnixMilli()); err != nil {
		return nil, &ConfigError{Field: "ID", Problem: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := n.recover(ctx); err != nil {
		return nil, err
	}
	if err := n.startCores(); err != nil {
		n.wal.Close()
		return nil, err
	}
	if err := n.startTransports(ctx); err != nil {
		n.wal.Close()
		return nil, err
	}
	if err := n.startClientPorts(); err != nil {
		n.closeTransports()
		n.wal.Close()
		return nil, err
	}
	for _, w := range cfg.FourLetterWords {
		if w != "*" && !slices.Contains(fourLetterWords, w) {
			n.log.Warn("4lw.commands.whitelist names a word ensemble does not answer", "word", w)
		}
	}
	go n.run()
	return n, nil
}

// startCores builds the election and zab cores from the recovered state.
func (n *Node) startCores() error {
	q, err := quorum.NewMajority(n.cfg.voters()...)
	if err != nil {
		return &ConfigError{Field: "Peers", Problem: err.Error()}
	}
	peers := n.cfg.peerIDs()
	n.elec, err = election.New(election.Config{
		ID:                n.id,
		Quorum:            q,
		Peers:             peers,
		FinalizeWait:      1,
		ResendInterval:    2,
		MaxResendInterval: 4 * ticksPerTickTime,
	})
	if err != nil {
		return fmt.Errorf("ensemble: election: %w", err)
	}
	accepted, current := n.wal.Epochs()
	n.zab, err = zab.New(zab.Config{
		ID:           n.id,
		Quorum:       q,
		Peers:        peers,
		InitLimit:    n.cfg.InitLimit * ticksPerTickTime,
		SyncLimit:    n.cfg.SyncLimit * ticksPerTickTime,
		PingInterval: ticksPerTickTime / 2,
		Log:          n.wal,
		Snapshots:    snapshotSource{n},
		MaxDiff:      n.cfg.maxDiff,
	}, zab.Durable{AcceptedEpoch: accepted, CurrentEpoch: current, Applied: n.tree.LastZxid()})
	if err != nil {
		return fmt.Errorf("ensemble: zab: %w", err)
	}
	n.prep = znode.NewPreparer(n.tree)
	return nil
}

// Ready is closed once the peer first serves: it leads an established
// epoch, or it has synced with one.
func (n *Node) Ready() <-chan struct{} { return n.readyC }

// Done is closed once the Node has stopped, by Close or by a fatal error
// (see Err).
func (n *Node) Done() <-chan struct{} { return n.done }

// Err returns the fatal error that stopped the Node, or nil.
func (n *Node) Err() error {
	n.errMu.Lock()
	defer n.errMu.Unlock()
	return n.err
}

// ID returns the peer's server id.
func (n *Node) ID() uint64 { return n.id }

// Role returns what the peer does right now.
func (n *Node) Role() Role { return Role(n.roleNow.Load()) }

// Leader returns the id of the peer this one follows or observes (its own
// id while leading), or 0 while there is no leader.
func (n *Node) Leader() uint64 { return n.leaderNow.Load() }

// Serving reports whether the peer serves right now: it leads an
// established epoch or has synced with its leader. Ready closes the first
// time this becomes true; after a leader change it is false until the
// peer serves again.
func (n *Node) Serving() bool { return n.servingNow.Load() }

// IsLeader reports whether the peer leads the ensemble right now.
func (n *Node) IsLeader() bool { return n.Role() == Leading }

// roleBuffer is how many role changes a Roles channel holds for a reader
// that is behind; past it the oldest are dropped.
const roleBuffer = 64

// Roles returns a channel that receives the peer's current role at once
// and then every change, in order: a host that led, lost leadership and
// won it back sees LOOKING in between. A reader more than 64 changes
// behind loses the oldest ones; the newest always arrives. The channel is
// closed when the Node stops.
func (n *Node) Roles() <-chan Role {
	c := make(chan Role, roleBuffer)
	n.roleMu.Lock()
	defer n.roleMu.Unlock()
	select {
	case <-n.done:
		close(c)
		return c
	default:
	}
	c <- n.Role()
	n.roleWatchers = append(n.roleWatchers, c)
	return c
}

// LastZxid returns the zxid of the last txn this peer has applied.
func (n *Node) LastZxid() int64 { return n.applied.Load() }

// ClientAddr returns the address the client port listens on, or "" when
// the Node serves no client port. With ClientAddr "127.0.0.1:0" in the
// Config, this is the port the system chose.
func (n *Node) ClientAddr() string {
	if n.clientLn == nil {
		return ""
	}
	return n.clientLn.Addr().String()
}

// Close stops the peer: the client port, the loop, the transports and the
// txn log, in that order. It waits for every goroutine it started and is
// safe to call more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.server != nil {
			n.server.Close()
		}
		if n.secure != nil {
			n.secure.Close()
		}
		close(n.stop)
		<-n.done
		n.closeTransports()
		n.bg.Wait()
		if err := n.wal.Close(); err != nil {
			n.log.Warn("closing the txn log", "err", err)
		}
	})
	if err := n.Err(); err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return nil
}

// fail records a fatal error; the loop stops after the current step.
func (n *Node) fail(err error) {
	n.errMu.Lock()
	if n.err == nil {
		n.err = err
		n.log.Error("stopping", "err", err)
	}
	n.errMu.Unlock()
}

// failed reports whether a fatal error has been recorded.
func (n *Node) failed() bool { return n.Err() != nil }

// setRole publishes a role change to Role, IsLeader and Roles readers.
func (n *Node) setRole(r Role) {
	n.role = r
	n.roleNow.Store(int32(r))
	n.roleMu.Lock()
	defer n.roleMu.Unlock()
	for _, c := range n.roleWatchers {
		for {
			select {
			case c <- r:
			default:
				select {
				case <-c: // full: drop the oldest
				default:
				}
				continue
			}
			break
		}
	}
}
