package wire

import (
	"slices"
	"strings"

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
// hold the old one.
func (c *conn) addIdentity(id znode.Identity) {
	if slices.Contains(c.auth.Identities, id) {
		return
	}
	ids := make([]znode.Identity, len(c.auth.Identities), len(c.auth.Identities)+1)
	copy(ids, c.auth.Identities)
	c.auth = znode.Auth{Identities: append(ids, id)}
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
