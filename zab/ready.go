package zab

// Entry is one txn of the history.
type Entry struct {
	Zxid int64
	Data []byte
}

// Snapshot is a state-machine snapshot received by SNAP sync.
type Snapshot struct {
	Zxid int64
	Data []byte
}

// Forwarded is an opaque payload a peer sent: a REQUEST, a PING's session
// liveness, or a REVALIDATE.
type Forwarded struct {
	From uint64
	Data []byte
}

// SyncDone answers Sync(ID): once the host has applied Zxid, reads reflect
// every write committed before Sync(ID) was called. Err is non-nil (and Zxid
// meaningless) when the barrier could not be completed, for example because
// the peer lost its leader; the caller may retry.
type SyncDone struct {
	ID   uint64
	Zxid int64
	Err  error
}

// Ready is the core's pending output. The host takes it with Zab.Ready and
// carries it out in the order of the steps below; see the package
// documentation for the full contract.
type Ready struct {
	// Step 1, synchronously and durably, in this order, BEFORE sending any
	// of Messages:
	AcceptedEpoch int64     // 0 = unchanged; else store it
	Snapshot      *Snapshot // learner SNAP: install in the state machine and store durably; the log restarts after Snapshot.Zxid
	TruncateAfter int64     // -1 = none; else drop every log record with zxid > TruncateAfter
	CurrentEpoch  int64     // 0 = unchanged; else store it (set only after the synced entries are Persisted)

	// Step 2, asynchronously: append to the log (after every earlier
	// Ready's Entries), then call Persisted(last zxid).
	Entries []Entry

	// Step 3: send. A leader's PROPOSALs may leave before its own copy is
	// durable; a learner's ACK is only ever emitted after Persisted.
	Messages []Message

	// Step 4: apply to the state machine in order: every committed txn
	// exactly once, in zxid order, including after a restart or a resync.
	Committed []Entry

	// Information for the host:
	Requests    []Forwarded // leader: REQUEST payloads from learners (and its own Forward calls), to prepare and Propose
	Liveness    []Forwarded // leader: PING payloads (session liveness) from learners
	Revalidates []Forwarded // leader: REVALIDATE requests from learners; learner: the leader's answers
	Synced      []SyncDone  // answers to Sync calls
	RoleChanged bool        // Role() changed since the last Ready; Looking means: run an election
	// PhaseChanged: Phase() changed since the last Ready; Broadcast means
	// the epoch is established and the peer may serve clients.
	PhaseChanged bool
	// Err says why the core went back to Looking, when it did so because of
	// a protocol violation or a failed read (matches ErrProtocol, ErrLog,
	// ErrZxidExhausted). It is information for logs; the core has already
	// acted on it.
	Err error
}

// IsEmpty reports whether rd carries nothing to do.
func (rd *Ready) IsEmpty() bool {
	return rd.AcceptedEpoch == 0 && rd.Snapshot == nil && rd.TruncateAfter < 0 && rd.CurrentEpoch == 0 &&
		len(rd.Entries) == 0 && len(rd.Messages) == 0 && len(rd.Committed) == 0 &&
		len(rd.Requests) == 0 && len(rd.Liveness) == 0 && len(rd.Revalidates) == 0 &&
		len(rd.Synced) == 0 && !rd.RoleChanged && !rd.PhaseChanged && rd.Err == nil
}
