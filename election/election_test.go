package election

import (
	"fmt"
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logState is a peer's durable state at Start.
type logState struct{ zxid, epoch int64 }

// startAll starts the given peers in ascending id order.
func (c *cluster) startAll(logs map[uint64]logState) {
	for _, id := range c.ids {
		if l, ok := logs[id]; ok {
			c.start(id, l.zxid, l.epoch)
		}
	}
}

// requireAgreement checks that every listed peer decided leader in one
// election epoch, with the states that follow, and returns that epoch.
func (c *cluster) requireAgreement(leader uint64, voters, observers []uint64) int64 {
	c.t.Helper()
	var epoch int64 = -1
	check := func(id uint64, want State) {
		d, ok := c.decided(id)
		require.True(c.t, ok, "peer %d did not decide", id)
		assert.Equal(c.t, leader, d.Leader, "peer %d", id)
		assert.Equal(c.t, want, d.State, "peer %d", id)
		assert.Equal(c.t, want, c.node(id).State(), "peer %d", id)
		if epoch < 0 {
			epoch = d.ElectionEpoch
		}
		assert.Equal(c.t, epoch, d.ElectionEpoch, "peer %d", id)
	}
	for _, id := range voters {
		want := Following
		if id == leader {
			want = Leading
		}
		check(id, want)
	}
	for _, id := range observers {
		check(id, Observing)
	}
	return epoch
}

func ids(from, to uint64) []uint64 {
	var s []uint64
	for id := from; id <= to; id++ {
		s = append(s, id)
	}
	return s
}

func TestQuorumElectsBestVote(t *testing.T) {
	tests := []struct {
		name      string
		voters    []uint64
		observers []uint64
		logs      map[uint64]logState
		leader    uint64
	}{
		{"3 voters: zxid decides", ids(1, 3), nil,
			map[uint64]logState{1: {5, 1}, 2: {9, 1}, 3: {7, 1}}, 2},
		{"3 voters: epoch beats zxid", ids(1, 3), nil,
			map[uint64]logState{1: {50, 1}, 2: {10, 2}, 3: {40, 1}}, 2},
		{"3 voters: id breaks ties", ids(1, 3), nil,
			map[uint64]logState{1: {10, 1}, 2: {10, 1}, 3: {10, 1}}, 3},
		{"3 voters and an observer with the best log", ids(1, 3), []uint64{9},
			map[uint64]logState{1: {10, 1}, 2: {30, 1}, 3: {20, 1}, 9: {99, 9}}, 2},
		{"5 voters", ids(1, 5), nil,
			map[uint64]logState{1: {7, 2}, 2: {3, 3}, 3: {3, 3}, 4: {9, 2}, 5: {1, 1}}, 3},
		{"5 voters and 2 observers with the best logs", ids(1, 5), []uint64{6, 7},
			map[uint64]logState{1: {7, 2}, 2: {8, 2}, 3: {6, 2}, 4: {9, 2}, 5: {1, 1}, 6: {99, 9}, 7: {99, 9}}, 4},
		{"fresh ensemble", ids(1, 5), []uint64{6},
			map[uint64]logState{1: {0, 0}, 2: {0, 0}, 3: {0, 0}, 4: {0, 0}, 5: {0, 0}, 6: {0, 0}}, 5},
	}
	for _, tt := range tests {
		for seed := uint64(1); seed <= 20; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tt.name, seed), func(t *testing.T) {
				c := newCluster(t, seed, tt.voters, tt.observers, nil)
				c.startAll(tt.logs)
				require.True(t, c.run(100, c.settled), "no decision")
				c.requireAgreement(tt.leader, tt.voters, tt.observers)
				want := Vote{Leader: tt.leader, Zxid: tt.logs[tt.leader].zxid, PeerEpoch: tt.logs[tt.leader].epoch}
				for i := range c.ids {
					require.Len(t, c.decisions[i], 1, "peer %d: one decision per round", c.ids[i])
					assert.Equal(t, want, c.decisions[i][0].Vote)
				}
			})
		}
	}
}

