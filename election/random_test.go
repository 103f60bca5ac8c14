package election

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/require"
)

var (
	randomSeeds = flag.Int("election.seeds", 1000, "seeds TestRandomElections runs (a soak: thousands)")
	traceSeed   = flag.Uint64("election.trace", 0, "log every event of this seed of TestRandomElections")
)

// zabPatience is how many ticks the test's stand-in for zab lets a peer sit
// in a decision that leads nowhere before it calls Start again: a follower
// whose leader is unreachable or not leading, a leader without a quorum.
const zabPatience = 6

// scenario is one seeded run: who exists, what they have logged, which
// faults hit them.
type scenario struct {
	voters, observers []uint64
	logs              map[uint64]logState
	cfg               func(*Config)
	dropSuperseded    float64
	startAt           map[uint64]int // tick at which each peer first starts; absent: never
	groups            [][]uint64     // partition from tick 0 until healAt
	healAt            int
	restartP, crashP  float64 // per-tick chance of a restart, of a crash
	faultTicks        int
}

func randomScenario(r *rand.Rand) scenario {
	s := scenario{logs: map[uint64]logState{}, startAt: map[uint64]int{}}
	nv := []int{1, 3, 3, 5, 5, 7}[r.IntN(6)]
	no := r.IntN(3)
	pool := rand.New(rand.NewPCG(r.Uint64(), 0)).Perm(30)
	for i := range nv + no {
		id := uint64(pool[i] + 1)
		if i < nv {
			s.voters = append(s.voters, id)
		} else {
			s.observers = append(s.observers, id)
		}
		epoch := int64(r.IntN(3))
		s.logs[id] = logState{zxid: epoch<<32 | int64(r.IntN(4)), epoch: epoch}
	}
	wait, resend := 1+r.IntN(4), 1+r.IntN(6)
	backoff := []int{0, 2 * resend, 8 * resend}[r.IntN(3)]
	s.cfg = func(c *Config) {
		c.FinalizeWait, c.ResendInterval, c.MaxResendInterval = wait, resend, backoff
	}
	s.dropSuperseded = []float64{0, 0.3, 0.8}[r.IntN(3)]
	s.faultTicks = 40
	all := slices.Concat(s.voters, s.observers)
	for _, id := range all {
		if r.Float64() < 0.9 {
			s.startAt[id] = r.IntN(s.faultTicks / 2)
		}
	}
	if r.IntN(2) == 0 {
		k := 2 + r.IntN(2)
		s.groups = make([][]uint64, k)
		for _, id := range all {
			g := r.IntN(k)
			s.groups[g] = append(s.groups[g], id)
		}
		s.healAt = 1 + r.IntN(s.faultTicks)
	}
	s.restartP = []float64{0, 0.05, 0.2}[r.IntN(3)]
	s.crashP = []float64{0, 0.02}[r.IntN(2)]
	return s
}

// TestRandomElections runs seeded scenarios with shuffled delivery,
// superseded-message drops, partitions from the start, late starts,
// restarts and crashes of settled peers, and checks what FastLeaderElection
// promises under them:
//   - peers that decided in the same election epoch decided the same leader;
//   - that leader is a voter whose vote is its own durable state, and no
//     worse, by (epoch, zxid), than the state of each peer of some quorum;
//   - once faults stop and a quorum of voters runs, every running peer
//     decides and the ensemble settles on one leader.
func TestRandomElections(t *testing.T) {
	var total stats
	for seed := uint64(1); seed <= uint64(*randomSeeds); seed++ {
		r := rand.New(rand.NewPCG(seed, 0xe1ec7))
		s := randomScenario(r)
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			st := runScenario(t, seed, r, s)
			total.add(st)
		})
	}
	// The seeds must exercise what they claim to, or the checks above
	// pass vacuously.
	n := *randomSeeds
	t.Logf("%+v", total)
	require.Greater(t, total.live, n/2, "too few seeds with a quorum running")
	require.Greater(t, total.multiRound, n/10, "too few seeds with more than one round")
	require.Greater(t, total.joined, n/10, "too few decisions by joining a settled ensemble")
	require.Greater(t, total.observed, n/10, "too few observer decisions")
	require.Greater(t, total.notLive, n/50, "too few seeds without a quorum")
	require.Greater(t, total.crashed, n/20, "too few seeds with a crash")
}

// stats counts what the seeds exercised.
type stats struct {
	live, notLive, multiRound, joined, observed, crashed, decisions int
}

func (s *stats) add(o stats) {
	s.live += o.live
	s.notLive += o.notLive
	s.multiRound += o.multiRound
	s.joined += o.joined
	s.observed += o.observed
	s.decisions += o.decisions
	s.crashed += o.crashed
}

