package znode

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The txn encoding (version 1) is compact and self-delimiting:
//
//	txn     = 0x01 header digest body
//	header  = varint(clientId) varint(cxid) varint(zxid) varint(time) varint(type)
//	digest  = varint(version) uvarint(treeDigest)
//	body    = the record's fields in jute order, by type:
//	          ints as varints, bools as one byte, strings as uvarint(len) bytes,
//	          data as uvarint(len+1) bytes (0 for null), lists as uvarint(n) items,
//	          an ACL entry as varint(perms) string(scheme) string(id),
//	          a multi's sub-txn as varint(type) body
//
// Decoding checks every length against the bytes left before allocating,
// accepts only minimal varints and no trailing bytes, and so never panics
// or over-allocates on garbage, and one txn has one encoding.

const txnFormat = 1

// ErrCorrupt is wrapped by every error decoding a txn or a snapshot: the
// bytes are not something this package wrote. It wraps
// ErrMarshallingError, so CodeOf reports that.
var ErrCorrupt = fmt.Errorf("znode: corrupt encoding: %w", ErrMarshallingError)

// errBodyType is returned by MarshalBinary for a txn whose body does not
// fit its type.
var errBodyType = errors.New("znode: txn body does not match its type")

// MarshalBinary encodes the txn in ensemble's own versioned binary format.
func (t Txn) MarshalBinary() ([]byte, error) {
	return t.AppendBinary(make([]byte, 0, 64))
}

// AppendBinary appends the txn's encoding to b.
func (t Txn) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, txnFormat)
	h := t.Header
	b = binary.AppendVarint(b, h.ClientID)
	b = binary.AppendVarint(b, int64(h.Cxid))
	b = binary.AppendVarint(b, h.Zxid)
	b = binary.AppendVarint(b, h.Time)
	b = binary.AppendVarint(b, int64(h.Type))
	b = binary.AppendVarint(b, int64(t.Digest.Version))
	b = binary.AppendUvarint(b, t.Digest.TreeDigest)
	if h.Type == OpMulti {
		m, ok := t.Body.(*MultiTxn)
		if !ok || m == nil {
			return b, fmt.Errorf("%w: %v with %T", errBodyType, h.Type, t.Body)
		}
		b = binary.AppendUvarint(b, uint64(len(m.Txns)))
		for _, sub := range m.Txns {
			if !allowedInMulti(sub.Type) {
				return b, fmt.Errorf("%w: %v in a multi", errBodyType, sub.Type)
			}
			b = binary.AppendVarint(b, int64(sub.Type))
			var err error
			if b, err = appendBody(b, sub.Type, sub.Body); err != nil {
				return b, err
			}
		}
		return b, nil
	}
	return appendBody(b, h.Type, t.Body)
}