// The finalize wait: a quorum that agrees still waits FinalizeWait ticks,
// and a better vote arriving meanwhile wins. Once the wait is over the
// round has ended, and the better peer joins as a follower.
func TestFinalizeWaitLetsLateBetterVoteWin(t *testing.T) {
	const wait = 3
	tests := []struct {
		ticksBefore int // ticks between 1 and 2 starting and 3 starting
		leader      uint64
	}{
		{0, 3}, {1, 3}, {wait - 1, 3},
		{wait, 2}, {wait + 5, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("peer 3 starts after %d ticks", tt.ticksBefore), func(t *testing.T) {
			c := newCluster(t, 7, ids(1, 3), nil, func(cfg *Config) {
				cfg.FinalizeWait = wait
				cfg.ResendInterval = 100
			})
			c.start(1, 5, 1)
			c.start(2, 5, 1)
			c.deliverAll()
			for range tt.ticksBefore {
				if c.ticks < wait {
					assert.Equal(t, Looking, c.node(1).State(), "decided before the wait ended")
				}
				c.tick()
			}
			c.start(3, 5, 1)
			require.True(t, c.run(100, c.settled))
			c.requireAgreement(tt.leader, ids(1, 3), nil)
		})
	}
}

func TestHigherLogicalClockResets(t *testing.T) {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 3), FinalizeWait: 2, ResendInterval: 100})
	require.NoError(t, err)
	own := Vote{Leader: 1, Zxid: 10, PeerEpoch: 1}
	e.Start(own.Zxid, own.PeerEpoch)
	rd := e.Ready()
	assert.Equal(t, []Notification{
		{From: 1, To: 2, State: Looking, Vote: own, ElectionEpoch: 1},
		{From: 1, To: 3, State: Looking, Vote: own, ElectionEpoch: 1},
	}, rd.Messages)

	// Round 1: peer 2 brings a better vote; with it, 1 and 2 agree.
	better := Vote{Leader: 3, Zxid: 20, PeerEpoch: 1}
	e.Step(Notification{From: 2, To: 1, State: Looking, Vote: better, ElectionEpoch: 1})
	assert.Equal(t, better, e.Vote())
	e.Ready()

	// Round 4 from peer 3, with a vote worse than ours: the clock jumps, the
	// proposal falls back to our own vote (not round 1's best), round 1's
	// quorum no longer counts, and we re-broadcast.
	weak := Vote{Leader: 3, Zxid: 1, PeerEpoch: 1}
	e.Step(Notification{From: 3, To: 1, State: Looking, Vote: weak, ElectionEpoch: 4})
	assert.Equal(t, int64(4), e.LogicalClock())
	assert.Equal(t, own, e.Vote())
	assert.Equal(t, []Notification{
		{From: 1, To: 2, State: Looking, Vote: own, ElectionEpoch: 4},
		{From: 1, To: 3, State: Looking, Vote: own, ElectionEpoch: 4},
	}, e.Ready().Messages)
	for range 10 {
		e.Tick()
	}
	assert.Equal(t, Looking, e.State(), "round 1's quorum decided round 4")
	assert.Nil(t, e.Ready().Decision)

	// A lower clock is ignored, however good its vote, and answered so
	// that the sender catches up.
	e.Step(Notification{From: 2, To: 1, State: Looking, Vote: Vote{Leader: 2, Zxid: 99, PeerEpoch: 9}, ElectionEpoch: 1})
	assert.Equal(t, own, e.Vote())
	assert.Equal(t, []Notification{{From: 1, To: 2, State: Looking, Vote: own, ElectionEpoch: 4}}, e.Ready().Messages)

	// A higher clock with a better vote is adopted at once.
	e.Step(Notification{From: 2, To: 1, State: Looking, Vote: better, ElectionEpoch: 6})
	assert.Equal(t, int64(6), e.LogicalClock())
	assert.Equal(t, better, e.Vote())
}

