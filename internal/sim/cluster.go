package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/ensemble-go/ensemble/election"
	"github.com/ensemble-go/ensemble/quorum"
	"github.com/ensemble-go/ensemble/zab"
)

// Cluster is a whole simulated ensemble in one goroutine: peers, network,
// disks, clients and the checker, all driven from one seeded source of
// randomness, so a run is a pure function of its Options.
type Cluster struct {
	opt    Options
	rng    *rand.Rand
	now    int64
	peers  []*Peer // by id; peers[0] is unused
	voters quorum.Verifier
	ids    []uint64
	net    *Network
	check  *Checker
	trace  *Trace
	err    error

	// Client bookkeeping.
	payloads  map[string]*payload
	nextWrite int
	syncs     map[uint64]int64 // sync id → committed zxid when it was asked
	nextSync  uint64
	syncsDone int
	acked     int

	// Faults in force.
	faultsOn bool
	maxDelay int64

	deferred []func()

	// OnZab, if set, sees every zab message as it is sent and may drop it
	// (return false). Scenarios use it to crash a peer at an exact protocol
	// step (through Defer) or to lose one message.
	OnZab func(from uint64, m zab.Message) bool
	// OnDeliver, if set, sees every zab message just before its receiver
	// steps on it, and may drop it (return false).
	OnDeliver func(to uint64, m zab.Message) bool
	// Bug, if set, makes the host break the Ready contract on purpose, to
	// show that a scenario catches the bug it guards against.
	Bug HostBug
	// TrustAcks turns off the host's own check that a learner's ACK covers
	// only durable txns and a stored epoch, so that a test can show what a
	// broken ACK leads to downstream (a lost committed txn), not just that
	// it was sent.
	TrustAcks bool
}

type payload struct {
	by    uint64 // the peer the client submitted it to
	zxid  int64  // where it was committed (once acked)
	acked bool
}

