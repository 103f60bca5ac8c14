package znode

// DefaultMaxDataSize is the largest znode data accepted when
// Options.MaxDataSize is zero: ZooKeeper's jute.maxbuffer default, 0xfffff
// bytes (one byte short of 1 MiB).
const DefaultMaxDataSize = 0xfffff

// MaxTTL is the largest TTL in milliseconds (about 34 years): the low 40
// bits that ZooKeeper's EphemeralType.TTL keeps for it.
const MaxTTL int64 = 1<<40 - 1

// Options configure a Tree. The zero value is ZooKeeper's defaults.
type Options struct {
	// MaxDataSize is the largest znode data in bytes; zero means
	// DefaultMaxDataSize. ZooKeeper bounds the whole request packet by
	// jute.maxbuffer and drops the connection past it; here the data alone
	// is bounded and a larger write fails with ErrBadArguments, so an
	// in-process client gets an error value instead of a lost connection.
	MaxDataSize int
	// SuperDigest is ZooKeeper's
	// zookeeper.DigestAuthenticationProvider.superDigest,
	// "super:base64(sha1(super:password))": a caller authenticated with the
	// digest identity equal to it passes every ACL check.
	SuperDigest string
	// TTLEnabled allows TTL znodes, as ZooKeeper's
	// zookeeper.extendedTypesEnabled does; without it a TTL create fails with
	// ErrUnimplemented. ZooKeeper then requires server ids of at most 254,
	// because a session id's high byte is its server id and 0xff marks a
	// TTL owner.
	TTLEnabled bool
	// ContainerMaxNeverUsed, in milliseconds, makes a container that never
	// had a child a cleanup candidate once unmodified that long
	// (znode.container.maxNeverUsedIntervalMs); zero, the default, keeps
	// such containers forever.
	ContainerMaxNeverUsed int64
}

func (o Options) maxData() int {
	if o.MaxDataSize <= 0 {
		return DefaultMaxDataSize
	}
	return o.MaxDataSize
}