// Observers never vote and never count: with two of three voters down, one
// voter and two observers are three of five peers but no quorum.
func TestObserversNeverCount(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		c := newCluster(t, seed, ids(1, 3), []uint64{4, 5}, nil)
		c.crash(2)
		c.crash(3)
		c.startAll(map[uint64]logState{1: {1, 1}, 4: {9, 9}, 5: {9, 9}})
		c.run(200, func() bool { return false })
		for i := range c.ids {
			assert.Empty(t, c.decisions[i], "peer %d decided without a quorum of voters", c.ids[i])
		}
		// The voter never took an observer's vote as its own.
		assert.Equal(t, Vote{Leader: 1, Zxid: 1, PeerEpoch: 1}, c.node(1).Vote())
	}
}

// An observer's notification is a question, not a vote: whatever it says,
// a voter only answers it.
func TestVoterAnswersObserverWithoutCountingIt(t *testing.T) {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 4), FinalizeWait: 0, ResendInterval: 100})
	require.NoError(t, err)
	e.Start(10, 1)
	e.Ready()
	own := Vote{Leader: 1, Zxid: 10, PeerEpoch: 1}
	e.Step(Notification{From: 4, To: 1, State: Looking, Vote: Vote{Leader: 2, Zxid: 99, PeerEpoch: 9}, ElectionEpoch: 9})
	assert.Equal(t, own, e.Vote())
	assert.Equal(t, int64(1), e.LogicalClock())
	assert.Equal(t, []Notification{{From: 1, To: 4, State: Looking, Vote: own, ElectionEpoch: 1}}, e.Ready().Messages)
}

func TestLateJoinerLearnsEstablishedLeader(t *testing.T) {
	tests := []struct {
		name          string
		joinerStarts  int // Starts of peer 5 while cut off: its clock
		ensembleRound int // rounds the ensemble ran: its election epoch
	}{
		{"same clock", 1, 1},
		{"joiner's clock ahead", 4, 1},
		{"joiner's clock behind", 1, 3},
	}
	for _, tt := range tests {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tt.name, seed), func(t *testing.T) {
				c := newCluster(t, seed, ids(1, 5), []uint64{6}, nil)
				c.partition([]uint64{5})
				for range tt.ensembleRound {
					c.startAll(map[uint64]logState{1: {10, 1}, 2: {20, 1}, 3: {30, 1}, 4: {40, 1}, 6: {0, 0}})
					require.True(t, c.run(100, func() bool {
						for _, id := range []uint64{1, 2, 3, 4, 6} {
							if _, ok := c.decided(id); !ok {
								return false
							}
						}
						return true
					}))
				}
				// The joiner has the best vote of all, and restarted while
				// cut off; it must still follow the established leader.
				for range tt.joinerStarts {
					c.start(5, 99, 3)
				}
				before := make([]int, len(c.ids))
				for i := range c.ids {
					before[i] = len(c.decisions[i])
				}
				c.heal()
				require.True(t, c.run(100, c.settled))
				epoch := c.requireAgreement(4, ids(1, 5), []uint64{6})
				assert.Equal(t, int64(tt.ensembleRound), epoch)
				assert.Equal(t, max(epoch, int64(tt.joinerStarts)), c.node(5).LogicalClock(), "the clock never goes back")
				d, _ := c.decided(5)
				assert.Equal(t, Vote{Leader: 4, Zxid: 40, PeerEpoch: 1}, d.Vote)
				for i, id := range c.ids {
					if id != 5 {
						assert.Equal(t, before[i], len(c.decisions[i]), "peer %d changed its mind", id)
					}
				}
			})
		}
	}
}

func TestPartitionedMinorityNeverDecides(t *testing.T) {
	tests := []struct {
		name      string
		voters    []uint64
		observers []uint64
		minority  []uint64 // always holds peer 1, which has the best log
		leader    uint64   // the majority's best
	}{
		{"3 voters", ids(1, 3), nil, []uint64{1}, 3},
		{"5 voters", ids(1, 5), nil, []uint64{1, 5}, 4},
		{"5 voters and 2 observers", ids(1, 5), []uint64{6, 7}, []uint64{1, 2, 6}, 5},
	}
	for _, tt := range tests {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tt.name, seed), func(t *testing.T) {
				c := newCluster(t, seed, tt.voters, tt.observers, nil)
				c.partition(tt.minority)
				logs := map[uint64]logState{}
				for _, id := range c.ids {
					logs[id] = logState{int64(id), 1}
				}
				logs[1] = logState{99, 1} // best log, always in the minority
				c.startAll(logs)
				c.run(300, func() bool { return false })
				for _, id := range tt.minority {
					assert.Empty(t, c.decisions[c.idx(id)], "minority peer %d decided", id)
					assert.Equal(t, Looking, c.node(id).State())
				}
				for _, id := range c.ids {
					if !contains(tt.minority, id) {
						d, ok := c.decided(id)
						require.True(t, ok, "majority peer %d did not decide", id)
						assert.Equal(t, tt.leader, d.Leader)
					}
				}
				c.heal()
				require.True(t, c.run(100, c.settled))
				c.requireAgreement(tt.leader, tt.voters, tt.observers)
			})
		}
	}
}

