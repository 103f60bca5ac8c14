package election

import "fmt"

// State is a peer's role as election sees it, in ZooKeeper's ServerState
// order so that the wire value is the same.
type State int32

// The four states of a quorum peer.
const (
	Looking   State = 0 // electing: no leader known
	Following State = 1 // a voter that follows an elected leader
	Leading   State = 2 // the elected leader
	Observing State = 3 // a non-voter that learned the leader
)

// String returns ZooKeeper's name for the state.
func (s State) String() string {
	switch s {
	case Looking:
		return "LOOKING"
	case Following:
		return "FOLLOWING"
	case Leading:
		return "LEADING"
	case Observing:
		return "OBSERVING"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// valid reports whether s is one of the four states.
func (s State) valid() bool { return s >= Looking && s <= Observing }
