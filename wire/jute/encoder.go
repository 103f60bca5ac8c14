package jute

import (
	"encoding/binary"

	"github.com/ensemble-go/ensemble/znode"
)

// Encoder appends jute encodings to a byte slice. The zero value is ready
// to use; Reset lets one Encoder serve many records without allocating.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an Encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes. They alias the Encoder's buffer until
// the next write or Reset.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Reset empties the Encoder, keeping its buffer for reuse.
func (e *Encoder) Reset() { e.buf = e.buf[:0] }

// Int appends a jute int: 4 bytes, big-endian.
func (e *Encoder) Int(v int32) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(v)) }

// Long appends a jute long: 8 bytes, big-endian.
func (e *Encoder) Long(v int64) { e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(v)) }

// Bool appends a jute boolean: one byte, 1 or 0.
func (e *Encoder) Bool(v bool) {
	if v {
		e.buf = append(e.buf, 1)
	} else {
		e.buf = append(e.buf, 0)
	}
}

// Buffer appends a jute buffer: its length, then its bytes. A nil slice is
// null (length -1); an empty non-nil slice has length 0.
func (e *Encoder) Buffer(b []byte) {
	if b == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(b)))
	e.buf = append(e.buf, b...)
}

// String appends a jute ustring: its length in bytes, then its UTF-8
// bytes. Go strings cannot be null, so the empty string is length 0.
func (e *Encoder) String(s string) {
	e.Int(int32(len(s)))
	e.buf = append(e.buf, s...)
}

// Strings appends a vector<ustring>. A nil slice is null (count -1).
func (e *Encoder) Strings(v []string) {
	if v == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(v)))
	for _, s := range v {
		e.String(s)
	}
}

// Stat appends a Stat record.
func (e *Encoder) Stat(s *znode.Stat) {
	e.Long(s.Czxid)
	e.Long(s.Mzxid)
	e.Long(s.Ctime)
	e.Long(s.Mtime)
	e.Int(s.Version)
	e.Int(s.Cversion)
	e.Int(s.Aversion)
	e.Long(s.EphemeralOwner)
	e.Int(s.DataLength)
	e.Int(s.NumChildren)
	e.Long(s.Pzxid)
}

// Identity appends an Id record {scheme, id}.
func (e *Encoder) Identity(id znode.Identity) {
	e.String(id.Scheme)
	e.String(id.ID)
}

// ACLs appends a vector<ACL>. A nil slice is null (count -1).
func (e *Encoder) ACLs(v []znode.ACL) {
	if v == nil {
		e.Int(-1)
		return
	}
	e.Int(int32(len(v)))
	for _, a := range v {
		e.Int(int32(a.Perms))
		e.Identity(a.Identity)
	}
}
