package sim

import (
	"testing"

	"github.com/ensemble-go/ensemble/zab"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The scenarios behind Apache ZooKeeper's data-loss bugs (ZOOKEEPER.md
// §3.2). Each builds the schedule that broke ZooKeeper; the checker
// (every step) and Settle (at the end: liveness, every acknowledged write
// present, every log agreeing with the committed history) show that
// ensemble keeps every committed txn. TestScenariosCatchHostBugs shows that
// each scenario fails when the host breaks the step it guards.

// zk1154 — ZOOKEEPER-1154/1156: the peer with the highest zxid (a leader
// holding a proposal nobody else logged) is absent from the election; the
// others elect among themselves and commit more; when it comes back its
// extra proposal must be cut (TRUNC), and only that: no committed txn may
// be truncated with it (1156, "truncating too much").
func zk1154(s *scen) uint64 {
	l := s.leader()
	a := s.write("a1", "a2", "a3")
	s.appliedBy(a[2], s.c.ids...)
	for _, id := range s.others(l) {
		s.c.Block(l, id) // its proposal reaches nobody
	}
	s.propose(l, "P")
	s.until("P durable at the leader", s.bound(), func() bool {
		return s.c.peers[l].Disk.DurableZxid() > a[2]
	})
	pz := s.c.peers[l].Disk.LastZxid()
	s.c.Crash(l, 0, false)
	s.c.Heal()
	b := s.write("b1", "b2")
	if s.c.Leader() == l {
		s.fatalf("the crashed leader leads")
	}
	s.c.Restart(l)
	c := s.write("b3")
	s.appliedBy(c[0], s.c.ids...)
	if s.hasLogged(l, pz, "P") {
		s.fatalf("P survives at %s in the returning peer's log", zxidString(pz))
	}
	for i, z := range append(a, b...) {
		if _, ok := s.c.peers[l].Disk.Lookup(z); !ok && z > s.c.peers[l].Disk.Snap.Zxid {
			s.fatalf("committed txn %d (%s) missing from the returning peer's log", i, zxidString(z))
		}
	}
	return l
}

func TestZK1154HighestZxidAbsent(t *testing.T) {
	var l uint64
	c := scenario(t, scenOptions(3), func(s *scen) {
		l = zk1154(s)
		// The returning peer was brought in line by TRUNC (or a SNAP that
		// replaced its log), never by keeping P.
		got := len(s.sentTo(l, zab.Trunc, 0)) + len(s.sentTo(l, zab.Snap, 0))
		if got == 0 {
			s.fatalf("the returning peer got neither TRUNC nor SNAP")
		}
	})
	assert.Greater(t, c.Checker().Len(), 5)
}

// zk1282 — ZOOKEEPER-1282: a follower must store the new current epoch
// when it gets NEWLEADER, before it acknowledges it, not at UPTODATE. The
// schedule: a new epoch's NEWLEADER is acknowledged by a quorum and the
// leader establishes itself, then the whole quorum crashes before UPTODATE
// reaches the follower. Every peer that acknowledged must come back in the
// new epoch, and every committed txn must survive the next election.
func zk1282(s *scen) {
	l := s.leader()
	a := s.write("a1", "a2")
	s.appliedBy(a[1], s.c.ids...)
	oldEpoch := a[1] >> 32
	var acker uint64
	var ackEpoch int64
	crashed := false
	s.c.OnDeliver = func(to uint64, m zab.Message) bool {
		if !crashed && isNewLeaderAck(m) && m.Zxid>>32 > oldEpoch {
			acker = m.From
			ackEpoch = m.Zxid >> 32
			// Let the leader count it (it establishes and sends UPTODATE),
			// then crash everyone before UPTODATE arrives.
			s.c.Defer(func() {
				crashed = true
				for _, id := range s.c.ids {
					s.c.Crash(id, 0, false)
				}
			})
		}
		return true
	}
	s.c.Crash(l, 0, false) // a new epoch, led by another peer
	s.until("a NEWLEADER ack and the whole-quorum crash", s.bound(), func() bool { return crashed })
	s.c.OnDeliver = nil
	if got := s.c.peers[acker].Disk.CurrentEpoch; got < ackEpoch {
		s.fatalf("peer %d acknowledged NEWLEADER of epoch %d but stored currentEpoch %d", acker, ackEpoch, got)
	}
	for _, id := range s.c.ids {
		s.c.Restart(id)
	}
	b := s.write("b1")
	if b[0]>>32 <= ackEpoch {
		s.fatalf("new writes in epoch %d, not after the acknowledged epoch %d", b[0]>>32, ackEpoch)
	}
}

func TestZK1282EpochStoredBeforeNewLeaderAck(t *testing.T) {
	scenario(t, scenOptions(3), func(s *scen) { zk1282(s) })
}

// zk1558 — ZOOKEEPER-1558: a leader with proposals in flight must not send
// a learner a snapshot holding them. The learner is far enough behind for a
// SNAP while the leader has uncommitted proposals; the SNAP must stop at
// the committed point and the proposals must follow as proposals.
func zk1558(s *scen) {
	l := s.leader()
	f := s.others(l)
	lag, other := f[0], f[1]
	s.c.Crash(lag, 0, false)
	a := s.write("a1", "a2", "a3", "a4", "a5")
	s.appliedBy(a[4], l, other)
	s.c.Block(l, other) // proposals now reach nobody: uncommitted
	s.propose(l, "P1")
	s.propose(l, "P2")
	since := s.c.now
	s.c.Restart(lag)
	s.until("a SNAP to the lagging peer", s.bound(), func() bool { return len(s.sentTo(lag, zab.Snap, since)) > 0 })
	snap := s.sentTo(lag, zab.Snap, since)[0]
	if snap.Zxid > a[4] {
		s.fatalf("SNAP at %s, beyond the committed %s", zxidString(snap.Zxid), zxidString(a[4]))
	}
	s.c.Heal()
	s.write("b1")
}

func TestZK1558SnapshotHoldsOnlyCommitted(t *testing.T) {
	opt := scenOptions(3)
	opt.MaxDiff = 1
	scenario(t, opt, zk1558)
}

// zk3911 — ZOOKEEPER-2678/3911/3023/4646 (and 4643): a learner that syncs
// by DIFF must have the DIFF's txns durable (and then its current epoch)
// before it acknowledges NEWLEADER, and its proposals' ACKs only after
// they are durable. The schedule: a lagging follower DIFF-syncs on a slow
// disk and forms the quorum with the leader (the third peer is cut off as
// soon as the sync starts); a write commits; then the whole quorum crashes
// at once and comes back without the old leader. The write must survive.
func zk3911(s *scen) {
	l := s.leader()
	f := s.others(l)
	lag, other := f[0], f[1]
	a := s.write("a1", "a2")
	s.appliedBy(a[1], s.c.ids...)
	s.c.Crash(lag, 0, false)
	b := s.write("b1", "b2", "b3", "b4", "b5")
	s.appliedBy(b[4], other)
	const slow = 12 // steps per fsync: under SyncLimit, so the leader keeps its quorum
	s.c.SetDiskLatency(lag, slow)
	s.c.SetDiskLatency(l, slow)
	s.c.Restart(lag)
	s.until("the lagging peer follows", s.bound(), func() bool {
		p := s.c.peers[lag]
		return p.Up && p.role == zab.Following
	})
	s.isolate(other)
	s.propose(l, "c1")
	s.until("c1 committed", s.bound(), func() bool { return s.c.payloads["c1"].acked })
	for _, id := range s.c.ids {
		s.c.Crash(id, 0, false)
	}
	s.c.Heal()
	s.c.Restart(lag)
	s.c.Restart(other)
	s.write("d1")
	s.c.Restart(l)
}

func TestZK3911DiffDurableBeforeNewLeaderAck(t *testing.T) {
	scenario(t, scenOptions(3), zk3911)
}

// zk4785 — ZOOKEEPER-4785: a follower restarts in the middle of a DIFF
// sync, before it has written the DIFF's uncommitted proposals. It must
// resync cleanly: no txn applied twice or out of order, the proposals
// committed once.
func zk4785(s *scen) {
	l := s.leader()
	f := s.others(l)
	lag, other := f[0], f[1]
	a := s.write("a1", "a2", "a3")
	s.appliedBy(a[2], s.c.ids...)
	s.c.Crash(lag, 0, false)
	b := s.write("b1", "b2", "b3")
	s.appliedBy(b[2], other)
	s.c.Block(l, other)
	s.propose(l, "P1")
	s.propose(l, "P2")
	s.c.SetDiskLatency(lag, 100)
	bounced := false
	s.c.OnDeliver = func(to uint64, m zab.Message) bool {
		if to == lag && m.Type == zab.NewLeader && !bounced {
			bounced = true
			s.c.Defer(func() { s.c.Crash(lag, 0, false) })
		}
		return true
	}
	s.c.Restart(lag)
	s.until("the lagging peer bounced mid-sync", s.bound(), func() bool { return bounced })
	s.c.OnDeliver = nil
	s.c.SetDiskLatency(lag, 1)
	s.c.Restart(lag)
	s.until("P2 committed", s.bound(), func() bool { return s.c.payloads["P2"].acked })
	s.c.Heal()
	s.write("c1")
}

func TestZK4785RestartDuringDiffSync(t *testing.T) {
	scenario(t, scenOptions(3), zk4785)
}

// zk4925 — ZOOKEEPER-4925: a stale follower syncs (DIFF plus uncommitted
// proposals), the leader dies before the sync completes, and the follower
// becomes leader. It must not spread a history with a hole: whatever it
// syncs the others with is contiguous and agrees with what was committed.
func zk4925(s *scen) {
	l := s.leader()
	f := s.others(l)
	lag, other := f[0], f[1]
	a := s.write("a1", "a2")
	s.appliedBy(a[1], s.c.ids...)
	s.c.Crash(lag, 0, false)
	b := s.write("b1", "b2", "b3", "b4")
	s.appliedBy(b[3], other)
	s.c.Block(l, other)
	s.propose(l, "P1")
	s.propose(l, "P2")
	done := false
	record := s.c.OnZab
	s.c.OnZab = func(from uint64, m zab.Message) bool {
		if from == lag && isNewLeaderAck(m) && !done {
			done = true
			s.c.Defer(func() { s.c.Crash(l, 0, false) })
			return false // in flight when the leader crashes
		}
		return record(from, m)
	}
	s.c.Restart(lag)
	s.until("the stale follower synced and the leader crashed", s.bound(), func() bool { return done })
	s.c.OnZab = record
	s.c.Heal()
	c := s.write("c1")
	s.appliedBy(c[0], lag, other)
	s.c.Restart(l)
}

func TestZK4925NoHoleFromNewLeader(t *testing.T) {
	scenario(t, scenOptions(3), zk4925)
}

// zk3642 — ZOOKEEPER-3642/3104: a learner gets a SNAP, the leader dies
// before NEWLEADER, the next leader syncs it by DIFF from the snapshot's
// zxid, and then it restarts. Its state must come back whole: the SNAP
// must have been stored durably when its log restarted after it.
func zk3642(s *scen) {
	l := s.leader()
	f := s.others(l)
	lag, other := f[0], f[1]
	s.c.Crash(lag, 0, false)
	a := s.write("a1", "a2", "a3", "a4", "a5")
	s.appliedBy(a[4], other)
	snapped := false
	s.c.OnDeliver = func(to uint64, m zab.Message) bool {
		if to == lag && m.Type == zab.Snap && !snapped {
			snapped = true
			s.c.Defer(func() { s.c.Crash(l, 0, false) })
		}
		return true
	}
	s.c.Restart(lag)
	s.until("a SNAP reached the lagging peer and the leader crashed", s.bound(), func() bool { return snapped })
	s.c.OnDeliver = nil
	b := s.write("b1")
	s.appliedBy(b[0], lag, other)
	s.c.Crash(lag, 0, false)
	s.c.Restart(lag)
	c := s.write("b2")
	s.appliedBy(c[0], lag, other)
	s.c.Restart(l)
}

func TestZK3642PartialSnapThenDiff(t *testing.T) {
	opt := scenOptions(3)
	opt.MaxDiff = 1
	scenario(t, opt, zk3642)
}

// pausedLeader — ZooKeeper's classic operational failure: the leader stalls
// (a long GC pause), the others elect a new leader and commit, and the old
// leader wakes up believing it still leads, with nothing uncommitted that
// would make it wait. A sync asked of it as it wakes must not answer before
// it has caught up with the writes the new leader committed (Jepsen's
// stale-read finding against ZooKeeper's sync, 2019): its barrier needs a
// quorum to answer a round of PINGs sent after the sync arrived.
func pausedLeader(s *scen) {
	l := s.leader()
	a := s.write("a1")
	s.appliedBy(a[0], s.c.ids...)
	const pause = 400 // steps: far beyond SyncLimit
	s.c.Pause(l, pause)
	b := s.write("b1", "b2")
	if s.c.Leader() == l {
		s.fatalf("the paused leader still leads")
	}
	s.until("the old leader wakes", pause/s.c.opt.TickEvery, func() bool { return !s.c.peers[l].Paused(s.c.now) })
	if !s.c.SyncAt(l) {
		s.fatalf("the old leader took no sync as it woke")
	}
	s.steps(1)
	c := s.write("c1")
	s.appliedBy(c[0], s.c.ids...)
	if b[1] > c[0] {
		s.fatalf("writes out of order")
	}
	s.until("the sync is answered", s.bound(), func() bool { return s.c.SyncsAnswered() > 0 })
}

func TestPausedLeaderWakesUp(t *testing.T) {
	scenario(t, scenOptions(3), pausedLeader)
}

// TestScenariosCatchHostBugs shows that each scenario fails when the host
// breaks the step it guards: the scenarios are not tests that cannot fail.
func TestScenariosCatchHostBugs(t *testing.T) {
	snapOpt := scenOptions(3)
	snapOpt.MaxDiff = 1
	tests := []struct {
		name      string
		opt       Options
		bug       HostBug
		trustAcks bool // let the bad ACK through, to see the loss it causes
		script    func(s *scen)
		rules     []string
	}{
		{"1282: epoch stored after the NEWLEADER ack", scenOptions(3), BugEpochAfterSend, false,
			func(s *scen) { zk1282(s) }, []string{RuleEpochs}},
		{"3911: NEWLEADER acked before the DIFF is durable", scenOptions(3), BugEarlyPersisted, false,
			zk3911, []string{RuleAckDurable}},
		{"3911: ... which loses a committed txn", scenOptions(3), BugEarlyPersisted, true,
			zk3911, []string{RulePrefix, RuleNoLoss, RuleAcknowledgedIn}},
		{"3642: SNAP installed but not stored", snapOpt, BugVolatileSnap, false,
			zk3642, []string{RulePrefix, RuleNoLoss, RuleSameState}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runScenario(tt.opt, tt.bug, tt.trustAcks, tt.script)
			require.ErrorIs(t, err, ErrViolation, "the scenario did not catch the bug")
			var v *Violation
			require.ErrorAs(t, err, &v)
			assert.Contains(t, tt.rules, v.Rule, v.Error())
			t.Log(v)
		})
	}
}
