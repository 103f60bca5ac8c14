package election

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Notification is FastLeaderElection's message (ZooKeeper's buildMsg fields).
type Notification struct {
	From, To      uint64
	State         State // sender's state
	Vote          Vote
	ElectionEpoch int64 // sender's logical clock
}

// ErrMalformed is wrapped by every error UnmarshalNotification and
// MarshalBinary return.
var ErrMalformed = errors.New("election: malformed notification")

// The encoding starts with ZooKeeper's buildMsg layout, big-endian: int
// state, long leader, long zxid, long electionEpoch, long peerEpoch, int
// version. ZooKeeper's version 2 is followed by its dynamic config; ensemble
// has no dynamic reconfiguration, so its own version is followed by the
// sender and receiver ids instead (ZooKeeper takes them from the connection),
// which lets the host check that a message arrived on the right connection.
const (
	// wireVersion is "EN" then format 1; it cannot be mistaken for
	// ZooKeeper's versions 0x1 and 0x2.
	wireVersion = 0x454e0001
	// WireSize is the length of every encoded notification.
	WireSize = 4 + 8*4 + 4 + 8*2
)

// MarshalBinary encodes n in WireSize bytes.
func (n Notification) MarshalBinary() ([]byte, error) {
	return n.AppendBinary(make([]byte, 0, WireSize))
}

// AppendBinary appends n's encoding to b, so that a host can encode into a
// reused buffer without allocating.
func (n Notification) AppendBinary(b []byte) ([]byte, error) {
	if err := n.check(); err != nil {
		return b, err
	}
	b = binary.BigEndian.AppendUint32(b, uint32(n.State))
	b = binary.BigEndian.AppendUint64(b, n.Vote.Leader)
	b = binary.BigEndian.AppendUint64(b, uint64(n.Vote.Zxid))
	b = binary.BigEndian.AppendUint64(b, uint64(n.ElectionEpoch))
	b = binary.BigEndian.AppendUint64(b, uint64(n.Vote.PeerEpoch))
	b = binary.BigEndian.AppendUint32(b, wireVersion)
	b = binary.BigEndian.AppendUint64(b, n.From)
	b = binary.BigEndian.AppendUint64(b, n.To)
	return b, nil
}

// UnmarshalNotification decodes a notification encoded by MarshalBinary. It
// never panics: bad input is an error wrapping ErrMalformed.
func UnmarshalNotification(b []byte) (Notification, error) {
	if len(b) != WireSize {
		return Notification{}, fmt.Errorf("%w: %d bytes, want %d", ErrMalformed, len(b), WireSize)
	}
	if v := binary.BigEndian.Uint32(b[36:]); v != wireVersion {
		return Notification{}, fmt.Errorf("%w: version %#x, want %#x", ErrMalformed, v, wireVersion)
	}
	n := Notification{
		State: State(int32(binary.BigEndian.Uint32(b[0:]))),
		Vote: Vote{
			Leader:    binary.BigEndian.Uint64(b[4:]),
			Zxid:      int64(binary.BigEndian.Uint64(b[12:])),
			PeerEpoch: int64(binary.BigEndian.Uint64(b[28:])),
		},
		ElectionEpoch: int64(binary.BigEndian.Uint64(b[20:])),
		From:          binary.BigEndian.Uint64(b[40:]),
		To:            binary.BigEndian.Uint64(b[48:]),
	}
	if err := n.check(); err != nil {
		return Notification{}, err
	}
	return n, nil
}

// check rejects what no peer sends, so that decoding and encoding accept
// exactly the same notifications.
func (n Notification) check() error {
	switch {
	case !n.State.valid():
		return fmt.Errorf("%w: unknown state %d", ErrMalformed, int32(n.State))
	case n.Vote.Leader > NoLeader:
		return fmt.Errorf("%w: leader id %d is not a ZooKeeper id", ErrMalformed, n.Vote.Leader)
	case n.From >= NoLeader || n.To >= NoLeader:
		return fmt.Errorf("%w: sender %d or receiver %d is not a ZooKeeper id", ErrMalformed, n.From, n.To)
	case n.ElectionEpoch < 0:
		return fmt.Errorf("%w: negative election epoch %d", ErrMalformed, n.ElectionEpoch)
	}
	return nil
}