func contains(s []uint64, id uint64) bool {
	for _, x := range s {
		if x == id {
			return true
		}
	}
	return false
}

func TestRestartAfterLeaderLoss(t *testing.T) {
	tests := []struct {
		name      string
		voters    []uint64
		observers []uint64
		newLeader uint64
	}{
		{"3 voters", ids(1, 3), nil, 2},
		{"5 voters and an observer", ids(1, 5), []uint64{6}, 4},
	}
	for _, tt := range tests {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tt.name, seed), func(t *testing.T) {
				c := newCluster(t, seed, tt.voters, tt.observers, nil)
				logs := map[uint64]logState{}
				for _, id := range c.ids {
					logs[id] = logState{int64(10 * id), 1}
				}
				old := tt.voters[len(tt.voters)-1]
				c.startAll(logs)
				require.True(t, c.run(100, c.settled))
				first := c.requireAgreement(old, tt.voters, tt.observers)

				// The leader dies; zab gives up on every other peer, which
				// starts a new round with what it has logged since.
				c.crash(old)
				for _, id := range c.ids {
					if id != old {
						c.start(id, 0x2_0000_0000+int64(id), 2)
					}
				}
				require.True(t, c.run(100, c.settled))
				var rest []uint64
				for _, id := range tt.voters {
					if id != old {
						rest = append(rest, id)
					}
				}
				second := c.requireAgreement(tt.newLeader, rest, tt.observers)
				assert.Greater(t, second, first)

				// The old leader comes back as a new process, clock at zero,
				// and follows the new leader.
				c.restartProcess(old)
				c.start(old, logs[old].zxid, 1)
				require.True(t, c.run(100, c.settled))
				assert.Equal(t, second, c.requireAgreement(tt.newLeader, tt.voters, tt.observers))
			})
		}
	}
}

// Settled votes count for each other when they name the same leader and
// peer epoch, whatever their zxid and round: after zab's sync, followers
// report the leader's new epoch (SetPeerEpoch) from different rounds. A
// settled vote naming an older epoch of the same leader does not count.
func TestSettledVotesMatchOnLeaderAndEpoch(t *testing.T) {
	q, err := quorum.NewMajority(ids(1, 5)...)
	require.NoError(t, err)
	e, err := New(Config{ID: 5, Quorum: q, Peers: ids(1, 5), FinalizeWait: 1, ResendInterval: 100})
	require.NoError(t, err)
	e.Start(99, 3)
	e.Ready()
	now := Vote{Leader: 4, Zxid: 40, PeerEpoch: 2}
	for _, n := range []Notification{
		{From: 1, To: 5, State: Following, Vote: Vote{Leader: 4, Zxid: 40, PeerEpoch: 1}, ElectionEpoch: 1}, // before zab's epoch
		{From: 2, To: 5, State: Following, Vote: Vote{Leader: 4, Zxid: 41, PeerEpoch: 2}, ElectionEpoch: 3},
		{From: 4, To: 5, State: Leading, Vote: now, ElectionEpoch: 2},
	} {
		e.Step(n)
		assert.Equal(t, Looking, e.State(), "decided on %+v", n)
	}
	e.Step(Notification{From: 3, To: 5, State: Following, Vote: Vote{Leader: 4, Zxid: 7, PeerEpoch: 2}, ElectionEpoch: 1})
	require.Equal(t, Following, e.State())
	d := e.Ready().Decision
	require.NotNil(t, d)
	assert.Equal(t, uint64(4), d.Leader)
	assert.Equal(t, int64(2), d.Vote.PeerEpoch)
	assert.Equal(t, int64(1), d.ElectionEpoch, "the clock of the notification that completed the quorum")
	assert.Equal(t, int64(1), e.LogicalClock())

	// A joiner whose clock is ahead keeps it: a later round must not reuse
	// an election epoch it has been past.
	e.Start(99, 3)
	e.Start(99, 3)
	e.Start(99, 3)
	require.Equal(t, int64(4), e.LogicalClock())
	for _, from := range []uint64{1, 2, 3} {
		e.Step(Notification{From: from, To: 5, State: Following, Vote: now, ElectionEpoch: 2})
	}
	e.Step(Notification{From: 4, To: 5, State: Leading, Vote: now, ElectionEpoch: 2})
	require.Equal(t, Following, e.State())
	assert.Equal(t, int64(2), e.Ready().Decision.ElectionEpoch)
	assert.Equal(t, int64(4), e.LogicalClock())
}

