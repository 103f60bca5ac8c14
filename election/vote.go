package election

import "math"

// Vote is a proposal for leader.
type Vote struct {
	Leader    uint64 // proposed leader's server id
	Zxid      int64  // proposed leader's last zxid
	PeerEpoch int64  // proposed leader's current epoch
}

// NoLeader is the Leader of an observer's vote: observers propose nobody.
// It is ZooKeeper's Long.MIN_VALUE read as an unsigned id, so an observer's
// notification carries the same bytes as ZooKeeper's; no server may use it
// (or any id at or above it) as its id.
const NoLeader uint64 = 1 << 63

// observerVote is what an observer proposes (ZooKeeper's getInitId,
// getInitLastLoggedZxid and getPeerEpoch for non-participants): nobody, and
// lower than every real vote.
var observerVote = Vote{Leader: NoLeader, Zxid: math.MinInt64, PeerEpoch: math.MinInt64}

// Beats reports whether v is a better proposal than w: a higher peer epoch,
// then a higher zxid, then a higher server id (ZooKeeper's
// totalOrderPredicate). Epoch comes first because a peer that accepted a
// newer epoch has seen a newer leader's history, whatever its zxid counter
// says; the id only breaks ties so that every peer ranks votes the same way.
func (v Vote) Beats(w Vote) bool {
	if v.PeerEpoch != w.PeerEpoch {
		return v.PeerEpoch > w.PeerEpoch
	}
	if v.Zxid != w.Zxid {
		return v.Zxid > w.Zxid
	}
	return v.Leader > w.Leader
}
