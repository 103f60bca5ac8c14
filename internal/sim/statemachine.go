package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrBadSnapshot is returned when snapshot bytes do not decode to a model
// state. Matchable with errors.Is.
var ErrBadSnapshot = errors.New("sim: bad snapshot")

// Chain is the model state machine: a hash chain over the applied txns.
// Two replicas that applied the same txns in the same order hold the same
// Chain, and any difference anywhere in the history shows in every later
// state, which is what a tree digest does for the real znode tree.
type Chain struct {
	Zxid  int64  // last applied zxid (0: nothing applied)
	State uint64 // FNV-1a over (previous state, zxid, data)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Apply returns the chain after applying the txn (zxid, data).
func (c Chain) Apply(zxid int64, data []byte) Chain {
	h := uint64(fnvOffset)
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], c.State)
	binary.BigEndian.PutUint64(b[8:], uint64(zxid))
	for _, x := range b {
		h = (h ^ uint64(x)) * fnvPrime
	}
	for _, x := range data {
		h = (h ^ uint64(x)) * fnvPrime
	}
	return Chain{Zxid: zxid, State: h}
}

// MarshalBinary encodes the chain as a snapshot: zxid then state, 16 bytes.
func (c Chain) MarshalBinary() ([]byte, error) {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], uint64(c.Zxid))
	binary.BigEndian.PutUint64(b[8:], c.State)
	return b, nil
}

// UnmarshalChain decodes a snapshot made by MarshalBinary.
func UnmarshalChain(b []byte) (Chain, error) {
	if len(b) != 16 {
		return Chain{}, fmt.Errorf("%w: %d bytes, want 16", ErrBadSnapshot, len(b))
	}
	return Chain{
		Zxid:  int64(binary.BigEndian.Uint64(b[:8])),
		State: binary.BigEndian.Uint64(b[8:]),
	}, nil
}

// String is for traces.
func (c Chain) String() string { return fmt.Sprintf("%s/%016x", zxidString(c.Zxid), c.State) }

// zxidString prints a zxid as epoch:counter, the way people read them.
func zxidString(z int64) string {
	if z < 0 {
		return fmt.Sprintf("%d", z)
	}
	return fmt.Sprintf("%d:%d", z>>32, z&0xffffffff)
}