// checkLeader: a quorum still following a leader that has crashed must not
// pull a restarted peer into following it; once they give up on it too,
// everyone elects a live leader.
func TestCandidateDoesNotFollowGhostLeader(t *testing.T) {
	tests := []struct {
		name           string
		newProcess     bool // the peer restarts as a new process (clock equal to the followers' round) or in place (clock ahead)
		leaderRestarts bool // the leader is LOOKING again instead of dead
	}{
		{"new process, same round", true, false},
		{"restart in place, later round", false, false},
		{"leader restarted, new process", true, true},
		{"leader restarted, in place", false, true},
	}
	for _, tt := range tests {
		for seed := uint64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", tt.name, seed), func(t *testing.T) {
				c := newCluster(t, seed, ids(1, 5), nil, nil)
				logs := map[uint64]logState{1: {10, 1}, 2: {20, 1}, 3: {30, 1}, 4: {40, 1}, 5: {50, 1}}
				c.startAll(logs)
				require.True(t, c.run(100, c.settled))
				c.requireAgreement(5, ids(1, 5), nil)

				if tt.leaderRestarts {
					c.start(5, 50, 1) // LOOKING: its ballot is there, but not LEADING
				} else {
					c.crash(5)
				}
				if tt.newProcess {
					c.restartProcess(1)
				}
				c.start(1, 10, 1)
				c.run(300, func() bool { return false })
				assert.Equal(t, Looking, c.node(1).State(), "followed a leader that never said LEADING")
				assert.Len(t, c.decisions[c.idx(1)], 1)

				for _, id := range []uint64{2, 3, 4} {
					c.start(id, logs[id].zxid, 1)
				}
				require.True(t, c.run(100, c.settled))
				if tt.leaderRestarts {
					c.requireAgreement(5, ids(1, 5), nil)
				} else {
					c.requireAgreement(4, ids(1, 4), nil)
				}
			})
		}
	}
}

func TestEnsembleOfOne(t *testing.T) {
	for _, wait := range []int{0, 3} {
		t.Run(fmt.Sprintf("FinalizeWait=%d", wait), func(t *testing.T) {
			c := newCluster(t, 1, []uint64{1}, []uint64{2}, func(cfg *Config) { cfg.FinalizeWait = wait })
			c.start(1, 7, 1)
			c.start(2, 0, 0)
			if wait == 0 {
				d, ok := c.decided(1)
				require.True(t, ok, "a quorum of one decides within Start")
				assert.Equal(t, Leading, d.State)
			}
			require.True(t, c.run(100, c.settled))
			c.requireAgreement(1, []uint64{1}, []uint64{2})
		})
	}
}

