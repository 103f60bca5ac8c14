// Package election is FastLeaderElection, Apache ZooKeeper's leader
// election, as a pure state machine: no goroutines, clocks or I/O. It steps
// on notifications and ticks, and emits notifications to send and, at the
// end of a round, a decision: this peer leads, follows or observes a leader.
//
// # What it owns, and what it does not
//
// It owns the election rules, the vote table of a round and the
// notification's wire encoding. It does not own the transport (the host
// sends and receives, one connection per pair of peers), persistence (it
// stores nothing; the host passes the durable last zxid and current epoch
// to Start), zab (which makes the decided leader actually lead, and is what
// makes leaders unique: see "What it promises"), timers (the host ticks it)
// or the quorum rule (package quorum, shared with zab). It imports only
// quorum and the standard library.
//
// # Driving it
//
// The host owns one Election per peer and calls it from one goroutine:
//
//  1. New(cfg) once. A tick is the host's choice; choose FinalizeWait and
//     ResendInterval in ticks accordingly (ZooKeeper: finalize wait 200 ms,
//     re-broadcast from 200 ms backing off to 60 s).
//  2. Start(lastZxid, currentEpoch) at boot, before any notification is
//     stepped (an Election ignores everything before its first Start), and
//     again whenever zab gives up on the decided leader.
//  3. Step(n) for every notification received. Decode it with
//     UnmarshalNotification and check that n.From is the peer at the other
//     end of the connection. Tick() at every tick.
//  4. After each Start, Step and Tick, call Ready. Send its Messages, in any
//     order, best effort. FastLeaderElection needs only the latest
//     notification to each peer to arrive: a transport may drop a queued
//     notification when a newer one to the same peer is queued behind it,
//     and should resend the last one when a connection comes back (as
//     ZooKeeper's QuorumCnxManager does). Then act on Decision, if any:
//     Leading, Following or Observing Decision.Leader.
//  5. Keep stepping notifications after the decision: the Election answers
//     LOOKING peers with its decided vote, which is how a peer that joins or
//     restarts learns the established leader. When zab has established a
//     new epoch, call SetPeerEpoch, so that those answers name it.
//
// Nothing in Ready needs to be persisted, and no message has to wait for
// anything.
//
// # The rules, in order
//
// A vote is (leader, zxid, peer epoch). A notification carries the sender's
// vote, its state and its logical clock (the election epoch: the number of
// its current round).
//
//  1. Order. A vote beats another by peer epoch, then zxid, then server id
//     (Vote.Beats). The epoch comes first because a peer that accepted a
//     newer epoch has seen a newer leader's history; the id only breaks
//     ties, so that all peers rank votes alike.
//  2. Start. Increment the clock, vote for ourselves (an observer votes for
//     nobody: NoLeader), and broadcast the vote to every other voter.
//  3. Who counts. Notifications from unknown peers, from ourselves or to
//     another peer are ignored, and so are votes for a peer that is not a
//     voter. A notification from an observer is a question: a voter
//     answers it with its current vote and counts nothing.
//  4. Answers. A decided voter answers a LOOKING voter with its decided
//     vote. A LOOKING voter answers a LOOKING voter whose clock lags, so that
//     it catches up, and one of its own round that is new to the round or
//     proposes worse, so that it learns our vote at once.
//  5. A LOOKING vote. A higher clock starts our round over: adopt the clock,
//     forget the round's votes, propose the better of the sender's vote and
//     our own (not our previous proposal, which belonged to the old round),
//     and broadcast. A lower clock is ignored (rule 4 has answered it). The
//     same clock: adopt the sender's vote if it beats ours, and broadcast.
//     Record the vote as the sender's in this round.
//  6. Finalize wait. When the votes of this round that equal our proposal
//     (our own included) form a quorum, wait FinalizeWait ticks, then decide
//     for the proposal if that is still so. The wait lets a better vote
//     still in flight arrive; deciding at the first quorum would elect
//     whoever's votes travelled fastest. A change of proposal or clock
//     starts the wait over.
//  7. A settled vote (FOLLOWING or LEADING). If it is of our round, record
//     it with the round's votes; in any case record it with the settled
//     votes of any round (ZooKeeper's outofelection). Settled votes agree
//     when they name the same leader and peer epoch. When a quorum of either
//     table agrees with it, and its leader said LEADING itself (or is us,
//     in our own round: ZooKeeper's checkLeader), decide for it: this is an
//     established ensemble to join, whatever our own vote. checkLeader keeps
//     a quorum of peers still following a crashed leader from pulling
//     newcomers into following it too.
//  8. Decide. Become LEADING (the leader is us), FOLLOWING, or OBSERVING
//     (we are an observer), and tell every other peer.
//  9. Re-broadcast. While LOOKING, after ResendInterval ticks without a
//     notification from a voter, broadcast the proposal again; the interval
//     doubles each time, up to MaxResendInterval.
//  10. Observers learn only from settled votes (rule 7): they never adopt a
//     LOOKING vote and never decide on a quorum of them.
//
// # What it promises
//
// The elected leader's (epoch, zxid) is at least that of every peer of some
// quorum of voters: every voter's proposal in a round is at least its own
// vote, and a decision needs a quorum of voters proposing the leader.
// Observers are never counted, and a minority of voters never decides.
//
// Peers that decide in the same election epoch decide the same leader,
// provided that the latest notification between two running peers arrives
// within the finalize wait and that no voter crashes while its vote counts
// in an unfinished round. Otherwise two leaders can be decided in one
// election epoch: a voter that dies mid-round leaves its vote counted by the
// peers that heard it and unknown to the others (the test
// TestCrashMidRoundCanSplitElectionEpoch shows how); so can a partition
// that falls during a finalize wait, or a peer restarted as a new process,
// whose clock starts again from zero. The same is true of ZooKeeper. An
// election epoch is therefore not a leader's term: zab's epoch is, and zab
// must make a leader win a quorum for its epoch before it acts.
//
// # Where ensemble differs from ZooKeeper
//
//   - A voter's own vote is recorded directly, not sent to itself.
//   - A decided voter tells every peer (rule 8), and a LOOKING voter answers
//     a peer of its own round that is new to it or proposes worse (rule 4).
//     ZooKeeper's peers learn these only at their next re-broadcast, which
//     backs off up to 60 s, long enough for zab to give up on a leader
//     waiting for its followers: the randomized test found such a livelock.
//   - Observers learn only from settled votes (rule 10). ZooKeeper's
//     observers also decide on a quorum of LOOKING votes, but they hear
//     those only as answers to their own questions, and stale answers let
//     them pick a leader the voters had already dropped.
//   - Observers never answer: nobody counts what they say (ZooKeeper's
//     answer only draws another answer from the voter).
//   - A voter answers an observer with its proposal while LOOKING
//     (ZooKeeper: with its last decided vote).
//   - During the finalize wait, notifications are handled by the usual
//     rules; ZooKeeper drops those that do not beat the proposal.
//   - Joining an established ensemble never moves the clock back (ZooKeeper
//     sets it to the ensemble's round); a later round would otherwise reuse
//     an election epoch that may have elected someone else.
//   - ZooKeeper's rule that ignores a peer whose last zxid is -1 (a log that
//     could not be read) is not kept: the host does not Start a peer whose
//     log cannot be read.
//   - Only a static voter set; no dynamic reconfiguration.
//
// # Wire format
//
// A notification is WireSize bytes, big-endian: int32 state, int64 leader,
// int64 zxid, int64 election epoch, int64 peer epoch (ZooKeeper's buildMsg
// layout), then int32 version 0x454e0001 and ensemble's own tail in place of
// ZooKeeper's dynamic config: uint64 sender, uint64 receiver. An observer's
// vote carries ZooKeeper's Long.MIN_VALUE fields. UnmarshalNotification
// rejects any other length or version, unknown states, ids at or above 2^63
// (except NoLeader as a leader) and negative election epochs.
package election
