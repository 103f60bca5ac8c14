package election

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/require"
)

// cluster is the tests' message pump: several Elections wired through
// per-pair FIFO queues (like the TCP connections between ZooKeeper peers),
// delivered in a seeded random order across pairs, with simulated time.
//
// Faults are the ones FastLeaderElection is built to survive:
//   - a peer that is down or cut off by a partition loses what is sent to
//     it, except the last message of each pair, which is delivered when the
//     pair can talk again (ZooKeeper's QuorumCnxManager resends its
//     lastMessageSent on reconnect);
//   - a message with a newer one queued behind it on the same pair may be
//     dropped (ZooKeeper's send queue holds one message: SEND_CAPACITY = 1,
//     "to prevent sending stale notifications").
//
// Every queued message is delivered (or dropped as above) before the next
// tick: the network is faster than the finalize wait, which is the timing
// assumption FastLeaderElection's finalize wait is made for.
type cluster struct {
	t     testing.TB
	rng   *rand.Rand
	ids   []uint64 // sorted: voters and observers
	nodes []*Election
	cfgs  []Config

	queues    [][][]Notification // [from][to]
	lost      [][]*Notification  // last message lost on a pair, resent when it reconnects
	down      []bool             // crashed, or not started yet
	crashed   []bool
	group     []int // partition group; peers talk only within a group
	decisions [][]Decision
	starts    [][2]int64 // each peer's (lastZxid, currentEpoch) at its last Start
	ticks     int

	dropSuperseded float64 // probability of dropping a message with a newer one behind it
	trace          bool    // log every event, to read a failing seed
	delivered      int
	pending        []int // scratch: non-empty pairs
}

// newCluster builds Elections for voters and observers; tweak may adjust
// each Config.
func newCluster(t testing.TB, seed uint64, voters, observers []uint64, tweak func(*Config)) *cluster {
	t.Helper()
	q, err := quorum.NewMajority(voters...)
	require.NoError(t, err)
	ids := slices.Concat(voters, observers)
	slices.Sort(ids)
	n := len(ids)
	c := &cluster{
		t:         t,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		ids:       ids,
		nodes:     make([]*Election, n),
		cfgs:      make([]Config, n),
		queues:    make([][][]Notification, n),
		lost:      make([][]*Notification, n),
		down:      make([]bool, n),
		crashed:   make([]bool, n),
		group:     make([]int, n),
		decisions: make([][]Decision, n),
		starts:    make([][2]int64, n),
	}
	for i, id := range ids {
		cfg := Config{ID: id, Quorum: q, Peers: ids, FinalizeWait: 2, ResendInterval: 4}
		if tweak != nil {
			tweak(&cfg)
		}
		e, err := New(cfg)
		require.NoError(t, err)
		c.nodes[i], c.cfgs[i] = e, cfg
		c.queues[i] = make([][]Notification, n)
		c.lost[i] = make([]*Notification, n)
		c.down[i] = true // until it starts: an Election ignores what comes before Start
	}
	return c
}

func (c *cluster) idx(id uint64) int {
	i, ok := slices.BinarySearch(c.ids, id)
	require.True(c.t, ok, "no peer %d", id)
	return i
}

func (c *cluster) node(id uint64) *Election { return c.nodes[c.idx(id)] }

func (c *cluster) linked(i, j int) bool {
	return !c.down[i] && !c.down[j] && c.group[i] == c.group[j]
}

// start calls Start on a peer and carries out its output.
func (c *cluster) start(id uint64, lastZxid, epoch int64) {
	i := c.idx(id)
	c.down[i], c.crashed[i] = false, false
	c.starts[i] = [2]int64{lastZxid, epoch}
	c.nodes[i].Start(lastZxid, epoch)
	if c.trace {
		c.t.Logf("t=%d peer %d starts (zxid %#x, epoch %d) clock %d", c.ticks, id, lastZxid, epoch, c.nodes[i].LogicalClock())
	}
	c.collect(i)
	c.reconnect()
}

// restartProcess replaces a peer's Election with a new one, as a process
// restart does: the logical clock starts again from zero.
func (c *cluster) restartProcess(id uint64) {
	i := c.idx(id)
	e, err := New(c.cfgs[i])
	require.NoError(c.t, err)
	c.nodes[i] = e
}