// The host contract: a decision is handed out once; after it the peer
// answers LOOKING peers with its decided vote and is otherwise quiet; Start
// begins a new round and drops a decision nobody took.
func TestReadyAndAnswersAfterDecision(t *testing.T) {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	e, err := New(Config{ID: 2, Quorum: q, Peers: ids(1, 3), FinalizeWait: 1, ResendInterval: 2})
	require.NoError(t, err)

	// Before Start: deaf and silent.
	e.Step(Notification{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 1}, ElectionEpoch: 1})
	e.Tick()
	assert.Equal(t, Ready{}, e.Ready())

	e.Start(5, 1)
	e.Ready()
	best := Vote{Leader: 3, Zxid: 9, PeerEpoch: 1}
	e.Step(Notification{From: 3, To: 2, State: Looking, Vote: best, ElectionEpoch: 1})
	assert.Nil(t, e.Ready().Decision, "decided before the finalize wait")
	e.Tick()
	rd := e.Ready()
	require.NotNil(t, rd.Decision)
	assert.Equal(t, Decision{Leader: 3, State: Following, Vote: best, ElectionEpoch: 1}, *rd.Decision)
	assert.Equal(t, []Notification{
		{From: 2, To: 1, State: Following, Vote: best, ElectionEpoch: 1},
		{From: 2, To: 3, State: Following, Vote: best, ElectionEpoch: 1},
	}, rd.Messages, "a deciding voter tells every peer")
	assert.Nil(t, e.Ready().Decision, "the decision is handed out once")

	for range 10 {
		e.Tick()
	}
	assert.Empty(t, e.Ready().Messages, "a decided peer does not re-broadcast")

	// Ignored: not for us, from an unknown peer, from ourselves, bad state,
	// and settled peers' news.
	for _, n := range []Notification{
		{From: 1, To: 3, State: Looking, ElectionEpoch: 1},
		{From: 7, To: 2, State: Looking, ElectionEpoch: 1},
		{From: 2, To: 2, State: Looking, ElectionEpoch: 1},
		{From: 1, To: 2, State: State(9), ElectionEpoch: 1},
		{From: 1, To: 2, State: Following, Vote: best, ElectionEpoch: 1},
	} {
		e.Step(n)
	}
	assert.Empty(t, e.Ready().Messages)

	e.Step(Notification{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 1, Zxid: 99, PeerEpoch: 9}, ElectionEpoch: 7})
	assert.Equal(t, []Notification{{From: 2, To: 1, State: Following, Vote: best, ElectionEpoch: 1}}, e.Ready().Messages)

	// Zab moved the leader to epoch 2: answers say so.
	e.SetPeerEpoch(2)
	e.Step(Notification{From: 1, To: 2, State: Looking, ElectionEpoch: 7})
	moved := Vote{Leader: 3, Zxid: 9, PeerEpoch: 2}
	assert.Equal(t, []Notification{{From: 2, To: 1, State: Following, Vote: moved, ElectionEpoch: 1}}, e.Ready().Messages)
	assert.Equal(t, moved, e.Vote())

	// A new round, whose decision is not taken before yet another round.
	e.Start(10, 2)
	e.Step(Notification{From: 3, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: 11, PeerEpoch: 2}, ElectionEpoch: 2})
	e.Tick()
	assert.Equal(t, Following, e.State())
	e.SetPeerEpoch(5)
	e.Start(10, 2)
	assert.Equal(t, Looking, e.State())
	assert.Nil(t, e.Ready().Decision, "a stale decision was handed out")
	e.SetPeerEpoch(8) // no effect while LOOKING
	assert.Equal(t, Vote{Leader: 2, Zxid: 10, PeerEpoch: 2}, e.Vote())
}

// Re-broadcasts while LOOKING with no news back off from ResendInterval up
// to MaxResendInterval; news resets the wait, not the interval.
func TestResendBackoff(t *testing.T) {
	tests := []struct {
		name     string
		max      int
		wantGaps []int
	}{
		{"no backoff", 0, []int{2, 2, 2, 2, 2}},
		{"doubling up to 8", 8, []int{2, 4, 8, 8, 8}},
		{"doubling up to 5", 5, []int{2, 4, 5, 5, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := quorum.NewMajority(1, 2, 3)
			require.NoError(t, err)
			e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 3), ResendInterval: 2, MaxResendInterval: tt.max})
			require.NoError(t, err)
			e.Start(1, 1)
			require.Len(t, e.Ready().Messages, 2)
			var gaps []int
			last := 0
			for tick := 1; tick < 1000 && len(gaps) < len(tt.wantGaps); tick++ {
				e.Tick()
				if m := e.Ready().Messages; len(m) > 0 {
					require.Len(t, m, 2, "a re-broadcast goes to every other voter")
					gaps = append(gaps, tick-last)
					last = tick
				}
			}
			assert.Equal(t, tt.wantGaps, gaps)
		})
	}

	t.Run("news resets the wait", func(t *testing.T) {
		q, err := quorum.NewMajority(1, 2, 3)
		require.NoError(t, err)
		e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 3), ResendInterval: 4})
		require.NoError(t, err)
		e.Start(1, 1)
		e.Ready()
		var at []int
		for tick := 1; tick <= 12; tick++ {
			if tick == 3 {
				e.Step(Notification{From: 2, To: 1, State: Following, Vote: Vote{Leader: 3}, ElectionEpoch: 1})
			}
			e.Tick()
			if len(e.Ready().Messages) > 0 {
				at = append(at, tick)
			}
		}
		assert.Equal(t, []int{6, 10}, at)
	})
}

