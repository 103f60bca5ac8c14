package election

// Step feeds a notification from a peer (To == own id). Notifications from
// unknown peers, to another peer, from ourselves or with an unknown state
// are ignored. Before Start it does nothing.
//
// Non-voters (observers) only ask: a voter answers them with its current
// vote and otherwise ignores them. A voter that has decided answers a
// LOOKING voter with its decided vote, so a peer that joins or restarts
// learns the established leader. A LOOKING voter answers a LOOKING voter
// whose logical clock lags, so that it catches up, and one of its own round
// that is new to the round or proposes a worse vote, so that it need not
// wait for our next re-broadcast to learn our vote. Observers never answer:
// nobody counts what they say.
func (e *Election) Step(n Notification) {
	if !e.started || n.To != e.cfg.ID || n.From == e.cfg.ID || !n.State.valid() {
		return
	}
	i, ok := e.index(n.From)
	if !ok {
		return
	}
	if !e.cfg.Quorum.IsVoter(n.From) {
		if e.voter {
			e.reply(n.From)
		}
		return
	}
	if e.state != Looking {
		if n.State == Looking && e.voter {
			e.reply(n.From)
		}
		return
	}
	if n.State == Looking && n.ElectionEpoch < e.clock && e.voter {
		e.reply(n.From)
	}
	// Whether the sender, of our round, may not know our vote: it is new
	// to the round (it just started or restarted into it, and missed our
	// broadcast) or it proposes worse than we do.
	clock, proposal := e.clock, e.proposal
	unaware := n.State == Looking && n.ElectionEpoch == e.clock && e.voter &&
		(!e.recv[i].ok || e.proposal.Beats(n.Vote))
	e.lookForLeader(i, n)
	if unaware && e.state == Looking && e.clock == clock && e.proposal == proposal {
		e.reply(n.From) // had our vote changed, the broadcast would have told it
	}
}

// reply sends our current vote to one peer.
func (e *Election) reply(to uint64) {
	if e.state == Looking {
		e.send(to, Looking, e.proposal, e.clock)
		return
	}
	e.send(to, e.state, e.current.Vote, e.current.ElectionEpoch)
}
