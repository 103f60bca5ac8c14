package znode

import (
	"fmt"
)

// ErrCorrupt is wrapped by every error decoding a txn or a snapshot: the
// bytes are not something this package wrote. It wraps
// ErrMarshallingError, so CodeOf reports that.
var ErrCorrupt = fmt.Errorf("znode: corrupt encoding: %w", ErrMarshallingError)

// MarshalBinary encodes the txn in ensemble's own versioned binary format.
func (t Txn) MarshalBinary() ([]byte, error) {
	return t.AppendBinary(nil)
}

// AppendBinary appends the txn's encoding to b.
func (t Txn) AppendBinary(b []byte) ([]byte, error) {
	return b, ErrUnimplemented
}

// UnmarshalTxn decodes a txn written by MarshalBinary. It never panics:
// bytes that are not a txn give an error wrapping ErrCorrupt.
func UnmarshalTxn(b []byte) (Txn, error) {
	return Txn{}, ErrUnimplemented
}
