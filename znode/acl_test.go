package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDigestIdentity(t *testing.T) {
	// Values from ZooKeeper's AuthTest (DigestAuthenticationProvider.generateDigest).
	assert.Equal(t, Identity{"digest", "super:D/InIHSb7yEEbrWz8b9l71RjZJU="}, DigestIdentity("super:test"))
	assert.Equal(t, Identity{"digest", "super:yyuhPKumRtNj4r8GnSbbwuq1vhE="}, DigestIdentity("super:zookeeper"))
	// No colon: the whole credential is the user and is hashed as is.
	assert.Equal(t, "alone:", DigestIdentity("alone").ID[:6])
}

func TestFixupACL(t *testing.T) {
	digest := DigestIdentity("user:pw")
	ip := Identity{"ip", "10.0.0.1"}
	world := Identity{"world", "anyone"}
	tests := []struct {
		name string
		acl  []ACL
		auth []Identity
		want []ACL // nil: InvalidACL
	}{
		{"open", OpenACL, nil, OpenACL},
		{"duplicates dropped", []ACL{OpenACL[0], OpenACL[0]}, nil, OpenACL},
		{"empty", []ACL{}, nil, nil},
		{"nil", nil, nil, nil},
		{"world other than anyone", []ACL{{PermAll, Identity{"world", "someone"}}}, nil, nil},
		{"auth without identities", CreatorAllACL, nil, nil},
		{"auth with only ip", CreatorAllACL, []Identity{ip}, nil},
		{"auth with only super", CreatorAllACL, []Identity{super()}, nil},
		{"auth expands to digest ids", CreatorAllACL, []Identity{ip, digest, DigestIdentity("b:c")},
			[]ACL{{PermAll, digest}, {PermAll, DigestIdentity("b:c")}}},
		{"auth keeps perms", []ACL{{PermRead, Identity{"auth", "ignored"}}}, []Identity{digest}, []ACL{{PermRead, digest}}},
		{"digest user:hash", []ACL{{PermRead, Identity{"digest", "u:h"}}}, nil, []ACL{{PermRead, Identity{"digest", "u:h"}}}},
		{"digest empty user", []ACL{{PermRead, Identity{"digest", ":h"}}}, nil, []ACL{{PermRead, Identity{"digest", ":h"}}}},
		{"digest trailing colon dropped by split", []ACL{{PermRead, Identity{"digest", "u:h:"}}}, nil, []ACL{{PermRead, Identity{"digest", "u:h:"}}}},
		{"digest no hash", []ACL{{PermRead, Identity{"digest", "u:"}}}, nil, nil},
		{"digest no colon", []ACL{{PermRead, Identity{"digest", "u"}}}, nil, nil},
		{"digest three parts", []ACL{{PermRead, Identity{"digest", "u:h:x"}}}, nil, nil},
		{"ip", []ACL{{PermRead, Identity{"ip", "10.0.0.1"}}}, nil, []ACL{{PermRead, Identity{"ip", "10.0.0.1"}}}},
		{"ip cidr", []ACL{{PermRead, Identity{"ip", "10.0.0.0/8"}}}, nil, []ACL{{PermRead, Identity{"ip", "10.0.0.0/8"}}}},
		{"ip /0", []ACL{{PermRead, Identity{"ip", "0.0.0.0/0"}}}, nil, []ACL{{PermRead, Identity{"ip", "0.0.0.0/0"}}}},
		{"ip /33", []ACL{{PermRead, Identity{"ip", "10.0.0.0/33"}}}, nil, nil},
		{"ip /-1", []ACL{{PermRead, Identity{"ip", "10.0.0.0/-1"}}}, nil, nil},
		{"ip octet 256", []ACL{{PermRead, Identity{"ip", "10.0.0.256"}}}, nil, nil},
		{"ip three octets", []ACL{{PermRead, Identity{"ip", "10.0.0"}}}, nil, nil},
		{"ip five octets", []ACL{{PermRead, Identity{"ip", "10.0.0.1.2"}}}, nil, nil},
		{"ip name", []ACL{{PermRead, Identity{"ip", "localhost"}}}, nil, nil},
		{"ip v6 (3.8 has IPv4 only)", []ACL{{PermRead, Identity{"ip", "::1"}}}, nil, nil},
		{"ip empty mask", []ACL{{PermRead, Identity{"ip", "10.0.0.1/"}}}, nil, nil},
		{"unknown scheme", []ACL{{PermRead, Identity{"x509", "CN=a"}}}, nil, nil},
		{"super is no ACL scheme", []ACL{{PermRead, Identity{"super", ""}}}, nil, nil},
		{"one bad entry spoils the list", []ACL{OpenACL[0], {PermRead, Identity{"ip", "bad"}}}, nil, nil},
		{"world and digest", []ACL{{PermRead, world}, {PermAll, digest}}, nil, []ACL{{PermRead, world}, {PermAll, digest}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fixupACL(tt.acl, Auth{Identities: tt.auth})
			if tt.want == nil {
				require.ErrorIs(t, err, ErrInvalidACL)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAllowed(t *testing.T) {
	alice := DigestIdentity("alice:secret")
	bob := DigestIdentity("bob:secret")
	aliceACL := []ACL{{PermRead | PermWrite, alice}}
	ipACL := []ACL{{PermAll, Identity{"ip", "192.168.1.0/24"}}}
	opts := Options{SuperDigest: DigestIdentity("super:pw").ID}
	tests := []struct {
		name string
		acl  []ACL
		perm Perm
		auth []Identity
		ok   bool
	}{
		{"world allows anyone", OpenACL, PermDelete, nil, true},
		{"read-only world refuses write", ReadACL, PermWrite, nil, false},
		{"empty ACL allows all", []ACL{}, PermAdmin, nil, true},
		{"digest match", aliceACL, PermWrite, []Identity{alice}, true},
		{"digest perm missing", aliceACL, PermDelete, []Identity{alice}, false},
		{"digest other user", aliceACL, PermRead, []Identity{bob}, false},
		{"digest needs digest scheme", aliceACL, PermRead, []Identity{{"ip", alice.ID}}, false},
		{"super identity", aliceACL, PermAdmin, []Identity{super()}, true},
		{"super digest", aliceACL, PermAdmin, []Identity{DigestIdentity("super:pw")}, true},
		{"wrong super password", aliceACL, PermAdmin, []Identity{DigestIdentity("super:nope")}, false},
		{"ip in range", ipACL, PermRead, []Identity{{"ip", "192.168.1.77"}}, true},
		{"ip out of range", ipACL, PermRead, []Identity{{"ip", "192.168.2.77"}}, false},
		{"ip exact", []ACL{{PermRead, Identity{"ip", "127.0.0.1"}}}, PermRead, []Identity{{"ip", "127.0.0.1"}}, true},
		{"ip exact other", []ACL{{PermRead, Identity{"ip", "127.0.0.1"}}}, PermRead, []Identity{{"ip", "127.0.0.2"}}, false},
		{"ip /0 matches all", []ACL{{PermRead, Identity{"ip", "1.2.3.4/0"}}}, PermRead, []Identity{{"ip", "9.9.9.9"}}, true},
		{"ip /12", []ACL{{PermRead, Identity{"ip", "172.16.0.0/12"}}}, PermRead, []Identity{{"ip", "172.31.255.1"}}, true},
		{"ip /12 outside", []ACL{{PermRead, Identity{"ip", "172.16.0.0/12"}}}, PermRead, []Identity{{"ip", "172.32.0.1"}}, false},
		{"ip v6 client never matches", ipACL, PermRead, []Identity{{"ip", "::1"}}, false},
		{"any of several perms", aliceACL, PermAdmin | PermRead, []Identity{alice}, true},
		{"second entry grants", []ACL{{PermRead, alice}, {PermWrite, bob}}, PermWrite, []Identity{bob}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &aclEntry{list: tt.acl}
			assert.Equal(t, tt.ok, opts.allowed(e, tt.perm, Auth{Identities: tt.auth}))
		})
	}
}

func TestMaskACL(t *testing.T) {
	in := []ACL{
		{PermAll, Identity{"digest", "user:hash="}},
		{PermRead, Identity{"digest", "a:b:c"}},
		{PermRead, Identity{"digest", "nocolon"}},
		{PermRead, Identity{"ip", "10.0.0.1"}},
	}
	want := []ACL{
		{PermAll, Identity{"digest", "user:x"}},
		{PermRead, Identity{"digest", "a:x"}},
		{PermRead, Identity{"digest", "nocolon"}},
		{PermRead, Identity{"ip", "10.0.0.1"}},
	}
	assert.Equal(t, want, maskACL(in))
	assert.Equal(t, "user:hash=", in[0].ID, "the input is not modified")
}

func TestJavaSplitCount(t *testing.T) {
	for s, n := range map[string]int{"": 1, "a": 1, "a:b": 2, "a:": 1, ":b": 2, ":": 0, "::": 0, "a::b": 3, "a:b::": 2} {
		assert.Equal(t, n, javaSplitCount(s, ':'), s)
	}
}
