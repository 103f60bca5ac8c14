package znode

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// aclEntry is one distinct ACL list, shared by every znode that has it
// (ZooKeeper's ReferenceCountedACLCache): most trees have a handful of
// ACLs and millions of znodes. refs counts the znodes of the live tree that
// use it; snapshots keep entries alive through their own pointers.
type aclEntry struct {
	list []ACL
	key  string
	refs int
}

// aclKey is a canonical encoding of an ACL list, the interning key.
func appendACLKey(b []byte, acl []ACL) []byte {
	for _, a := range acl {
		b = strconv.AppendInt(b, int64(a.Perms), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(len(a.Scheme)), 10)
		b = append(b, ':')
		b = append(b, a.Scheme...)
		b = strconv.AppendInt(b, int64(len(a.ID)), 10)
		b = append(b, ':')
		b = append(b, a.ID...)
	}
	return b
}

// fixupACL validates and expands the ACL of a create or setACL as
// ZooKeeper's PrepRequestProcessor.fixupACL does: duplicates are dropped,
// an empty list is invalid, world must be world:anyone, auth becomes one
// entry per authenticated identity of the caller (invalid if it has none),
// digest ids must be "user:hash" and ip ids an IPv4 address with an optional
// /bits. Any other scheme is invalid, as ZooKeeper with its default
// providers says. The result is a new slice.
func fixupACL(acl []ACL, a Auth) ([]ACL, error) {
	uniq := make([]ACL, 0, len(acl))
	for _, e := range acl {
		dup := false
		for _, u := range uniq {
			if u == e {
				dup = true
				break
			}
		}
		if !dup {
			uniq = append(uniq, e)
		}
	}
	if len(uniq) == 0 {
		return nil, fmt.Errorf("%w: empty ACL", ErrInvalidACL)
	}
	out := uniq[:0:0]
	for _, e := range uniq {
		switch e.Scheme {
		case "world":
			if e.ID != "anyone" {
				return nil, fmt.Errorf("%w: world id %q", ErrInvalidACL, e.ID)
			}
			out = append(out, e)
		case "auth":
			found := false
			for _, id := range a.Identities {
				if authenticatedScheme(id.Scheme) {
					found = true
					out = append(out, ACL{Perms: e.Perms, Identity: id})
				}
			}
			if !found {
				return nil, fmt.Errorf("%w: auth scheme with no authenticated identity", ErrInvalidACL)
			}
		case "digest":
			if javaSplitCount(e.ID, ':') != 2 {
				return nil, fmt.Errorf("%w: digest id %q is not user:hash", ErrInvalidACL, e.ID)
			}
			out = append(out, e)
		case "ip":
			if _, _, ok := parseIPACL(e.ID); !ok {
				return nil, fmt.Errorf("%w: ip id %q", ErrInvalidACL, e.ID)
			}
			out = append(out, e)
		default:
			return nil, fmt.Errorf("%w: unknown scheme %q", ErrInvalidACL, e.Scheme)
		}
	}
	return out, nil
}

// authenticatedScheme reports the schemes whose identities the auth scheme
// expands to: those whose provider isAuthenticated in ZooKeeper. ip is not
// (it is the connection's address), and super has no provider.
func authenticatedScheme(scheme string) bool {
	return scheme == "digest"
}

// allowed reports whether a may do perm on a znode with this ACL, as
// ZooKeeperServer.checkACL decides: an empty ACL allows everything, a
// super caller passes, and otherwise some entry granting perm must match
// one of the caller's identities of its scheme. perm may hold several bits;
// an entry granting any of them suffices, as in ZooKeeper.
func (o Options) allowed(acl *aclEntry, perm Perm, a Auth) bool {
	if acl == nil || len(acl.list) == 0 || o.isSuper(a) {
		return true
	}
	for _, e := range acl.list {
		if e.Perms&perm == 0 {
			continue
		}
		switch e.Scheme {
		case "world":
			if e.ID == "anyone" {
				return true
			}
		case "digest":
			for _, id := range a.Identities {
				if id.Scheme == "digest" && id.ID == e.ID {
					return true
				}
			}
		case "ip":
			for _, id := range a.Identities {
				if id.Scheme == "ip" && ipMatches(id.ID, e.ID) {
					return true
				}
			}
		}
	}
	return false
}

// javaSplitCount counts the fields of Java's s.split(sep): trailing empty
// fields are dropped, and an empty s has one field.
func javaSplitCount(s string, sep byte) int {
	if s == "" {
		return 1
	}
	n := strings.Count(s, string(sep)) + 1
	for len(s) > 0 && s[len(s)-1] == sep {
		s = s[:len(s)-1]
		n--
	}
	if s == "" {
		return 0
	}
	return n
}

// parseIPACL parses an ip ACL id, "a.b.c.d" or "a.b.c.d/bits", as
// ZooKeeper 3.8's IPAuthenticationProvider does (IPv4 only).
func parseIPACL(expr string) (addr [4]byte, bits int, ok bool) {
	host, mask, hasMask := strings.Cut(expr, "/")
	addr, ok = parseIPv4(host)
	if !ok {
		return addr, 0, false
	}
	bits = 32
	if hasMask {
		n, ok := javaParseInt(mask)
		if !ok || n < 0 || n > 32 {
			return addr, 0, false
		}
		bits = n
	}
	return addr, bits, true
}

// parseIPv4 parses a dotted quad with Java's Integer.parseInt per part.
func parseIPv4(s string) (addr [4]byte, ok bool) {
	for i := 0; i < 4; i++ {
		part := s
		if i < 3 {
			var found bool
			part, s, found = strings.Cut(s, ".")
			if !found {
				return addr, false
			}
		} else if strings.IndexByte(s, '.') >= 0 {
			return addr, false
		}
		v, ok := javaParseInt(part)
		if !ok || v < 0 || v > 255 {
			return addr, false
		}
		addr[i] = byte(v)
	}
	return addr, true
}

// javaParseInt parses like Java's Integer.parseInt for ASCII input: an
// optional sign, then at least one decimal digit, within int32.
func javaParseInt(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	digits := s
	if s[0] == '+' || s[0] == '-' {
		digits = s[1:]
	}
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(v), true
}

// ipMatches reports whether the client address id falls in the ACL's
// address range expr.
func ipMatches(id, expr string) bool {
	want, bits, ok := parseIPACL(expr)
	if !ok {
		return false
	}
	got, ok := parseIPv4(id)
	if !ok {
		return false
	}
	for i := 0; i < 4; i++ {
		m := byte(0xff)
		switch {
		case bits >= 8*(i+1):
		case bits <= 8*i:
			m = 0
		default:
			m = byte(0xff << (8 - (bits - 8*i)))
		}
		if want[i]&m != got[i]&m {
			return false
		}
	}
	return true
}

// digestSecret matches what ZooKeeper's getACL hides of a digest id from a
// caller without ADMIN: id.replaceAll(":.*", ":x"), where "." stops at a
// line terminator.
var digestSecret = regexp.MustCompile(":[^\n\r\u0085\u2028\u2029]*")

// maskACL returns acl with digest hashes replaced by "x".
func maskACL(acl []ACL) []ACL {
	out := make([]ACL, len(acl))
	for i, e := range acl {
		if e.Scheme == "digest" {
			e.ID = digestSecret.ReplaceAllLiteralString(e.ID, ":x")
		}
		out[i] = e
	}
	return out
}