// New builds an ensemble of Options.Voters voters (ids 1..Voters) and
// Options.Observers observers (the ids after), all started and looking.
func New(opt Options) (*Cluster, error) {
	opt.setDefaults()
	n := opt.Voters + opt.Observers
	c := &Cluster{
		opt:      opt,
		rng:      rand.New(rand.NewPCG(opt.Seed, 0xe45e4b1e)),
		peers:    make([]*Peer, n+1),
		net:      NewNetwork(n),
		trace:    NewTrace(opt.TraceLen),
		payloads: map[string]*payload{},
		syncs:    map[uint64]int64{},
		maxDelay: opt.MaxDelay,
	}
	c.check = NewChecker(func() int64 { return c.now })
	c.net.Paused = func(id uint64) bool { return c.peers[id].Paused(c.now) }
	if !opt.SharedConns {
		c.net.Listening = func(id uint64) bool { p := c.peers[id]; return p.Up && p.role == zab.Leading }
	}
	voters := make([]uint64, opt.Voters)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	v, err := quorum.NewMajority(voters...)
	if err != nil {
		return nil, err
	}
	c.voters = v
	for id := uint64(1); id <= uint64(n); id++ {
		c.ids = append(c.ids, id)
		c.peers[id] = &Peer{
			ID:          id,
			Voter:       v.IsVoter(id),
			Disk:        &Disk{},
			diskLatency: opt.FsyncMax,
			tickPhase:   c.rng.Int64N(opt.TickEvery),
			tickEvery:   opt.TickEvery,
		}
	}
	if opt.ClockDrift > 0 {
		for _, id := range c.ids {
			c.peers[id].tickEvery = max(1, opt.TickEvery+c.rng.Int64N(2*opt.ClockDrift+1)-opt.ClockDrift)
		}
	}
	for _, id := range c.ids {
		if err := c.start(c.peers[id]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// start builds a peer's cores from its disk and starts an election round.
func (c *Cluster) start(p *Peer) error {
	el, err := election.New(election.Config{
		ID:             p.ID,
		Quorum:         c.voters,
		Peers:          c.ids,
		FinalizeWait:   c.opt.FinalizeWait,
		ResendInterval: c.opt.ResendInterval,
	})
	if err != nil {
		return fmt.Errorf("sim: peer %d: election: %w", p.ID, err)
	}
	z, err := zab.New(zab.Config{
		ID:           p.ID,
		Quorum:       c.voters,
		Peers:        c.ids,
		InitLimit:    c.opt.InitLimit,
		SyncLimit:    c.opt.SyncLimit,
		PingInterval: c.opt.PingInterval,
		Log:          p.Disk,
		Snapshots:    p,
		MaxDiff:      c.opt.MaxDiff,
	}, zab.Durable{
		AcceptedEpoch: p.Disk.AcceptedEpoch,
		CurrentEpoch:  p.Disk.CurrentEpoch,
		Applied:       p.SM.Zxid,
	})
	if err != nil {
		return fmt.Errorf("sim: peer %d: zab: %w", p.ID, err)
	}
	p.el, p.zab, p.Up = el, z, true
	p.role = z.Role()
	c.startElection(p)
	c.drive(p)
	return nil
}

// Options returns the options the run uses, defaults filled in.
func (c *Cluster) Options() Options { return c.opt }

// Now is the current step.
func (c *Cluster) Now() int64 { return c.now }

// Ticks is the current time in ticks.
func (c *Cluster) Ticks() int64 { return c.now / c.opt.TickEvery }

// Err is the first invariant violation (or harness failure), or nil.
func (c *Cluster) Err() error { return c.err }

// Trace is the run's event log.
func (c *Cluster) Trace() *Trace { return c.trace }

// Checker is the run's invariant checker.
func (c *Cluster) Checker() *Checker { return c.check }

// Peer returns peer id.
func (c *Cluster) Peer(id uint64) *Peer { return c.peers[id] }

// IDs returns every peer id, voters first.
func (c *Cluster) IDs() []uint64 { return c.ids }

// Net is the simulated network.
func (c *Cluster) Net() *Network { return c.net }

// Acked is how many client writes were acknowledged.
func (c *Cluster) Acked() int { return c.acked }

// Defer runs fn once the event being processed is finished (hooks use it
// to crash a peer at an exact point without tearing its Ready apart).
func (c *Cluster) Defer(fn func()) { c.deferred = append(c.deferred, fn) }

func (c *Cluster) runDeferred() {
	for len(c.deferred) > 0 && c.err == nil {
		fn := c.deferred[0]
		c.deferred = c.deferred[1:]
		fn()
	}
}

func (c *Cluster) setErr(err error) {
	if c.err == nil && err != nil {
		c.err = err
		c.log(event{what: "VIOLATION", note: err.Error()})
	}
}

func (c *Cluster) log(e event) {
	e.step = c.now
	c.trace.add(e)
}

func (c *Cluster) delay() int64 { return c.now + 1 + c.rng.Int64N(c.maxDelay) }

// Step advances the simulation by one step: faults (if on), clients,
// message deliveries in a random interleaving, completed fsyncs, then the
// peers whose tick falls on this step.
func (c *Cluster) Step() {
	if c.err != nil {
		return
	}
	c.now++
	if c.faultsOn {
		c.injectFaults()
	}
	c.clients()
	for _, id := range c.ids {
		if p := c.peers[id]; p.Up && p.pausedUntil == c.now && c.rng.IntN(2) == 0 {
			// A client waiting on the stalled peer asks for a sync the
			// moment it wakes, before it learns it was deposed.
			c.SyncAt(id)
		}
	}
	for c.err == nil {
		d, ok := c.net.Next(c.now, c.rng.IntN)
		if !ok {
			break
		}
		c.deliver(d)
		c.runDeferred()
	}
	for _, id := range c.ids {
		p := c.peers[id]
		for p.Up && !p.Paused(c.now) && len(p.fsyncs) > 0 && p.fsyncs[0].at <= c.now && c.err == nil {
			f := p.fsyncs[0]
			p.fsyncs = p.fsyncs[1:]
			p.Disk.Sync(f.upto)
			c.log(event{peer: id, what: "fsynced", zxid: f.upto})
			if !p.early {
				p.zab.Persisted(f.upto)
			}
			c.drive(p)
			c.runDeferred()
		}
	}
	for _, id := range c.ids {
		p := c.peers[id]
		if !p.Up || p.Paused(c.now) || (c.now+p.tickPhase)%p.tickEvery != 0 || c.err != nil {
			continue
		}
		p.el.Tick()
		p.zab.Tick()
		c.drive(p)
		c.runDeferred()
		if p.Up && c.rng.Float64() < c.opt.SnapshotRate {
			p.Disk.TakeSnapshot(p.SM)
			if c.opt.PurgeKeep >= 0 {
				p.Disk.Purge(c.opt.PurgeKeep)
			}
		}
	}
}

// deliver hands one packet to its receiver.
func (c *Cluster) deliver(d Delivery) {
	q := c.peers[d.To]
	if !q.Up {
		if d.Plane == ZabPlane && !d.Close {
			// Connection refused: the sender finds out.
			c.net.Break(d.From, d.To, true, false, c.delay())
		}
		return
	}
	if d.Close {
		c.log(event{peer: d.To, what: "closed", other: d.From})
		q.zab.Disconnected(d.From)
		c.drive(q)
		return
	}
	if d.Plane == ElectionPlane {
		n, err := election.UnmarshalNotification(d.Data)
		if err != nil {
			c.setErr(&Violation{Rule: RuleCodec, Peer: d.From, Step: c.now, Msg: err.Error()})
			return
		}
		n.From, n.To = d.From, d.To
		c.log(event{peer: d.To, what: "recv", plane: ElectionPlane, other: d.From, typ: int32(n.State),
			n: int64(n.Vote.Leader), zxid: n.Vote.Zxid, epoch: n.Vote.PeerEpoch, round: n.ElectionEpoch})
		q.el.Step(n)
		c.drive(q)
		return
	}
	m, err := zab.UnmarshalMessage(d.Data)
	if err != nil {
		c.setErr(&Violation{Rule: RuleCodec, Peer: d.From, Step: c.now, Msg: err.Error()})
		return
	}
	m.From, m.To = d.From, d.To
	if c.OnDeliver != nil && !c.OnDeliver(d.To, m) {
		c.log(event{peer: d.To, what: "drop", plane: ZabPlane, other: d.From, typ: int32(m.Type), zxid: m.Zxid, epoch: m.Epoch, note: "(scenario, at delivery)"})
		return
	}
	c.log(event{peer: d.To, what: "recv", plane: ZabPlane, other: d.From, typ: int32(m.Type), zxid: m.Zxid, epoch: m.Epoch, n: int64(len(m.Data))})
	switch fromLeader := q.learner() && m.From == q.zab.Leader(); {
	case !fromLeader:
		// Not from its leader (a stale session's, with shared connections):
		// zab ignores it, and so does the bookkeeping below.
	case m.Type == zab.Diff || m.Type == zab.Trunc || m.Type == zab.Snap:
		// A sync starts: everything up to NEWLEADER is the history the
		// learner must hold durably before it acknowledges NEWLEADER.
		q.syncPoint, q.syncing = m.Zxid, true
		if m.Type == zab.Diff {
			q.syncPoint = 0 // DIFF's zxid is the leader's last; the proposals say what was sent
		}
	case m.Type == zab.Proposal:
		if q.syncing {
			q.syncPoint = max(q.syncPoint, m.Zxid)
		}
	case m.Type == zab.NewLeader:
		q.syncing = false
	}
	q.zab.Step(m)
	c.drive(q)
	c.maybeCrashInSync(q, m)
}

// drive carries out a peer's Ready batches until both cores are quiet:
// zab's first (its ordering is the contract), then election's, whose
// decision starts zab in its new role.
func (c *Cluster) drive(p *Peer) {
	for c.err == nil && p.Up {
		if zr := p.zab.Ready(); !zr.IsEmpty() {
			c.handleZab(p, zr)
			continue
		}
		if er := p.el.Ready(); len(er.Messages) > 0 || er.Decision != nil {
			c.handleElection(p, er)
			continue
		}
		return
	}
}

func (c *Cluster) handleElection(p *Peer, r election.Ready) {
	for _, n := range r.Messages {
		c.sendElection(p, n)
	}
	if d := r.Decision; d != nil {
		c.log(event{peer: p.ID, what: "decided", other: d.Leader, typ: int32(d.State), zxid: d.Vote.Zxid,
			epoch: d.Vote.PeerEpoch, note: stateName(int32(d.State))})
		switch d.State {
		case election.Leading:
			p.zab.Lead()
		case election.Following:
			p.zab.Follow(d.Leader)
		case election.Observing:
			p.zab.Observe(d.Leader)
		default:
			c.setErr(&Violation{Rule: RuleReadyContract, Peer: p.ID, Step: c.now,
				Msg: fmt.Sprintf("election decided state %s", stateName(int32(d.State)))})
		}
	}
}

func (c *Cluster) sendElection(p *Peer, n election.Notification) {
	if n.To == 0 || int(n.To) >= len(c.peers) || n.To == p.ID {
		c.setErr(&Violation{Rule: RuleReadyContract, Peer: p.ID, Step: c.now, Msg: fmt.Sprintf("notification to peer %d", n.To)})
		return
	}
	n.From = p.ID
	b, err := n.MarshalBinary()
	if err == nil {
		var back election.Notification
		back, err = election.UnmarshalNotification(b)
		if err == nil && (back.State != n.State || back.Vote != n.Vote || back.ElectionEpoch != n.ElectionEpoch) {
			err = fmt.Errorf("notification %+v decodes as %+v", n, back)
		}
	}
	if err != nil {
		c.setErr(&Violation{Rule: RuleCodec, Peer: p.ID, Step: c.now, Msg: err.Error()})
		return
	}
	e := event{peer: p.ID, what: "send", plane: ElectionPlane, other: n.To, typ: int32(n.State),
		n: int64(n.Vote.Leader), zxid: n.Vote.Zxid, epoch: n.Vote.PeerEpoch, round: n.ElectionEpoch}
	if c.opt.Faults.ElectionLoss > 0 && c.faultsOn && c.rng.Float64() < c.opt.Faults.ElectionLoss {
		e.what, e.note = "drop", "(lost)"
	} else if !c.net.Send(ElectionPlane, p.ID, n.To, b, c.delay(), false) {
		e.what, e.note = "drop", "(cut)"
	}
	c.log(e)
}
