// Package sim is the deterministic simulation of whole ensembles that
// proves packages election and zab: one goroutine runs 1, 3 or 5 voters
// (and observers), a simulated network, simulated disks and ticks, all from
// one seed, under crashes, partitions, slow disks and delays, and checks
// the invariants of Zab at every step. A run is a pure function of its
// Options, so any failure replays exactly from its seed.
//
// # What it models
//
// Each Peer is the host loop the real Node will be: an election.Election
// and a zab.Zab, a model Disk and a model state machine.
//
//   - Disk: a txn log whose records are durable once synced; a crash keeps
//     the synced records and, by chance, a prefix of the unsynced ones, the
//     last of which may be torn (half written) and is cut by recovery. The
//     accepted and current epoch files and the snapshot are written
//     synchronously. The host snapshots its state machine now and then and
//     purges the log behind the snapshot (keeping a tail, or not).
//   - Chain: the state machine, a hash chain over applied txns (what the
//     tree digest is for znode), so two replicas at one zxid must hold the
//     same state; a snapshot is its 16 bytes.
//   - Network: two planes, election and zab, as ZooKeeper has two ports,
//     each FIFO per pair of peers with random delays. Zab connections are
//     TCP-like: a learner opens one to its leader (held until that peer
//     leads, as a connecting learner retries); a role change, a crash or a
//     fault breaks them, losing what is in flight, and the other side is
//     told (zab.Disconnected) after a delay, its writes lost meanwhile.
//     Options.SharedConns instead keeps one long-lived connection per pair,
//     across role changes, as DESIGN.md sketches transport/tcp. Zab as
//     written can livelock there: it relies on a step-down closing the
//     learners' connections (else they notice only after SyncLimit, while
//     the others re-elect without them) and on a FOLLOWERINFO reaching a
//     peer that already leads (else it is dropped and never sent again). So
//     the Node must give zab per-session connections, and the seeds run
//     without this unless -sim.shared. One-way cuts hold zab traffic (TCP
//     retransmits) and drop election traffic. Every message crosses its
//     codec.
//   - Clients: unique writes submitted to random peers (Propose on the
//     leader, Forward on a learner), acknowledged when the peer they were
//     submitted to applies them; syncs (Sync) checked as barriers.
//   - Faults (Faults): crashes (some right after a sync, ACK, PROPOSAL or
//     COMMIT message, the narrow windows ZooKeeper's bugs lived in),
//     restarts, whole-ensemble crashes, symmetric and one-way partitions,
//     an isolated leader, broken connections, slow disks, process pauses
//     (a stalled leader that wakes up deposed), delay spikes, lost election
//     notifications, and clocks that tick at different rates.
//
// # How the host drives the cores (what the Node must do too)
//
// For each zab Ready, in order: store AcceptedEpoch; install Snapshot in
// the state machine and store it, restarting the log after it; truncate
// the log after TruncateAfter; store CurrentEpoch — all durably, before
// anything else; append Entries and call Persisted once they are synced
// (later, in order); send Messages; apply Committed in order. A RoleChanged
// to Looking closes the old role's connections and starts an election round
// with the peer's last zxid and current epoch; an election Decision calls
// Lead, Follow or Observe. Once zab is in the broadcast phase the host calls
// election.SetPeerEpoch with zab's current epoch (ZooKeeper's
// updateElectionVote, ZOOKEEPER-1732): without it a peer that restarts
// while the ensemble runs can see the members name different epochs and
// never decide. A restarted peer gives zab Durable{AcceptedEpoch,
// CurrentEpoch, Applied: its snapshot's zxid}; zab emits the log records
// after it as Committed once it learns they are committed.
//
// # What it checks
//
// Checker, and the host as it carries out each Ready:
//
//   - at most one leader establishes itself per epoch;
//   - the committed txn sequences of all peers are prefixes of one another
//     (no peer applies a different txn at a zxid, or skips one);
//   - a committed txn is never lost: never truncated, never skipped by a
//     later history; at the end every acknowledged write is in the history
//     and every log agrees with it below what its peer applied;
//   - replicas that applied the same zxid have the same state;
//   - the Ready contract: epochs never go back, currentEpoch ≤
//     acceptedEpoch, a learner acknowledges NEWLEADER only once the whole
//     synced history is durable and the new current epoch stored, and a
//     proposal only once it is durable; a sync answer covers every write
//     committed before it was asked;
//   - liveness: once faults stop and every peer is back, a leader is
//     established and a new write is applied on every peer within
//     Options.LivenessTicks.
//
// # Tests
//
// TestSimSeeds runs many random seeds (flags -sim.seeds, -sim.first,
// -sim.steps, -sim.seed to replay one, -sim.trace to print every event;
// -sim.shared and -sim.nopeerepoch run the variants that show known
// problems; a failure prints the command that replays it). The Test ZK* tests are the schedules behind Apache
// ZooKeeper's data-loss bugs, and TestScenariosCatchHostBugs shows each
// guard fails when the host breaks the step it protects. FuzzSim lets the
// fuzzer pick seeds, steered by coverage of election and zab.
//
// # What it does not own
//
// The protocol itself (packages election and zab), the real disk and
// network (wal, transport) and the Node that composes them. It has no
// goroutines, no clock and no I/O.
//
// Where it differs from DESIGN.md: DESIGN.md lists "sessions' zxids never go
// backwards" among the checks; sessions belong to package session and the
// Node, which this simulation does not include, so that check waits for a
// Node-level simulation.
package sim