func runScenario(t *testing.T, seed uint64, r *rand.Rand, s scenario) (st stats) {
	c := newCluster(t, seed, s.voters, s.observers, s.cfg)
	c.dropSuperseded = s.dropSuperseded
	c.trace = seed == *traceSeed
	if c.trace {
		t.Logf("scenario %+v", s)
	}
	c.partition(s.groups...)
	q, err := quorum.NewMajority(s.voters...)
	require.NoError(t, err)
	stuck := make([]int, len(c.ids))
	started := make([]bool, len(c.ids))

	// zab is the test's stand-in for zab's timeouts.
	zab := func() {
		for i, e := range c.nodes {
			if c.down[i] || !started[i] || e.State() == Looking {
				stuck[i] = 0
				continue
			}
			if leadsNowhere(c, q, i) {
				stuck[i]++
			} else {
				stuck[i] = 0
			}
			if stuck[i] > zabPatience {
				stuck[i] = 0
				c.start(c.ids[i], s.logs[c.ids[i]].zxid, s.logs[c.ids[i]].epoch)
			}
		}
	}

	for tick := 0; tick < s.faultTicks; tick++ {
		if tick == s.healAt {
			c.heal()
		}
		for i, id := range c.ids {
			if at, ok := s.startAt[id]; ok && at == tick && !c.crashed[i] {
				started[i] = true
				c.start(id, s.logs[id].zxid, s.logs[id].epoch)
			}
		}
		if r.Float64() < s.restartP {
			if i := r.IntN(len(c.ids)); started[i] && !c.down[i] {
				c.start(c.ids[i], s.logs[c.ids[i]].zxid, s.logs[c.ids[i]].epoch)
			}
		}
		if r.Float64() < s.crashP {
			// Only settled peers crash here: a voter that dies mid-round
			// leaves its vote counted by some peers and unseen by others,
			// and FastLeaderElection does not promise agreement then (see
			// TestCrashMidRoundCanSplitElectionEpoch).
			if i := r.IntN(len(c.ids)); started[i] && c.nodes[i].State() != Looking {
				c.crash(c.ids[i])
			}
		}
		c.tick()
		zab()
	}
	c.heal()

	upVoters := 0
	for i, id := range c.ids {
		if started[i] && !c.down[i] && q.IsVoter(id) {
			upVoters++
		}
	}
	live := q.HasQuorum(upIDs(c, started))
	stable := c.run(1000, func() bool {
		zab()
		return c.settled() && settledOnOne(c, q, started)
	})
	checkDecisions(t, c, q, s)
	epochs := map[int64]bool{}
	for i := range c.ids {
		for _, d := range c.decisions[i] {
			st.decisions++
			epochs[d.ElectionEpoch] = true
			if d.State == Observing {
				st.observed = 1
			}
		}
		if len(c.decisions[i]) > 0 && c.decisions[i][0].ElectionEpoch < c.nodes[i].LogicalClock() {
			st.joined = 1
		}
	}
	if slices.Contains(c.crashed, true) {
		st.crashed = 1
	}
	if len(epochs) > 1 {
		st.multiRound = 1
	}
	if live {
		st.live = 1
	} else {
		st.notLive = 1
	}
	if live {
		require.True(t, stable, "did not settle with %d of %d voters running", upVoters, len(s.voters))
	} else {
		for i := range c.ids {
			if started[i] && !c.down[i] {
				require.Equal(t, Looking, c.nodes[i].State(), "peer %d settled without a quorum of voters", c.ids[i])
			}
		}
	}
	return st
}

func upIDs(c *cluster, started []bool) []uint64 {
	var up []uint64
	for i, id := range c.ids {
		if started[i] && !c.down[i] {
			up = append(up, id)
		}
	}
	return up
}

// leadsNowhere reports whether peer i's decision cannot work out: a
// follower or observer whose leader is unreachable or not leading, or a
// leader that does not have a quorum of followers.
func leadsNowhere(c *cluster, q quorum.Verifier, i int) bool {
	d := c.decisions[i][len(c.decisions[i])-1]
	if d.State != Leading {
		l := c.idx(d.Leader)
		return !c.linked(i, l) || c.nodes[l].State() != Leading ||
			c.nodes[l].Vote().PeerEpoch != d.Vote.PeerEpoch
	}
	with := []uint64{c.ids[i]}
	for j, e := range c.nodes {
		if j != i && c.linked(i, j) && e.State() == Following && e.Vote().Leader == c.ids[i] {
			with = append(with, c.ids[j])
		}
	}
	return !q.HasQuorum(with)
}

// settledOnOne reports whether every running peer decided, and they all
// follow one leader that leads a quorum.
func settledOnOne(c *cluster, q quorum.Verifier, started []bool) bool {
	var leader uint64
	first := true
	for i, e := range c.nodes {
		if c.down[i] || !started[i] {
			continue
		}
		if e.State() == Looking || leadsNowhere(c, q, i) {
			return false
		}
		if first {
			leader, first = e.Vote().Leader, false
		}
		if e.Vote().Leader != leader {
			return false
		}
	}
	return true
}

func checkDecisions(t *testing.T, c *cluster, q quorum.Verifier, s scenario) {
	t.Helper()
	byEpoch := map[int64]uint64{}
	for i, id := range c.ids {
		for _, d := range c.decisions[i] {
			require.True(t, q.IsVoter(d.Leader), "peer %d follows non-voter %d", id, d.Leader)
			if prev, ok := byEpoch[d.ElectionEpoch]; ok {
				require.Equal(t, prev, d.Leader, "two leaders in election epoch %d (peer %d)", d.ElectionEpoch, id)
			}
			byEpoch[d.ElectionEpoch] = d.Leader
			want := Following
			switch {
			case !q.IsVoter(id):
				want = Observing
			case d.Leader == id:
				want = Leading
			}
			require.Equal(t, want, d.State, "peer %d", id)
			l := s.logs[d.Leader]
			require.Equal(t, Vote{Leader: d.Leader, Zxid: l.zxid, PeerEpoch: l.epoch}, d.Vote, "peer %d", id)
			var behind []uint64
			for _, v := range s.voters {
				if lv := s.logs[v]; lv.epoch < l.epoch || lv.epoch == l.epoch && lv.zxid <= l.zxid {
					behind = append(behind, v)
				}
			}
			require.True(t, q.HasQuorum(behind), "leader %d (epoch %d, zxid %#x) is behind a majority", d.Leader, l.epoch, l.zxid)
		}
	}
}
