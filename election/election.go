package election

import "github.com/ensemble-go/ensemble/quorum"

// Config configures one peer's Election.
type Config struct {
	ID             uint64
	Quorum         quorum.Verifier // voters; observers are peers that are not voters
	Peers          []uint64        // every peer id (voters and observers), including ID
	FinalizeWait   int             // ticks to wait for a better vote once a quorum agrees (ZooKeeper 200 ms)
	ResendInterval int             // ticks between re-broadcasts while LOOKING with no news (ZooKeeper backs off up to 60 s)
}

// Election is one peer's FastLeaderElection state machine.
type Election struct {
	cfg   Config
	state State
	out   Ready
}

// Ready is what the host must carry out: notifications to send and, once
// per round, the decision.
type Ready struct {
	Messages []Notification
	Decision *Decision // non-nil exactly once per round, when the round ends
}

// Decision is the outcome of a round.
type Decision struct {
	Leader        uint64
	State         State // Leading, Following or Observing
	Vote          Vote
	ElectionEpoch int64
}

// New returns an Election for cfg.
func New(cfg Config) (*Election, error) {
	return &Election{cfg: cfg}, nil
}

// Start begins (or restarts) a round.
func (e *Election) Start(lastZxid, currentEpoch int64) {}

// Step feeds a notification from a peer.
func (e *Election) Step(n Notification) {}

// Tick advances election time by one tick.
func (e *Election) Tick() {}

// State returns the peer's current state.
func (e *Election) State() State { return e.state }

// Ready returns what to send and, once, the decision; it clears them.
func (e *Election) Ready() Ready {
	r := e.out
	e.out = Ready{}
	return r
}