// collect takes a peer's Ready: records its decision, queues its messages.
func (c *cluster) collect(i int) {
	rd := c.nodes[i].Ready()
	if rd.Decision != nil && c.trace {
		c.t.Logf("t=%d peer %d decides %+v", c.ticks, c.ids[i], *rd.Decision)
	}
	if rd.Decision != nil {
		c.decisions[i] = append(c.decisions[i], *rd.Decision)
	}
	for _, m := range rd.Messages {
		require.Equal(c.t, c.ids[i], m.From)
		j := c.idx(m.To)
		if !c.linked(i, j) {
			m := m
			c.lost[i][j] = &m
			continue
		}
		c.queues[i][j] = append(c.queues[i][j], m)
	}
}

// reconnect queues, for every pair that can talk again, the last message
// lost on it.
func (c *cluster) reconnect() {
	for i := range c.lost {
		for j, m := range c.lost[i] {
			if m != nil && c.linked(i, j) {
				c.queues[i][j] = append(c.queues[i][j], *m)
				c.lost[i][j] = nil
			}
		}
	}
}

// deliverAll delivers until no message is in flight.
func (c *cluster) deliverAll() {
	n := len(c.ids)
	for steps := 0; ; steps++ {
		require.Less(c.t, steps, 100000, "messages never stop: a notification storm")
		c.pending = c.pending[:0]
		for p := 0; p < n*n; p++ {
			if len(c.queues[p/n][p%n]) > 0 {
				c.pending = append(c.pending, p)
			}
		}
		if len(c.pending) == 0 {
			return
		}
		p := c.pending[c.rng.IntN(len(c.pending))]
		i, j := p/n, p%n
		m := c.queues[i][j][0]
		c.queues[i][j] = c.queues[i][j][1:]
		if len(c.queues[i][j]) > 0 && c.rng.Float64() < c.dropSuperseded {
			continue
		}
		if !c.linked(i, j) {
			c.lost[i][j] = &m
			continue
		}
		c.delivered++
		if c.trace {
			c.t.Logf("t=%d %d->%d %v %+v ee=%d", c.ticks, m.From, m.To, m.State, m.Vote, m.ElectionEpoch)
		}
		c.nodes[j].Step(m)
		c.collect(j)
	}
}

// tick delivers everything in flight, then ticks every running peer.
func (c *cluster) tick() {
	c.deliverAll()
	c.ticks++
	for i, e := range c.nodes {
		if !c.down[i] {
			e.Tick()
			c.collect(i)
		}
	}
	c.deliverAll()
}

// run ticks until done returns true or max ticks pass; it reports done.
func (c *cluster) run(max int, done func() bool) bool {
	c.deliverAll()
	for range max {
		if done() {
			return true
		}
		c.tick()
	}
	return done()
}

// settled reports whether every running, started peer has decided.
func (c *cluster) settled() bool {
	for i, e := range c.nodes {
		if !c.down[i] && e.started && e.State() == Looking {
			return false
		}
	}
	return true
}

// decided returns the decision of a peer's current round.
func (c *cluster) decided(id uint64) (Decision, bool) {
	i := c.idx(id)
	if c.nodes[i].State() == Looking || len(c.decisions[i]) == 0 {
		return Decision{}, false
	}
	return c.decisions[i][len(c.decisions[i])-1], true
}

// partition puts each listed set in its own group; unlisted peers form
// group 0.
func (c *cluster) partition(sets ...[]uint64) {
	if c.trace {
		c.t.Logf("t=%d partition %v", c.ticks, sets)
	}
	clear(c.group)
	for g, set := range sets {
		for _, id := range set {
			c.group[c.idx(id)] = g + 1
		}
	}
	c.reconnect()
}

func (c *cluster) heal() { c.partition() }

// crash stops a peer: it loses what is sent to it and does not tick.
func (c *cluster) crash(id uint64) {
	i := c.idx(id)
	if c.trace {
		c.t.Logf("t=%d peer %d crashes", c.ticks, id)
	}
	c.down[i], c.crashed[i] = true, true
	for j := range c.queues {
		if q := c.queues[j][i]; len(q) > 0 {
			m := q[len(q)-1]
			c.lost[j][i] = &m
			c.queues[j][i] = nil
		}
	}
}
