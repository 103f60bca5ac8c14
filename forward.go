package ensemble

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/ensemble-go/ensemble/znode"
)

// A forwarded write is what a peer sends its leader in a zab REQUEST: the
// session and cxid the reply will be matched by, the identities the
// session has authenticated as (the leader checks ACLs), and the request.
// ZooKeeper forwards the client's own packet; ensemble forwards the decoded
// request, so in-process clients and the wire share one path.
type forwarded struct {
	session int64
	cxid    int32
	auth    znode.Auth
	req     znode.Request
}

// forwardVersion is the first byte of every encoding; a peer refuses
// versions it does not know rather than guess.
const forwardVersion = 1

var errBadForward = errors.New("ensemble: malformed forwarded request")

// maxNested bounds how deep a multi's ops may nest (ZooKeeper allows no
// nesting at all; one level is a multi's own ops).
const maxNested = 1

func (f forwarded) marshal() ([]byte, error) {
	b := []byte{forwardVersion}
	b = binary.BigEndian.AppendUint64(b, uint64(f.session))
	b = binary.BigEndian.AppendUint32(b, uint32(f.cxid))
	b = binary.BigEndian.AppendUint32(b, uint32(len(f.auth.Identities)))
	for _, id := range f.auth.Identities {
		b = appendString(b, id.Scheme)
		b = appendString(b, id.ID)
	}
	return appendRequest(b, f.req, 0)
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func appendBytes(b, p []byte) []byte {
	if p == nil {
		return binary.BigEndian.AppendUint32(b, math.MaxUint32)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
	return append(b, p...)
}

func appendACL(b []byte, acl []znode.ACL) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(acl)))
	for _, a := range acl {
		b = binary.BigEndian.AppendUint32(b, uint32(a.Perms))
		b = appendString(b, a.Scheme)
		b = appendString(b, a.ID)
	}
	return b
}

// deref turns a pointer request into its value, so both spellings encode.
func deref(req znode.Request) znode.Request {
	switch r := req.(type) {
	case *znode.CreateRequest:
		return *r
	case *znode.DeleteRequest:
		return *r
	case *znode.SetDataRequest:
		return *r
	case *znode.SetACLRequest:
		return *r
	case *znode.CheckRequest:
		return *r
	case *znode.MultiRequest:
		return *r
	case *znode.CreateSessionRequest:
		return *r
	case *znode.CloseSessionRequest:
		return *r
	case *znode.DeleteContainerRequest:
		return *r
	}
	return req
}

func appendRequest(b []byte, req znode.Request, depth int) ([]byte, error) {
	req = deref(req)
	if req == nil {
		return nil, fmt.Errorf("ensemble: forwarding a nil request")
	}
	var kind byte
	switch req.(type) {
	case znode.CreateRequest:
		kind = 1
	case znode.DeleteRequest:
		kind = 2
	case znode.SetDataRequest:
		kind = 3
	case znode.SetACLRequest:
		kind = 4
	case znode.CheckRequest:
		kind = 5
	case znode.MultiRequest:
		kind = 6
	case znode.CreateSessionRequest:
		kind = 7
	case znode.CloseSessionRequest:
		kind = 8
	case znode.DeleteContainerRequest:
		kind = 9
	default:
		return nil, fmt.Errorf("ensemble: cannot forward a %T", req)
	}
	b = append(b, kind)
	switch r := req.(type) {
	case znode.CreateRequest:
		b = appendString(b, r.Path)
		b = appendBytes(b, r.Data)
		b = appendACL(b, r.ACL)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Mode))
		b = binary.BigEndian.AppendUint64(b, uint64(r.TTL))
	case znode.DeleteRequest:
		b = appendString(b, r.Path)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Version))
	case znode.SetDataRequest:
		b = appendString(b, r.Path)
		b = appendBytes(b, r.Data)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Version))
	case znode.SetACLRequest:
		b = appendString(b, r.Path)
		b = appendACL(b, r.ACL)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Version))
	case znode.CheckRequest:
		b = appendString(b, r.Path)
		b = binary.BigEndian.AppendUint32(b, uint32(r.Version))
	case znode.MultiRequest:
		if depth >= maxNested {
			return nil, fmt.Errorf("ensemble: a multi inside a multi")
		}
		b = binary.BigEndian.AppendUint32(b, uint32(len(r.Ops)))
		for _, op := range r.Ops {
			var err error
			if b, err = appendRequest(b, op, depth+1); err != nil {
				return nil, err
			}
		}
	case znode.CreateSessionRequest:
		b = binary.BigEndian.AppendUint32(b, uint32(r.Timeout))
	case znode.CloseSessionRequest:
	case znode.DeleteContainerRequest:
		b = appendString(b, r.Path)
	}
	return b, nil
}