// A LOOKING voter answers a peer of its own round that may not know its
// vote: one new to the round, or one proposing worse. It stays quiet for a
// peer that already agrees, so answers cannot bounce back and forth.
func TestAnswersPeerOfSameRoundThatMayNotKnow(t *testing.T) {
	q, err := quorum.NewMajority(ids(1, 5)...)
	require.NoError(t, err)
	e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 5), FinalizeWait: 5, ResendInterval: 100})
	require.NoError(t, err)
	e.Start(10, 1)
	e.Ready()
	own := Vote{Leader: 1, Zxid: 10, PeerEpoch: 1}
	answer := func(to uint64) []Notification {
		return []Notification{{From: 1, To: to, State: Looking, Vote: own, ElectionEpoch: 1}}
	}
	worse := Vote{Leader: 2, Zxid: 5, PeerEpoch: 1}
	tests := []struct {
		name string
		n    Notification
		want []Notification
	}{
		{"new to the round, worse", Notification{From: 2, To: 1, State: Looking, Vote: worse, ElectionEpoch: 1}, answer(2)},
		{"known, still worse", Notification{From: 2, To: 1, State: Looking, Vote: worse, ElectionEpoch: 1}, answer(2)},
		{"new to the round, agrees", Notification{From: 3, To: 1, State: Looking, Vote: own, ElectionEpoch: 1}, answer(3)},
		{"known, agrees", Notification{From: 3, To: 1, State: Looking, Vote: own, ElectionEpoch: 1}, nil},
		{"known, now agrees", Notification{From: 2, To: 1, State: Looking, Vote: own, ElectionEpoch: 1}, nil},
		{"new to the round, better: the broadcast tells it", Notification{From: 4, To: 1, State: Looking, Vote: Vote{Leader: 4, Zxid: 11, PeerEpoch: 1}, ElectionEpoch: 1}, []Notification{
			{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 4, Zxid: 11, PeerEpoch: 1}, ElectionEpoch: 1},
			{From: 1, To: 3, State: Looking, Vote: Vote{Leader: 4, Zxid: 11, PeerEpoch: 1}, ElectionEpoch: 1},
			{From: 1, To: 4, State: Looking, Vote: Vote{Leader: 4, Zxid: 11, PeerEpoch: 1}, ElectionEpoch: 1},
			{From: 1, To: 5, State: Looking, Vote: Vote{Leader: 4, Zxid: 11, PeerEpoch: 1}, ElectionEpoch: 1},
		}},
	}
	for _, tt := range tests {
		e.Step(tt.n)
		assert.Equal(t, tt.want, e.Ready().Messages, tt.name)
	}
}

