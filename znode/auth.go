package znode

import (
	"crypto/sha1"
	"encoding/base64"
	"strings"
)

// Auth is what a caller is authenticated as: the identities its session
// has gathered (ZooKeeper's authInfo). The connection layer adds
// Identity{"ip", "<client address>"} for every connection and
// DigestIdentity(credential) for each "digest" auth packet;
// Identity{"super", ""} passes every check, as in ZooKeeper.
type Auth struct {
	Identities []Identity
}

// DigestIdentity is the identity ZooKeeper's digest scheme gives a client
// that authenticates with credential "user:password":
// {"digest", "user:base64(sha1(user:password))"}. The same string names the
// user in a digest ACL entry.
func DigestIdentity(credential string) Identity {
	user, _, _ := strings.Cut(credential, ":")
	sum := sha1.Sum([]byte(credential))
	return Identity{Scheme: "digest", ID: user + ":" + base64.StdEncoding.EncodeToString(sum[:])}
}

// isSuper reports whether a passes every ACL check: it holds the super
// identity, or the digest identity equal to the configured super digest.
func (o Options) isSuper(a Auth) bool {
	for _, id := range a.Identities {
		if id.Scheme == "super" {
			return true
		}
		if o.SuperDigest != "" && id.Scheme == "digest" && id.ID == o.SuperDigest {
			return true
		}
	}
	return false
}
