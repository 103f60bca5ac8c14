// Package zab is ZooKeeper's atomic broadcast protocol (Zab 1.0: discovery,
// synchronization, broadcast) as a deterministic state machine, in the style
// of etcd-io/raft. It owns the protocol: epochs, who is synced with what,
// which txns are committed, in which order they are applied. It does not own
// the election (package election decides who leads; the host calls Lead,
// Follow or Observe), the disk (the host writes; the core reads through the
// Log interface), the network (the host sends Ready.Messages and feeds
// received ones to Step) or the state machine (the host applies
// Ready.Committed).
//
// There are no goroutines, clocks, sockets, files or randomness here. The
// core advances on four kinds of input: a message from a peer (Step), a tick
// (Tick), the completion of a write it asked for (Persisted), and a
// connection the transport lost (Disconnected); plus the calls of its own
// host (Propose, Forward, Sync, SetLiveness, Revalidate, AnswerRevalidate).
// Its output accumulates in a Ready value that the host takes with Ready.
// Message names and fields follow ZooKeeper's QuorumPacket types, so that a
// codec can later speak ZooKeeper's own quorum protocol.
//
// # Usage
//
// One goroutine owns a *Zab. Its loop is, in outline:
//
//	z, err := zab.New(cfg, zab.Durable{AcceptedEpoch: a, CurrentEpoch: c, Applied: applied})
//	for {
//		select {
//		case <-ticker:          z.Tick()
//		case m := <-received:   z.Step(m)
//		case zxid := <-synced:  z.Persisted(zxid)   // from the log writer
//		case peer := <-broken:  z.Disconnected(peer)
//		case w := <-writes:     zxid, err := z.Propose(w)   // leader; else z.Forward(w)
//		}
//		if z.HasReady() {
//			rd := z.Ready()
//			// carry out rd, in the order below
//		}
//	}
//
// After an election decides, the host calls Lead, Follow(leader) or
// Observe(leader). When Ready.RoleChanged is set and Role() is Looking, the
// host runs an election; it offers (CurrentEpoch(), LastZxid()) as its vote.
// When Ready.PhaseChanged is set, Phase() says whether the peer may serve
// (Broadcast) or not.
//
// # What to do with a Ready, in this order
//
// Step 1, synchronously and durably (fsync) before anything below, in this
// order:
//
//  1. AcceptedEpoch != 0: store it. It must be durable before any message of
//     this Ready leaves: a leader's LEADERINFO and a learner's ACKEPOCH
//     promise it (ZOOKEEPER-1291).
//  2. Snapshot != nil: replace the state machine with Snapshot.Data, store
//     the snapshot, and discard the whole log: the log restarts after
//     Snapshot.Zxid. The snapshot holds only committed txns, so it is applied
//     at once; but it must be durable before the learner says anything more
//     (ZOOKEEPER-3642: an in-memory SNAP followed by a DIFF lost data).
//  3. TruncateAfter >= 0: drop every log record with zxid > TruncateAfter.
//  4. CurrentEpoch != 0: store it. The core sets it only once every record
//     of the history it acknowledges is durable, and the NEWLEADER ACK that
//     follows is in Messages: records, then current epoch, then ACK
//     (ZOOKEEPER-2678, 3911, 4643, 4646).
//
// Step 2, asynchronously: append Entries to the log, after every earlier
// Ready's entries and after this Ready's step 1, then fsync and call
// Persisted with the last zxid made durable. Batching is welcome (group
// commit): one Persisted for many Readys' entries is fine, as long as
// Persisted(z) means every entry handed out up to z is durable. The core
// keeps Entries' Data; the host must not modify it.
//
// Step 3: send Messages, in order (the transport must be FIFO per peer). A
// leader's PROPOSALs may leave before its own copy is durable (the leader
// counts itself toward a quorum only after Persisted); a learner's ACK is
// only ever emitted after Persisted, so sending is always safe.
//
// Step 4: apply Committed to the state machine, in order. Every committed
// txn is emitted exactly once per state machine, in zxid order, without
// holes, including after a restart (records after Durable.Applied are
// emitted again once known committed) and after a SNAP (which replaces the
// state machine). A txn is emitted only once it is committed and durable on
// this peer, so the state machine is never ahead of the local log, and a
// snapshot the host takes of it holds only committed, locally durable txns.
//
// The rest is information: Requests (leader: writes forwarded by learners,
// and its own Forward calls, to prepare and Propose), Liveness (leader:
// learners' session-liveness payloads from their PINGs), Revalidates
// (leader: learners' REVALIDATE requests, answered with AnswerRevalidate;
// learner: the answers), Synced (answers to Sync), RoleChanged,
// PhaseChanged and Err (why the core went back to Looking, for the log).
//
// The host must finish step 1 of a Ready before it calls the core again,
// and must append Entries in the order they were handed out. The Log the
// core reads must be safe to read while the host's writer appends to it.
//
// # Durable state and restart
//
// The host persists the accepted epoch, the current epoch, the log and its
// snapshots. At start it passes the epochs and Applied, the zxid its state
// machine holds (its snapshot, plus whatever it replayed that it knows was
// committed; the snapshot's zxid alone is always right). Records after
// Applied are not applied by the host: the core emits them in Committed once
// it learns, as leader or learner, that they are committed. The host must
// not purge log records after its newest snapshot. New refuses durable state
// that contradicts itself (a current epoch above the accepted one, a log
// that ends before Applied or starts after it with a hole).
//
// # Discovery
//
// A learner sends FOLLOWERINFO (OBSERVERINFO) with its accepted epoch,
// after every record it handed out earlier is durable (so that a TRUNC or
// SNAP cannot race with appends in flight). Once FOLLOWERINFO has come from
// a quorum of voters, the leader counting itself, the leader picks the new
// epoch, one above every accepted epoch it heard of and its own, stores it
// (step 1) and sends LEADERINFO. A learner accepts a LEADERINFO above its
// accepted epoch (stored before its ACKEPOCH leaves), refuses one below (back
// to election), and answers one equal to it with ACKEPOCH epoch -1: two
// would-be leaders can pick the same epoch number, and a learner must not
// help both establish it. The leader counts toward its epoch only ACKEPOCHs
// that accepted it fresh. ACKEPOCH carries the learner's current epoch and
// last zxid.
//
// A learner that accepted an epoch above the one the leader chose (from a
// leader that then failed) must refuse it and could never join; the leader
// steps down on its FOLLOWERINFO and accepts that epoch itself, so that the
// next leader picks one above it. Each such round raises the epoch, so it
// ends; ZooKeeper instead leaves that peer out until the leader changes.
//
// Leader establishment: the leader's initial history is its own log. It
// must hold every committed txn, so until a quorum (itself included) has
// acknowledged the epoch, a learner whose (current epoch, last zxid) is more
// recent than the leader's makes the leader step down (ErrLearnerAhead): an
// election must choose that history. Correct safety therefore does not
// depend on the election choosing well, only progress does.
//
// # Synchronization
//
// Once a quorum acknowledged the epoch, the leader syncs each learner from
// its ACKEPOCH's last zxid L, as LearnerHandler.syncFollower does:
//
//   - L is the leader's last zxid: an empty DIFF.
//   - L is in the leader's history: DIFF, then a PROPOSAL per record after L.
//   - L is not in the leader's history (a stale epoch's uncommitted suffix,
//     or a learner ahead of the leader): TRUNC to T, the last zxid of the
//     leader's history at or below L, then the records after T. Membership
//     is by zxid, not numeric order: 1:9 is truncated against a history
//     …1:7, 2:1… even though 1:9 < 2:1 (ZOOKEEPER-1154, 1156). Two histories
//     that share a zxid agree up to it (a log holding e:k holds epoch e's
//     initial history and e:1..e:k-1 before it), and every leader record
//     after T is above L, so T is exact even across an epoch boundary, where
//     ZooKeeper falls back to SNAP.
//   - No such point, or more than MaxDiff records to send: SNAP of the
//     leader's state machine (from SnapshotSource: committed state only,
//     ZOOKEEPER-1558), then the records after the snapshot.
//
// Then NEWLEADER. From NEWLEADER on, the learner also receives the broadcast
// stream: new PROPOSALs, COMMITs, PINGs (the leader pipelines; a late learner
// may see proposals and commits before UPTODATE: ZOOKEEPER-4685, 4394).
//
// The learner appends the synced records (Entries), and once all of them are
// durable it stores the new current epoch (step 1) and ACKs NEWLEADER. It
// ACKs a later proposal only after that, and only once durable. The leader,
// once a quorum of voters acknowledged NEWLEADER (itself counted once its
// own log is durable), sets its current epoch, commits its initial history
// and sends UPTODATE, carrying its commit point, to each synced learner,
// now and as later ones ack. A learner applies nothing of what the sync
// brought before UPTODATE: only then is it committed. A learner rejects any
// record that does not follow its last one exactly (the next counter, or
// counter 1 of a later epoch): a hole goes back to election, never to the
// state machine (ZOOKEEPER-4925). A TRUNC below what is committed or to a
// zxid the learner does not have is refused the same way.
//
// # Broadcast
//
// Propose never waits: the leader assigns the next zxid, appends, and sends
// PROPOSAL to every follower that is synced or syncing. Followers ACK each
// proposal once durable; the leader commits, in zxid order, every proposal a
// quorum of voters (itself once Persisted) has acknowledged, sending COMMIT to
// followers and INFORM (with the txn) to observers. Observers never count
// toward any quorum (FOLLOWERINFO, ACKEPOCH, NEWLEADER or ACK). A zxid's
// counter never reaches 0xffffffff: the proposal that would use it fails with
// ErrZxidExhausted and the leader steps down, so that an election starts a
// new epoch (ZOOKEEPER-1277).
//
// Learners forward writes with Forward (REQUEST), report session liveness in
// their PING answers (SetLiveness), and move sessions with Revalidate. The
// leader PINGs every PingInterval ticks; a learner answers every PING. The
// leader counts a learner alive when it heard from it within SyncLimit
// ticks; without a quorum of live synced voters (itself included) it steps
// down (ErrQuorumLost) and forgets learners silent that long. A learner that
// hears nothing from its leader for InitLimit ticks (before UPTODATE) or
// SyncLimit ticks (after) goes back to election; so does a leader that has
// not established its epoch within InitLimit ticks of Lead.
//
// Nothing is assumed about what the transport lost: Disconnected(leader)
// sends a learner back to election; Disconnected(learner) makes the leader
// forget it, and the learner must start again with FOLLOWERINFO.
//
// # Sync: a linearizable barrier
//
// ZooKeeper's sync only makes a server catch up with what its leader has,
// which a deposed leader may not know is stale (Jepsen, 2019). Here, Sync(id)
// on a learner forwards SYNC to the leader. The leader notes its last zxid
// when the barrier reaches it, starts a PING round after that moment, and
// answers (SYNC with that zxid back to the learner, or Ready.Synced locally)
// once a quorum of synced voters answered that round or a later one and the
// zxid is committed. A quorum still following the leader after the barrier
// arrived proves that no newer leader had committed anything before it: a
// newer leader needs a quorum to accept its epoch, and a learner that did
// ignores this leader. Once the host has applied the answered zxid, its
// reads reflect every write committed before Sync was called. A barrier
// fails (SyncDone.Err) if the peer has no established leader or loses it.
//
// # Where this differs from ZooKeeper
//
//   - The leader sets its current epoch once a quorum acknowledged NEWLEADER
//     (ZooKeeper sets it after the ACKEPOCH quorum). Both are safe; this is
//     the paper's order, where the leader acknowledges its own NEWLEADER.
//   - TRUNC may cross an epoch boundary (see above); ZooKeeper sends SNAP.
//   - Sync learners send SYNC (ZooKeeper wraps it in a REQUEST), and a SYNC
//     is answered only after a quorum round, so it is linearizable.
//   - PING carries a round number (Message.ID) that learners echo.
//   - UPTODATE carries the leader's commit point, and the synced records are
//     sent as PROPOSALs without a COMMIT each.
//   - A learner with an empty log gets a SNAP unless the leader's state
//     machine is empty too: the core cannot tell whether the leader's log
//     still starts at the beginning of history.
//   - A SNAP never takes a learner below the last point it shares with the
//     leader: the leader's state machine can be behind its own log (after a
//     restart), and replacing a learner's log with it could drop committed
//     txns that a quorum counts on that learner's disk for. Past MaxDiff the
//     leader then sends a long DIFF.
//   - A leader that meets a learner with a later accepted epoch steps down
//     (see Discovery).
package zab
