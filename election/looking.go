package election

// lookForLeader applies one notification from voter peers[i] while LOOKING
// (ZooKeeper's FastLeaderElection.lookForLeader loop body).
func (e *Election) lookForLeader(i int, n Notification) {
	e.idle = 0
	if !e.cfg.Quorum.IsVoter(n.Vote.Leader) {
		return // a vote for a non-voter is no vote
	}
	switch n.State {
	case Looking:
		if e.voter {
			e.stepLooking(i, n)
		}
		// An observer learns only from settled votes: the LOOKING votes it
		// hears are answers to its own questions and may be stale by the
		// time a quorum of them agrees.
	case Following, Leading:
		e.stepSettled(i, n)
	}
	// Observing: a voter never observes; nothing to learn.
}

// stepLooking handles a vote from a peer that is electing too.
func (e *Election) stepLooking(i int, n Notification) {
	switch {
	case n.ElectionEpoch > e.clock:
		// A newer round: what we counted belongs to an old one. Start
		// over from our own vote, or the sender's if it is better.
		e.clock = n.ElectionEpoch
		e.recv.clear()
		e.proposal = e.self
		if n.Vote.Beats(e.self) {
			e.proposal = n.Vote
		}
		e.broadcast()
	case n.ElectionEpoch < e.clock:
		return // an old round; Step has answered it so it catches up
	case n.Vote.Beats(e.proposal):
		e.proposal = n.Vote
		e.broadcast()
	}
	e.recv[i] = ballot{vote: n.Vote, epoch: n.ElectionEpoch, state: Looking, ok: true}
	e.checkFinalize()
}

// stepSettled handles a vote from a peer that has decided: first as a vote
// of our round, then as evidence of an established leader.
func (e *Election) stepSettled(i int, n Notification) {
	b := ballot{vote: n.Vote, epoch: n.ElectionEpoch, state: n.State, ok: true}
	if n.ElectionEpoch == e.clock {
		e.recv[i] = b
		if e.quorumFor(e.recv, b) && e.checkLeader(e.recv, n.Vote.Leader, n.ElectionEpoch) {
			e.decide(n.Vote, n.ElectionEpoch)
			return
		}
		e.checkFinalize()
		if e.state != Looking {
			return
		}
	}
	// Settled votes of any round, ours included (ZOOKEEPER-1732): a quorum
	// following one leader that says it leads is an established ensemble
	// to join, whatever our clock says.
	e.outside[i] = b
	if e.quorumFor(e.outside, b) && e.checkLeader(e.outside, n.Vote.Leader, n.ElectionEpoch) {
		// ZooKeeper sets its clock to the ensemble's round here, even when
		// that moves it back; a later Start would then reuse a round
		// number that may already have elected someone else. We only move
		// forward.
		e.clock = max(e.clock, n.ElectionEpoch)
		e.decide(n.Vote, n.ElectionEpoch)
	}
}

// checkFinalize starts the finalize wait when a quorum of this round agrees
// with our proposal, and cancels it when that is no longer so. The wait
// gives a better vote still in flight the chance to arrive: deciding at the
// first quorum would elect whoever's votes happened to travel fastest.
func (e *Election) checkFinalize() {
	if !e.quorumFor(e.recv, ballot{vote: e.proposal, epoch: e.clock, state: Looking}) {
		e.finalizing = false
		return
	}
	if e.finalizing && e.finalizeVote == e.proposal && e.finalizeClock == e.clock {
		return
	}
	e.finalizing = true
	e.finalizeLeft = e.cfg.FinalizeWait
	e.finalizeVote, e.finalizeClock = e.proposal, e.clock
	if e.finalizeLeft == 0 {
		e.decide(e.proposal, e.clock)
	}
}
