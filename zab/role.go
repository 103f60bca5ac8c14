package zab

import "strconv"

// Role is what a peer does in the ensemble, in the order of election.State.
type Role int32

// Roles.
const (
	Looking Role = iota
	Following
	Leading
	Observing
)

// String returns ZooKeeper's name for the role, such as "LEADING".
func (r Role) String() string {
	switch r {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// Phase is the Zab phase a peer is in.
type Phase int32

// Phases, in protocol order.
const (
	// Election: looking for a leader (Role Looking).
	Election Phase = iota
	// Discovery: FOLLOWERINFO, LEADERINFO, ACKEPOCH.
	Discovery
	// Synchronization: DIFF, TRUNC or SNAP, proposals, NEWLEADER, ACK,
	// waiting for UPTODATE.
	Synchronization
	// Broadcast: the epoch is established; proposals, commits, pings. Only
	// in this phase may a peer serve clients.
	Broadcast
)

// String returns the phase's name.
func (p Phase) String() string {
	switch p {
	case Election:
		return "election"
	case Discovery:
		return "discovery"
	case Synchronization:
		return "synchronization"
	case Broadcast:
		return "broadcast"
	}
	return "Phase(" + strconv.Itoa(int(p)) + ")"
}