// reader decodes what marshal wrote; the first failure sticks and every
// later read returns zero values, so callers check err once at the end.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || len(r.b) < n {
		r.err = errBadForward
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

func (r *reader) u8() byte {
	if p := r.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.take(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.take(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (r *reader) str() string { return string(r.take(int(r.u32()))) }

func (r *reader) bytes() []byte {
	n := r.u32()
	if n == math.MaxUint32 {
		return nil
	}
	if r.err != nil || uint64(n) > uint64(len(r.b)) {
		r.err = errBadForward
		return nil
	}
	return append([]byte{}, r.take(int(n))...)
}

// count reads a list length, refusing one the remaining bytes cannot hold
// (each element takes at least min bytes), so garbage cannot make us
// allocate.
func (r *reader) count(min int) int {
	n := r.u32()
	if r.err != nil || uint64(n)*uint64(min) > uint64(len(r.b)) {
		r.err = errBadForward
		return 0
	}
	return int(n)
}

func (r *reader) acl() []znode.ACL {
	n := r.count(12)
	if n == 0 {
		return nil
	}
	acl := make([]znode.ACL, n)
	for i := range acl {
		acl[i].Perms = znode.Perm(r.u32())
		acl[i].Scheme = r.str()
		acl[i].ID = r.str()
	}
	return acl
}

func unmarshalForwarded(b []byte) (forwarded, error) {
	r := &reader{b: b}
	if r.u8() != forwardVersion {
		return forwarded{}, fmt.Errorf("%w: unknown version", errBadForward)
	}
	f := forwarded{session: int64(r.u64()), cxid: int32(r.u32())}
	if n := r.count(8); n > 0 {
		f.auth.Identities = make([]znode.Identity, n)
		for i := range f.auth.Identities {
			f.auth.Identities[i] = znode.Identity{Scheme: r.str(), ID: r.str()}
		}
	}
	f.req = r.request(0)
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", errBadForward, len(r.b))
	}
	if r.err != nil {
		return forwarded{}, r.err
	}
	return f, nil
}

func (r *reader) request(depth int) znode.Request {
	switch r.u8() {
	case 1:
		return znode.CreateRequest{Path: r.str(), Data: r.bytes(), ACL: r.acl(), Mode: znode.CreateMode(r.u32()), TTL: int64(r.u64())}
	case 2:
		return znode.DeleteRequest{Path: r.str(), Version: int32(r.u32())}
	case 3:
		return znode.SetDataRequest{Path: r.str(), Data: r.bytes(), Version: int32(r.u32())}
	case 4:
		return znode.SetACLRequest{Path: r.str(), ACL: r.acl(), Version: int32(r.u32())}
	case 5:
		return znode.CheckRequest{Path: r.str(), Version: int32(r.u32())}
	case 6:
		if depth >= maxNested {
			r.err = fmt.Errorf("%w: nested multi", errBadForward)
			return nil
		}
		n := r.count(1)
		m := znode.MultiRequest{Ops: make([]znode.Request, 0, n)}
		for i := 0; i < n && r.err == nil; i++ {
			m.Ops = append(m.Ops, r.request(depth+1))
		}
		return m
	case 7:
		return znode.CreateSessionRequest{Timeout: int32(r.u32())}
	case 8:
		return znode.CloseSessionRequest{}
	case 9:
		return znode.DeleteContainerRequest{Path: r.str()}
	}
	if r.err == nil {
		r.err = fmt.Errorf("%w: unknown request kind", errBadForward)
	}
	return nil
}
