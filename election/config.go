package election

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ensemble-go/ensemble/quorum"
)

// ErrInvalidConfig is wrapped by every error New returns; the message names
// the field and what it must be.
var ErrInvalidConfig = errors.New("election: invalid config")

// Config configures one peer's Election. New does not change or keep the
// caller's slices.
type Config struct {
	ID             uint64
	Quorum         quorum.Verifier // voters; observers are peers that are not voters
	Peers          []uint64        // every peer id (voters and observers), including ID
	FinalizeWait   int             // ticks to wait for a better vote once a quorum agrees (ZooKeeper 200 ms)
	ResendInterval int             // ticks between re-broadcasts while LOOKING with no news (ZooKeeper backs off up to 60 s)

	// MaxResendInterval bounds the backoff: after each re-broadcast without
	// news the interval doubles, up to this many ticks (ZooKeeper: from
	// 200 ms up to 60 s). Zero means no backoff: always ResendInterval.
	MaxResendInterval int
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// validate checks c and returns its peers sorted.
func (c Config) validate() ([]uint64, error) {
	if c.Quorum == nil {
		return nil, invalid("Quorum: must be set")
	}
	if c.ID >= NoLeader {
		return nil, invalid("ID %d: must be below 2^63 (ZooKeeper's server ids are non-negative longs)", c.ID)
	}
	peers := slices.Clone(c.Peers)
	slices.Sort(peers)
	for i, p := range peers {
		if p >= NoLeader {
			return nil, invalid("Peers: id %d must be below 2^63", p)
		}
		if i > 0 && peers[i-1] == p {
			return nil, invalid("Peers: id %d listed twice", p)
		}
	}
	if _, ok := slices.BinarySearch(peers, c.ID); !ok {
		return nil, invalid("Peers: must include ID %d", c.ID)
	}
	for _, v := range c.Quorum.Voters() {
		if _, ok := slices.BinarySearch(peers, v); !ok {
			return nil, invalid("Peers: voter %d of Quorum is missing", v)
		}
	}
	if c.FinalizeWait < 0 {
		return nil, invalid("FinalizeWait %d: must be at least 0", c.FinalizeWait)
	}
	if c.ResendInterval < 1 {
		return nil, invalid("ResendInterval %d: must be at least 1 (a peer that never re-sends can wait forever after a lost message)", c.ResendInterval)
	}
	if c.MaxResendInterval != 0 && c.MaxResendInterval < c.ResendInterval {
		return nil, invalid("MaxResendInterval %d: must be 0 or at least ResendInterval (%d)", c.MaxResendInterval, c.ResendInterval)
	}
	return peers, nil
}