// What FastLeaderElection does not promise: a voter that crashes mid-round
// leaves its vote counted by the peers that heard it and unknown to the
// others, and two leaders can then be decided in one election epoch. This
// is so in ZooKeeper too; zab's epochs, not election epochs, make leaders
// unique. The test pins the behaviour so that the documentation stays true.
func TestCrashMidRoundCanSplitElectionEpoch(t *testing.T) {
	c := newCluster(t, 1, ids(1, 5), nil, func(cfg *Config) { cfg.ResendInterval = 100 })
	c.start(1, 10, 1)
	c.start(2, 5, 1)
	c.deliverAll()
	require.Equal(t, uint64(1), c.node(2).Vote().Leader)
	c.crash(2) // its vote for 1 counts at peer 1 only

	c.start(3, 1, 1)
	require.True(t, c.run(10, func() bool { _, ok := c.decided(1); return ok }))
	d1, _ := c.decided(1)
	assert.Equal(t, Leading, d1.State, "1 counted {1, 2, 3}")
	assert.Equal(t, Looking, c.node(3).State(), "3 never heard 2")

	c.start(4, 50, 1)
	c.start(5, 2, 1)
	require.True(t, c.run(10, func() bool { _, ok := c.decided(4); return ok }))
	d4, _ := c.decided(4)
	assert.Equal(t, Leading, d4.State, "3, 4 and 5 elected 4")
	assert.Equal(t, d1.ElectionEpoch, d4.ElectionEpoch)
}

// An observer learns the leader only from settled votes: a quorum of
// voters FOLLOWING/LEADING one leader that itself says LEADING. A quorum of
// LOOKING votes is not enough: it hears them as answers to its questions,
// and they may have moved on since.
func TestObserverLearnsOnlyFromSettledVotes(t *testing.T) {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	e, err := New(Config{ID: 9, Quorum: q, Peers: []uint64{1, 2, 3, 9}, FinalizeWait: 1, ResendInterval: 100})
	require.NoError(t, err)
	e.Start(5, 1)
	rd := e.Ready()
	assert.Len(t, rd.Messages, 3, "it asks every voter")
	for _, m := range rd.Messages {
		assert.Equal(t, observerVote, m.Vote, "an observer proposes nobody")
	}
	v := Vote{Leader: 3, Zxid: 7, PeerEpoch: 1}
	for _, from := range []uint64{1, 2, 3} {
		e.Step(Notification{From: from, To: 9, State: Looking, Vote: v, ElectionEpoch: 1})
	}
	for range 5 {
		e.Tick()
	}
	assert.Equal(t, Looking, e.State(), "decided on LOOKING votes")
	assert.Equal(t, observerVote, e.Vote())
	e.Ready()

	e.Step(Notification{From: 1, To: 9, State: Following, Vote: v, ElectionEpoch: 1})
	e.Step(Notification{From: 2, To: 9, State: Following, Vote: v, ElectionEpoch: 1})
	assert.Equal(t, Looking, e.State(), "the leader has not said LEADING")
	e.Step(Notification{From: 3, To: 9, State: Leading, Vote: v, ElectionEpoch: 1})
	assert.Equal(t, Observing, e.State())
	rd = e.Ready()
	assert.Equal(t, &Decision{Leader: 3, State: Observing, Vote: v, ElectionEpoch: 1}, rd.Decision)
	assert.Empty(t, rd.Messages, "observers never speak up")
}

// checkLeader's first half, alone: the proposed leader's own ballot must be
// LEADING. Here a quorum of the round follows 5 while 5 itself is still
// LOOKING (its view lacked a vote), and we hold a better vote than 5's, so
// only 5 saying LEADING lets us follow it.
func TestCheckLeaderWantsLeaderToSayLeading(t *testing.T) {
	q, err := quorum.NewMajority(ids(1, 5)...)
	require.NoError(t, err)
	e, err := New(Config{ID: 1, Quorum: q, Peers: ids(1, 5), FinalizeWait: 1, ResendInterval: 100})
	require.NoError(t, err)
	e.Start(99, 1)
	five := Vote{Leader: 5, Zxid: 50, PeerEpoch: 1}
	e.Step(Notification{From: 5, To: 1, State: Looking, Vote: five, ElectionEpoch: 1})
	for _, from := range []uint64{2, 3, 4} {
		e.Step(Notification{From: from, To: 1, State: Following, Vote: five, ElectionEpoch: 1})
	}
	for range 5 {
		e.Tick()
	}
	assert.Equal(t, Looking, e.State(), "followed a leader that is still LOOKING")
	e.Step(Notification{From: 5, To: 1, State: Leading, Vote: five, ElectionEpoch: 1})
	assert.Equal(t, Following, e.State())
}
