package election

// ballot is the last vote one peer sent us, with the round and state it
// was sent in.
type ballot struct {
	vote  Vote
	epoch int64 // the sender's election epoch
	state State
	ok    bool // a vote was received
}

// table holds one ballot per peer, indexed like Election.peers. A slice
// rather than a map: rounds are short and peers few, and it never allocates.
type table []ballot

func (t table) clear() { clear(t) }

// same reports whether b counts for target (ZooKeeper's Vote.equals). If
// either is a LOOKING vote they must match entirely, round included. Two
// settled (FOLLOWING/LEADING) votes match on leader and peer epoch only:
// after syncing, a follower's zxid and round may differ from its leader's,
// but an epoch has one leader (ZOOKEEPER-1805).
func (b ballot) same(target ballot) bool {
	if !b.ok {
		return false
	}
	if b.state == Looking || target.state == Looking {
		return b.vote == target.vote && b.epoch == target.epoch
	}
	return b.vote.Leader == target.vote.Leader && b.vote.PeerEpoch == target.vote.PeerEpoch
}

// quorumFor reports whether the voters whose ballots in t count for target
// form a quorum. Only the quorum package decides what a quorum is.
func (e *Election) quorumFor(t table, target ballot) bool {
	ids := e.scratch[:0]
	for i := range t {
		if t[i].same(target) {
			ids = append(ids, e.peers[i])
		}
	}
	e.scratch = ids[:0]
	return e.cfg.Quorum.HasQuorum(ids)
}

// checkLeader is ZooKeeper's rule against following a ghost: a quorum
// naming leader is not enough unless the leader itself said LEADING, or the
// leader is us and the votes are of our own round. Without it, peers that
// still follow a crashed leader would pull every newcomer into following
// it too.
func (e *Election) checkLeader(t table, leader uint64, epoch int64) bool {
	if leader == e.cfg.ID {
		return e.clock == epoch
	}
	i, ok := e.index(leader)
	return ok && t[i].ok && t[i].state == Leading
}
