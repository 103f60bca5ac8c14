package jute

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ensemble-go/ensemble/znode"
)

// Decoding errors. Every error a Decoder reports matches ErrMalformed with
// errors.Is, and one of the more precise sentinels below as well.
var (
	// ErrMalformed is matched by every decoding error.
	ErrMalformed = errors.New("jute: malformed record")
	// ErrTruncated means the input ended inside a value, or a length or
	// count promised more than the input holds.
	ErrTruncated = fmt.Errorf("%w: truncated", ErrMalformed)
	// ErrBadLength means a length or count below -1.
	ErrBadLength = fmt.Errorf("%w: negative length", ErrMalformed)
	// ErrTrailing means bytes were left after a record that Unmarshal
	// decoded.
	ErrTrailing = fmt.Errorf("%w: trailing bytes", ErrMalformed)
	// ErrBadOp means an operation type that is not allowed where it
	// appeared, such as a getData inside a multi.
	ErrBadOp = fmt.Errorf("%w: operation not allowed here", ErrMalformed)
)

// Smallest encodings of vector elements, used to refuse counts the input
// cannot hold before allocating for them.
const (
	minStringSize = 4       // an empty ustring: its length
	minACLSize    = 4 + 8   // perms and two empty ustrings
	minClientInfo = 4 + 4   // two empty ustrings
	statSize      = 68      // 6 longs and 5 ints
	maxPrealloc   = 1 << 16 // cap on capacity reserved up front for a vector
)

// Decoder reads jute values from a byte slice. The first error sticks:
// later reads return zero values and Err reports that first error, so a
// record's fields can be read one after another and checked once.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder returns a Decoder reading b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Reset makes d read b from the start, clearing any error.
func (d *Decoder) Reset(b []byte) { *d = Decoder{buf: b} }

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of bytes not yet read.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.off }

// Fail records err as the Decoder's error unless one is already recorded.
// Record decoders use it for rules beyond the primitives.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.buf)-d.off {
		d.err = fmt.Errorf("%w: need %d bytes at offset %d, have %d", ErrTruncated, n, d.off, len(d.buf)-d.off)
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Int reads a jute int.
func (d *Decoder) Int() int32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// Long reads a jute long.
func (d *Decoder) Long() int64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// Bool reads a jute boolean. Like Java's DataInput, any non-zero byte is
// true.
func (d *Decoder) Bool() bool {
	b := d.take(1)
	return b != nil && b[0] != 0
}

// length reads a length or count, checking that -1 <= n and that n
// elements of at least minSize bytes fit in what is left.
func (d *Decoder) length(minSize int) int {
	n := d.Int()
	if d.err != nil {
		return -1
	}
	if n < -1 {
		d.err = fmt.Errorf("%w: %d at offset %d", ErrBadLength, n, d.off-4)
		return -1
	}
	if n > 0 && int64(n)*int64(minSize) > int64(d.Remaining()) {
		d.err = fmt.Errorf("%w: length %d at offset %d, %d bytes left", ErrTruncated, n, d.off-4, d.Remaining())
		return -1
	}
	return int(n)
}

// Buffer reads a jute buffer into a new slice (the Decoder's input may be
// reused by its owner). Null (-1) is a nil slice; length 0 is an empty
// non-nil slice.
func (d *Decoder) Buffer() []byte {
	n := d.length(1)
	if n < 0 {
		return nil
	}
	b := d.take(n)
	out := make([]byte, n)
	copy(out, b)
	return out
}

// String reads a jute ustring. Null (-1) reads as the empty string.
func (d *Decoder) String() string {
	n := d.length(1)
	if n <= 0 {
		return ""
	}
	return string(d.take(n))
}

// Strings reads a vector<ustring>. Null (-1) is a nil slice.
func (d *Decoder) Strings() []string {
	n := d.length(minStringSize)
	if n < 0 {
		return nil
	}
	v := make([]string, 0, min(n, maxPrealloc))
	for i := 0; i < n && d.err == nil; i++ {
		v = append(v, d.String())
	}
	return v
}

// Stat reads a Stat record.
func (d *Decoder) Stat() znode.Stat {
	return znode.Stat{
		Czxid:          d.Long(),
		Mzxid:          d.Long(),
		Ctime:          d.Long(),
		Mtime:          d.Long(),
		Version:        d.Int(),
		Cversion:       d.Int(),
		Aversion:       d.Int(),
		EphemeralOwner: d.Long(),
		DataLength:     d.Int(),
		NumChildren:    d.Int(),
		Pzxid:          d.Long(),
	}
}

// Identity reads an Id record.
func (d *Decoder) Identity() znode.Identity {
	return znode.Identity{Scheme: d.String(), ID: d.String()}
}

// ACLs reads a vector<ACL>. Null (-1) is a nil slice.
func (d *Decoder) ACLs() []znode.ACL {
	n := d.length(minACLSize)
	if n < 0 {
		return nil
	}
	v := make([]znode.ACL, 0, min(n, maxPrealloc))
	for i := 0; i < n && d.err == nil; i++ {
		perms := znode.Perm(d.Int())
		v = append(v, znode.ACL{Perms: perms, Identity: d.Identity()})
	}
	return v
}
