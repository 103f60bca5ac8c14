package zab

import "strconv"

// MessageType is the kind of a quorum message, with the numeric values of
// ZooKeeper's QuorumPacket types (Leader.java), so that a codec can map
// between ensemble's framing and ZooKeeper's own quorum protocol.
type MessageType int32

// Message types. The values are ZooKeeper's.
const (
	Request      MessageType = 1  // learner → leader: a write to prepare and propose (Data: opaque)
	Proposal     MessageType = 2  // leader → follower: a txn (Zxid, Data)
	Ack          MessageType = 3  // follower → leader: the txn Zxid (or NEWLEADER's zxid) is durable
	Commit       MessageType = 4  // leader → follower: Zxid is committed
	Ping         MessageType = 5  // both ways: liveness; learner's reply carries session liveness in Data
	Revalidate   MessageType = 6  // both ways: a session moving between servers (Data: opaque)
	Sync         MessageType = 7  // both ways: the linearizable barrier (ID; the answer carries Zxid)
	Inform       MessageType = 8  // leader → observer: a committed txn (Zxid, Data)
	NewLeader    MessageType = 10 // leader → learner: the synced history is complete (Zxid: epoch<<32)
	FollowerInfo MessageType = 11 // follower → leader: its accepted epoch (Epoch)
	UpToDate     MessageType = 12 // leader → learner: the epoch is established; serve (Zxid: commit point)
	Diff         MessageType = 13 // leader → learner: the learner's log is a prefix; proposals follow
	Trunc        MessageType = 14 // leader → learner: drop every record after Zxid; proposals follow
	Snap         MessageType = 15 // leader → learner: install the snapshot (Zxid, Data); proposals follow
	ObserverInfo MessageType = 16 // observer → leader: its accepted epoch (Epoch)
	LeaderInfo   MessageType = 17 // leader → learner: the new epoch (Epoch)
	AckEpoch     MessageType = 18 // learner → leader: current epoch (Epoch, -1 if already accepted) and last zxid
)

var messageTypeNames = map[MessageType]string{
	Request:      "REQUEST",
	Proposal:     "PROPOSAL",
	Ack:          "ACK",
	Commit:       "COMMIT",
	Ping:         "PING",
	Revalidate:   "REVALIDATE",
	Sync:         "SYNC",
	Inform:       "INFORM",
	NewLeader:    "NEWLEADER",
	FollowerInfo: "FOLLOWERINFO",
	UpToDate:     "UPTODATE",
	Diff:         "DIFF",
	Trunc:        "TRUNC",
	Snap:         "SNAP",
	ObserverInfo: "OBSERVERINFO",
	LeaderInfo:   "LEADERINFO",
	AckEpoch:     "ACKEPOCH",
}

// String returns ZooKeeper's name for the type, such as "PROPOSAL".
func (t MessageType) String() string {
	if s, ok := messageTypeNames[t]; ok {
		return s
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

// Valid reports whether t is one of the types above.
func (t MessageType) Valid() bool {
	_, ok := messageTypeNames[t]
	return ok
}

// Message is one quorum message between two peers. Its fields carry the
// information of ZooKeeper's QuorumPacket for the same type; the framing
// (MarshalBinary) is ensemble's own.
type Message struct {
	Type     MessageType
	From, To uint64
	// Zxid is as in ZooKeeper's QuorumPacket for the type: the txn's zxid
	// for PROPOSAL, ACK, COMMIT and INFORM; epoch<<32 for FOLLOWERINFO,
	// OBSERVERINFO, LEADERINFO and NEWLEADER (and NEWLEADER's ACK); the
	// sender's last zxid for ACKEPOCH and a learner's PING; the leader's
	// last proposed zxid for its PING; the truncation point for TRUNC; the
	// snapshot's zxid for SNAP; the leader's last zxid for DIFF; the commit
	// point for UPTODATE; the barrier's zxid for the leader's SYNC answer.
	Zxid int64
	// Epoch is the accepted epoch for FOLLOWERINFO and OBSERVERINFO, the new
	// epoch for LEADERINFO, and the current epoch for ACKEPOCH (-1 when the
	// learner had already accepted the offered epoch, so it does not count
	// toward the quorum that establishes it).
	Epoch int64
	// ID is the barrier's id for SYNC and the heartbeat round for PING
	// (a learner echoes the round it answers).
	ID uint64
	// Data is the txn for PROPOSAL and INFORM, the snapshot for SNAP, and
	// an opaque host payload for REQUEST, PING and REVALIDATE.
	Data []byte
}