func appendBody(b []byte, typ OpCode, body TxnBody) ([]byte, error) {
	bad := func() ([]byte, error) { return b, fmt.Errorf("%w: %v with %T", errBodyType, typ, body) }
	switch typ {
	case OpCreate, OpCreate2:
		r, ok := body.(*CreateTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = appendData(b, r.Data)
		b = appendACL(b, r.ACL)
		b = appendBool(b, r.Ephemeral)
		b = binary.AppendVarint(b, int64(r.ParentCVersion))
	case OpCreateTTL:
		r, ok := body.(*CreateTTLTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = appendData(b, r.Data)
		b = appendACL(b, r.ACL)
		b = binary.AppendVarint(b, int64(r.ParentCVersion))
		b = binary.AppendVarint(b, r.TTL)
	case OpCreateContainer:
		r, ok := body.(*CreateContainerTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = appendData(b, r.Data)
		b = appendACL(b, r.ACL)
		b = binary.AppendVarint(b, int64(r.ParentCVersion))
	case OpDelete, OpDeleteContainer:
		r, ok := body.(*DeleteTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
	case OpSetData:
		r, ok := body.(*SetDataTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = appendData(b, r.Data)
		b = binary.AppendVarint(b, int64(r.Version))
	case OpSetACL:
		r, ok := body.(*SetACLTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = appendACL(b, r.ACL)
		b = binary.AppendVarint(b, int64(r.Version))
	case OpCheck:
		r, ok := body.(*CheckVersionTxn)
		if !ok || r == nil {
			return bad()
		}
		b = appendString(b, r.Path)
		b = binary.AppendVarint(b, int64(r.Version))
	case OpCreateSession:
		r, ok := body.(*CreateSessionTxn)
		if !ok || r == nil {
			return bad()
		}
		b = binary.AppendVarint(b, int64(r.TimeOut))
	case OpCloseSession:
		r, ok := body.(*CloseSessionTxn)
		if !ok || r == nil {
			return bad()
		}
		b = binary.AppendUvarint(b, uint64(len(r.Paths2Delete)))
		for _, p := range r.Paths2Delete {
			b = appendString(b, p)
		}
	case OpError:
		r, ok := body.(*ErrorTxn)
		if !ok || r == nil {
			return bad()
		}
		b = binary.AppendVarint(b, int64(r.Err))
	default:
		return bad()
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendData(b []byte, d []byte) []byte {
	if d == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(d))+1)
	return append(b, d...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendACL(b []byte, acl []ACL) []byte {
	b = binary.AppendUvarint(b, uint64(len(acl)))
	for _, a := range acl {
		b = binary.AppendVarint(b, int64(a.Perms))
		b = appendString(b, a.Scheme)
		b = appendString(b, a.ID)
	}
	return b
}

// UnmarshalTxn decodes a txn written by MarshalBinary. It never panics:
// bytes that are not a txn give an error wrapping ErrCorrupt. The txn
// shares no memory with b.
func UnmarshalTxn(b []byte) (Txn, error) {
	d := decoder{b: b}
	if v := d.byte(); d.err == nil && v != txnFormat {
		return Txn{}, fmt.Errorf("%w: txn format %d, want %d", ErrCorrupt, v, txnFormat)
	}
	var t Txn
	t.Header.ClientID = d.varint()
	t.Header.Cxid = d.int32()
	t.Header.Zxid = d.varint()
	t.Header.Time = d.varint()
	t.Header.Type = OpCode(d.int32())
	t.Digest.Version = d.int32()
	t.Digest.TreeDigest = d.uvarint()
	if d.err != nil {
		return Txn{}, d.err
	}
	if t.Header.Type == OpMulti {
		n := d.count(2)
		m := &MultiTxn{Txns: make([]SubTxn, 0, n)}
		for i := 0; i < n && d.err == nil; i++ {
			typ := OpCode(d.int32())
			if d.err == nil && !allowedInMulti(typ) {
				d.fail("op %v in a multi", typ)
			}
			body := d.body(typ)
			m.Txns = append(m.Txns, SubTxn{Type: typ, Body: body})
		}
		t.Body = m
	} else {
		t.Body = d.body(t.Header.Type)
	}
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d trailing bytes", len(d.b)-d.off)
	}
	if d.err != nil {
		return Txn{}, d.err
	}
	return t, nil
}

// decoder reads the encoding; the first error sticks and every later read
// returns zero values.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrCorrupt, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated")
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 || (n > 1 && d.b[d.off+n-1] == 0) {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 || (n > 1 && d.b[d.off+n-1] == 0) {
		d.fail("bad uvarint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) int32() int32 {
	v := d.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		d.fail("int32 out of range")
		return 0
	}
	return int32(v)
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bad bool")
	return false
}

// count reads a list length, each item taking at least min bytes.
func (d *decoder) count(min int) int {
	v := d.uvarint()
	if d.err == nil && v > uint64((len(d.b)-d.off)/min) {
		d.fail("count %d exceeds the bytes left", v)
		return 0
	}
	return int(v)
}

func (d *decoder) bytes(n uint64) []byte {
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("length %d exceeds the bytes left", n)
		return nil
	}
	v := d.b[d.off : d.off+int(n)]
	d.off += int(n)
	return v
}

func (d *decoder) string() string {
	return string(d.bytes(d.uvarint()))
}

func (d *decoder) data() []byte {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	return append([]byte{}, d.bytes(n-1)...)
}

func (d *decoder) acl() []ACL {
	n := d.count(3)
	if d.err != nil {
		return nil
	}
	acl := make([]ACL, n)
	for i := range acl {
		acl[i].Perms = Perm(d.int32())
		acl[i].Scheme = d.string()
		acl[i].ID = d.string()
	}
	return acl
}

func (d *decoder) body(typ OpCode) TxnBody {
	if d.err != nil {
		return nil
	}
	switch typ {
	case OpCreate, OpCreate2:
		return &CreateTxn{Path: d.string(), Data: d.data(), ACL: d.acl(), Ephemeral: d.bool(), ParentCVersion: d.int32()}
	case OpCreateTTL:
		return &CreateTTLTxn{Path: d.string(), Data: d.data(), ACL: d.acl(), ParentCVersion: d.int32(), TTL: d.varint()}
	case OpCreateContainer:
		return &CreateContainerTxn{Path: d.string(), Data: d.data(), ACL: d.acl(), ParentCVersion: d.int32()}
	case OpDelete, OpDeleteContainer:
		return &DeleteTxn{Path: d.string()}
	case OpSetData:
		return &SetDataTxn{Path: d.string(), Data: d.data(), Version: d.int32()}
	case OpSetACL:
		return &SetACLTxn{Path: d.string(), ACL: d.acl(), Version: d.int32()}
	case OpCheck:
		return &CheckVersionTxn{Path: d.string(), Version: d.int32()}
	case OpCreateSession:
		return &CreateSessionTxn{TimeOut: d.int32()}
	case OpCloseSession:
		n := d.count(1)
		paths := make([]string, 0, n)
		for i := 0; i < n && d.err == nil; i++ {
			paths = append(paths, d.string())
		}
		return &CloseSessionTxn{Paths2Delete: paths}
	case OpError:
		return &ErrorTxn{Err: Code(d.int32())}
	}
	d.fail("unknown txn type %d", typ)
	return nil
}
