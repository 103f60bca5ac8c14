package session

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// TouchSet collects the sessions a learner (follower or observer) has seen
// alive since its last ping to the leader, with their timeouts: ZooKeeper's
// LearnerSessionTracker touch table. The leader decides expiry; the
// learner's only job is to tell it, with each PING, which sessions its
// clients kept alive. A TouchSet is not safe for concurrent use.
type TouchSet struct {
	m map[int64]int32
}

// NewTouchSet returns an empty TouchSet.
func NewTouchSet() *TouchSet { return &TouchSet{m: make(map[int64]int32)} }

// Touch records a request or ping of session id, whose timeout is
// timeoutMs milliseconds.
func (s *TouchSet) Touch(id int64, timeoutMs int32) { s.m[id] = timeoutMs }

// Forget drops session id, once its closeSession txn is applied, so a
// closed session is not reported alive.
func (s *TouchSet) Forget(id int64) { delete(s.m, id) }

// Len returns the number of sessions touched since the last Touched.
func (s *TouchSet) Len() int { return len(s.m) }

// Touched returns the sessions touched since the last call, with their
// timeouts, and starts a new, empty set: what the next ping carries.
func (s *TouchSet) Touched() map[int64]int32 {
	m := s.m
	s.m = make(map[int64]int32, len(m))
	return m
}

// touchesVersion is the first byte of an encoded touch set, so the format
// can change without a new message type.
const touchesVersion = 1

// ErrCorruptTouches is returned by DecodeTouches for input that is not an
// encoded touch set.
var ErrCorruptTouches = errors.New("session: corrupt touch set")

// AppendTouches appends the encoding of touches to dst: a version byte,
// the count as a uvarint, then for each session in increasing order of its
// id as an unsigned number, the difference from the previous id as a
// uvarint (the first id in full) and the timeout as a varint. Sessions made
// by one server share their top bytes, so an entry takes about 4 bytes
// where ZooKeeper's PING takes 12.
func AppendTouches(dst []byte, touches map[int64]int32) []byte {
	ids := make([]uint64, 0, len(touches))
	for id := range touches {
		ids = append(ids, uint64(id))
	}
	slices.Sort(ids)
	dst = append(dst, touchesVersion)
	dst = binary.AppendUvarint(dst, uint64(len(ids)))
	var prev uint64
	for _, id := range ids {
		dst = binary.AppendUvarint(dst, id-prev)
		dst = binary.AppendVarint(dst, int64(touches[int64(id)]))
		prev = id
	}
	return dst
}

// DecodeTouches decodes what AppendTouches made. Any other input, such as
// a truncated or padded buffer, an unknown version, ids out of order or
// repeated, or a timeout beyond 32 bits, is an error matching
// ErrCorruptTouches; it never panics, and it allocates in proportion to
// the input's length, not to the count the input claims.
func DecodeTouches(b []byte) (map[int64]int32, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", ErrCorruptTouches)
	}
	if b[0] != touchesVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrCorruptTouches, b[0], touchesVersion)
	}
	b = b[1:]
	count, n := binary.Uvarint(b)
	if n <= 0 {
		return nil, fmt.Errorf("%w: bad count", ErrCorruptTouches)
	}
	b = b[n:]
	// Each entry takes at least two bytes.
	if count > uint64(len(b)/2) {
		return nil, fmt.Errorf("%w: count %d does not fit in %d bytes", ErrCorruptTouches, count, len(b))
	}
	touches := make(map[int64]int32, count)
	var prev uint64
	for i := range count {
		delta, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, fmt.Errorf("%w: entry %d: bad id", ErrCorruptTouches, i)
		}
		b = b[n:]
		if i > 0 && (delta == 0 || delta > math.MaxUint64-prev) {
			return nil, fmt.Errorf("%w: entry %d: ids out of order", ErrCorruptTouches, i)
		}
		id := prev + delta
		timeout, n := binary.Varint(b)
		if n <= 0 {
			return nil, fmt.Errorf("%w: entry %d: bad timeout", ErrCorruptTouches, i)
		}
		b = b[n:]
		if timeout < math.MinInt32 || timeout > math.MaxInt32 {
			return nil, fmt.Errorf("%w: entry %d: timeout %d out of range", ErrCorruptTouches, i, timeout)
		}
		touches[int64(id)] = int32(timeout)
		prev = id
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last entry", ErrCorruptTouches, len(b))
	}
	return touches, nil
}
