package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ensemble-go/ensemble/znode"
)

// The order ZooKeeper 3.8 lists a connection's identities in, observed
// with whoAmI after auth packets in this order: ip (at connect), digest
// gina:pw, then digest super:secret (which also adds super).
func TestJavaSetOrder(t *testing.T) {
	ip := znode.Identity{Scheme: "ip", ID: "127.0.0.1"}
	gina := znode.DigestIdentity("gina:pw")
	super := znode.Identity{Scheme: "super"}
	superDigest := znode.DigestIdentity("super:secret")
	assert.Equal(t, []znode.Identity{ip}, javaSetOrder([]znode.Identity{ip}))
	assert.Equal(t, []znode.Identity{gina, ip}, javaSetOrder([]znode.Identity{ip, gina}))
	assert.Equal(t, []znode.Identity{gina, super, superDigest, ip}, javaSetOrder([]znode.Identity{ip, gina, super, superDigest}))
}

// The expected values are what Java 17's String.hashCode returns.
func TestJavaHash(t *testing.T) {
	tests := []struct {
		s    string
		want int32
	}{
		{"", 0},
		{"a", 97},
		{"ip", 3367},
		{"hello world", 1794106052},
		{"é", 233},
		{"😀", 1772899},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, javaHash(tt.s), tt.s)
	}
}
