package zab

import (
	"fmt"
	"slices"

	"github.com/ensemble-go/ensemble/quorum"
)

// Log is the durable txn log as the core reads it. wal.Log satisfies it, and
// so does the simulator's model disk. The core only reads; the host writes
// (Ready.Entries, Ready.TruncateAfter, Ready.Snapshot).
type Log interface {
	// LastZxid returns the zxid of the last record, or 0 if the log is empty.
	LastZxid() int64
	// FirstZxid returns the zxid of the first record, or 0 if the log is empty.
	FirstZxid() int64
	// Scan calls fn for every record with zxid > after, in zxid order, and
	// stops at the first error fn returns, returning it. data is only valid
	// during the call: the core copies what it keeps.
	Scan(after int64, fn func(zxid int64, data []byte) error) error
}

// SnapshotSource gives the leader the latest committed state, for SNAP sync.
type SnapshotSource interface {
	// Snapshot returns the state machine's content and the zxid of the last
	// txn it holds. It holds only committed txns.
	Snapshot() (zxid int64, data []byte, err error)
}

// DefaultMaxDiff is the MaxDiff used when Config.MaxDiff is 0.
const DefaultMaxDiff = 100000

// Config configures one peer's Zab core.
type Config struct {
	ID           uint64          // this peer
	Quorum       quorum.Verifier // the voters and what a quorum of them is
	Peers        []uint64        // voters and observers, including ID
	InitLimit    int             // ticks a leader has to establish its epoch; ticks of silence a learner tolerates while syncing
	SyncLimit    int             // ticks of silence a leader (from a quorum) or a learner (from its leader) tolerates once established
	PingInterval int             // ticks between the leader's PINGs; must be below SyncLimit
	Log          Log             // the durable log, read by the core
	Snapshots    SnapshotSource  // the committed state, for SNAP sync
	MaxDiff      int             // beyond this many txns behind, use SNAP instead of DIFF (0: DefaultMaxDiff)
}

// validate checks cfg without changing it.
func (cfg *Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	switch {
	case cfg.ID == 0:
		return bad("ID must not be 0 (0 means no peer)")
	case cfg.Quorum == nil:
		return bad("Quorum is nil")
	case cfg.Log == nil:
		return bad("Log is nil")
	case cfg.Snapshots == nil:
		return bad("Snapshots is nil")
	case cfg.InitLimit < 1:
		return bad("InitLimit is %d, want at least 1", cfg.InitLimit)
	case cfg.PingInterval < 1:
		return bad("PingInterval is %d, want at least 1", cfg.PingInterval)
	case cfg.SyncLimit <= cfg.PingInterval:
		return bad("SyncLimit is %d, want above PingInterval (%d) so that a PING round fits in it", cfg.SyncLimit, cfg.PingInterval)
	case cfg.MaxDiff < 0:
		return bad("MaxDiff is %d, want 0 (default) or more", cfg.MaxDiff)
	}
	if !slices.Contains(cfg.Peers, cfg.ID) {
		return bad("Peers %v do not include ID %d", cfg.Peers, cfg.ID)
	}
	for i, p := range cfg.Peers {
		if p == 0 {
			return bad("Peers contains 0")
		}
		if slices.Contains(cfg.Peers[:i], p) {
			return bad("peer %d listed twice in Peers", p)
		}
	}
	for _, v := range cfg.Quorum.Voters() {
		if !slices.Contains(cfg.Peers, v) {
			return bad("voter %d is not in Peers %v", v, cfg.Peers)
		}
	}
	return nil
}

// Durable is the state the host recovered from disk at start-up.
type Durable struct {
	AcceptedEpoch int64 // the last epoch accepted from a LEADERINFO (or chosen as leader)
	CurrentEpoch  int64 // the epoch of the last NEWLEADER acknowledged (or established as leader)
	// Applied is the last zxid the host's state machine holds (its snapshot
	// plus whatever it replayed from the log), all committed. The core emits
	// every log record after it as Committed once it learns it is committed.
	Applied int64
}
