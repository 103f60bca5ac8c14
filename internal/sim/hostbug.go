package sim

// HostBug names a deliberate violation of zab's Ready contract by the host.
// They exist only so that tests can show the checks catch them.
type HostBug int

const (
	// NoBug: the host follows the contract.
	NoBug HostBug = iota
	// BugEarlyPersisted: the host reports entries Persisted as soon as it
	// appends them, before they are durable (ZOOKEEPER-3911/4646: logging
	// was asynchronous, so the NEWLEADER ack came before the txns were on
	// disk).
	BugEarlyPersisted
	// BugEpochAfterSend: the host stores CurrentEpoch only once the event
	// being handled is over, after sending the Ready's messages (ZOOKEEPER-1282: the epoch was
	// stored at UPTODATE, not before the NEWLEADER ack).
	BugEpochAfterSend
	// BugVolatileSnap: the host installs a SNAP in its state machine but
	// does not store it durably, while the log still restarts after it
	// (ZOOKEEPER-3642/3104: a partial SNAP sync, then a DIFF, then a
	// restart that loses everything up to the snapshot's zxid).
	BugVolatileSnap
)
