package zab

import "errors"

// Errors returned by the core. They are sentinels: match them with
// errors.Is, as they may be wrapped with detail.
var (
	// ErrNotLeader: the call is for the leader and this peer is not leading.
	ErrNotLeader = errors.New("zab: not the leader")
	// ErrNotReady: the peer has a role but its epoch is not established yet
	// (discovery or synchronization is still running).
	ErrNotReady = errors.New("zab: not ready: the epoch is not established")
	// ErrNoLeader: the peer is looking for a leader.
	ErrNoLeader = errors.New("zab: no leader")
	// ErrZxidExhausted: the epoch's 32-bit counter is used up; the leader
	// steps down so that an election starts a new epoch (ZOOKEEPER-1277).
	ErrZxidExhausted = errors.New("zab: zxid counter exhausted, a new epoch is needed")
	// ErrInvalidConfig: New was given a Config it cannot run with.
	ErrInvalidConfig = errors.New("zab: invalid config")
	// ErrInconsistentState: the durable state given to New contradicts
	// itself (for example a current epoch above the accepted epoch).
	ErrInconsistentState = errors.New("zab: inconsistent durable state")
	// ErrMalformedMessage: UnmarshalMessage was given bytes that are not a
	// message.
	ErrMalformedMessage = errors.New("zab: malformed message")
	// ErrProtocol: a peer broke the protocol (a hole in the proposals, a
	// TRUNC below what is applied, a commit for an unknown txn); the core
	// goes back to election rather than apply anything doubtful.
	ErrProtocol = errors.New("zab: protocol violation")
	// ErrLog: reading the Log or the SnapshotSource failed, or what they
	// returned has a hole.
	ErrLog = errors.New("zab: log read failed")
	// ErrLearnerAhead: while establishing its epoch the leader met a learner
	// whose history is more recent than its own, so that an election can
	// pick that learner's history (no committed txn is lost); or a learner
	// that accepted a later epoch than the leader's and could never join,
	// so that the next leader picks an epoch above it. The leader steps
	// down.
	ErrLearnerAhead = errors.New("zab: a learner's history is ahead of the leader's")
	// ErrQuorumLost: the leader has not heard from a quorum of voters within
	// SyncLimit ticks and steps down.
	ErrQuorumLost = errors.New("zab: the leader lost its quorum")
	// ErrTimeout: the leader could not establish its epoch within InitLimit
	// ticks, or a learner heard nothing from its leader for InitLimit ticks
	// (before UPTODATE) or SyncLimit ticks (after).
	ErrTimeout = errors.New("zab: timed out")
)
