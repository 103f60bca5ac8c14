package wire

import (
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// authenticate serves an auth packet with ZooKeeper's default providers:
// digest adds {"digest", "user:base64(sha1(user:password))"} (and super
// when it equals the configured super digest); ip succeeds without adding
// anything, as the connection already has its ip identity. Any other
// scheme fails, and the connection is then closed.
func (c *conn) authenticate(p jute.AuthPacket) znode.Code {
	switch p.Scheme {
	case "digest":
		id := znode.DigestIdentity(string(p.Auth))
		if c.srv.cfg.SuperDigest != "" && id.ID == c.srv.cfg.SuperDigest {
			c.addIdentity(znode.Identity{Scheme: "super", ID: ""})
		}
		c.addIdentity(id)
		return znode.OK
	case "ip":
		return znode.OK
	}
	return znode.ErrAuthFailed
}

// addIdentity adds id to the connection's identities unless it is there.
// The slice is replaced, never changed, because requests already queued
// hold the old one. The order is ZooKeeper's (see javaSetOrder): whoAmI
// lists identities in it, and an "auth" ACL entry expands to them in it.
func (c *conn) addIdentity(id znode.Identity) {
	if slices.Contains(c.auth.Identities, id) {
		return
	}
	ids := make([]znode.Identity, len(c.auth.Identities), len(c.auth.Identities)+1)
	copy(ids, c.auth.Identities)
	c.added = append(c.added, id)
	c.auth = znode.Auth{Identities: javaSetOrder(c.added)}
	c.authVer++
}

// whoAmI lists the connection's identities as ZooKeeper's whoAmI does:
// the scheme, and the user as the scheme's provider names it (the part
// before the colon for digest, the id itself otherwise).
func (c *conn) whoAmI() *jute.WhoAmIResponse {
	r := &jute.WhoAmIResponse{ClientInfo: make([]jute.ClientInfo, 0, len(c.auth.Identities))}
	for _, id := range c.auth.Identities {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(id.ID, ":")
		}
		r.ClientInfo = append(r.ClientInfo, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return r
}

// javaSetOrder returns ids (given in the order they were added) in the
// order ZooKeeper's ServerCnxn.authInfo iterates them. That set is a
// ConcurrentHashMap's key set: entries sit in buckets by their spread
// hash (Id.hashCode, from String.hashCode of scheme and id), the table
// has 16 buckets until it holds more than 12 entries and doubles from
// there, and a bucket keeps insertion order.
func javaSetOrder(added []znode.Identity) []znode.Identity {
	size := 16
	for len(added) > size*3/4 {
		size *= 2
	}
	out := slices.Clone(added)
	bucket := func(id znode.Identity) uint32 {
		h := 37*(37*int32(17)+javaHash(id.Scheme)) + javaHash(id.ID)
		u := uint32(h)
		return (u ^ u>>16) & 0x7fffffff & uint32(size-1)
	}
	slices.SortStableFunc(out, func(a, b znode.Identity) int { return int(bucket(a)) - int(bucket(b)) })
	return out
}

// javaHash is Java's String.hashCode: over UTF-16 code units, wrapping.
func javaHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}
