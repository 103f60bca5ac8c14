// Package sim is the deterministic simulation of whole ensembles that
// proves packages election and zab: one goroutine runs 3 or 5 voters (and
// observers), a simulated network, simulated disks and ticks, all from one
// seed, under crashes, partitions, slow disks and delays, and checks the
// invariants of Zab at every step.
//
// What it owns: the model of everything around the cores. Each Peer is the
// host loop the real Node will be: an election.Election and a zab.Zab, a
// model Disk (a txn log whose unsynced tail a crash loses, possibly leaving
// a torn last record that recovery cuts; accepted and current epoch files;
// a snapshot) and a model state machine (Chain, a hash chain over applied
// txns, whose state at a zxid must be the same on every replica). The
// Network has one plane for election and one for zab, FIFO per pair like
// TCP: zab connections break loudly (the other side is told, after a
// delay), one-way cuts hold zab traffic and drop election traffic. Every
// message crosses its codec (MarshalBinary, then Unmarshal) on the way.
//
// What it checks (Checker, and the host as it carries out each Ready):
//
//   - at most one leader establishes itself per epoch;
//   - the committed txn sequences of all peers are prefixes of one another
//     (no peer applies a different txn at a zxid, or skips one);
//   - a committed txn is never lost: never truncated, never skipped by a
//     later history, and every acknowledged client write is in the final
//     history;
//   - replicas that applied the same zxid have the same state;
//   - the Ready contract: epochs never go back, a learner's ACK only
//     covers what is durable, NEWLEADER is acknowledged only after the new
//     current epoch is stored, a sync answer covers every write committed
//     before it was asked;
//   - liveness: once faults stop, a leader is established and a new write
//     is applied on every peer within Options.LivenessTicks.
//
// The tests are TestSimSeeds (many random seeds; flags -sim.seeds,
// -sim.steps, -sim.first, and -sim.seed to replay one, printed on failure)
// and one named test per data-loss bug of Apache ZooKeeper, each building
// the schedule that broke ZooKeeper.
//
// What it does not own: the protocol itself (packages election and zab),
// the real disk and network (wal, transport) and the Node that composes
// them. It has no goroutines, no clock and no I/O; a run is a pure function
// of its Options.
//
// Where it differs from DESIGN.md: DESIGN.md lists "sessions' zxids never go
// backwards" among the checks; sessions belong to package session and the
// Node, which this simulation does not include, so that check waits for a
// Node-level simulation.
package sim
