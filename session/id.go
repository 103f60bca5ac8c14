package session

import (
	"fmt"

	"github.com/ensemble-go/ensemble/znode"
)

// MaxServerID is the largest server id that may make session ids. The top
// byte of a session id is the server id, and a top byte of 0xFF is how
// ZooKeeper marks a TTL node's ephemeralOwner (EphemeralType.MAX_EXTENDED_SERVER_ID),
// so 255 would make sessions whose ephemerals read as TTL nodes.
const MaxServerID = 254

// containerOwner is the ephemeralOwner ZooKeeper gives container nodes
// (EphemeralType.CONTAINER_EPHEMERAL_OWNER); no session may have this id.
const containerOwner = int64(-1 << 63)

// IDGenerator makes session ids the way ZooKeeper's
// SessionTrackerImpl.initializeNextSessionId does: the server id in the top
// byte, the low 40 bits of a millisecond time in the next five bytes and a
// counter in the low two bytes, then one more per session. Ids from
// different servers never collide; ids from one server do not repeat across
// restarts as long as it makes fewer than 65,536 sessions per millisecond of
// time between starts.
//
// An IDGenerator is a value owned by one goroutine; it is not safe for
// concurrent use.
type IDGenerator struct {
	next int64
}

// NewIDGenerator returns a generator for the server serverID, seeded with
// nowMillis, a time in milliseconds chosen by the host (the core reads no
// clock). serverID must be at most MaxServerID.
func NewIDGenerator(serverID uint64, nowMillis int64) (*IDGenerator, error) {
	if serverID > MaxServerID {
		return nil, fmt.Errorf("session: server id %d is above %d, the largest that fits a session id: %w",
			serverID, MaxServerID, znode.ErrBadArguments)
	}
	// Shifting left 24 then right 8 (unsigned) keeps the low 40 bits of
	// the time in bits 16..55, clear of the server id's byte.
	base := int64(uint64(nowMillis)<<24>>8) | int64(serverID<<56)
	return &IDGenerator{next: base}, nil
}

// Next returns a new session id. It never returns 0 (a client's "no session
// yet") nor the container owner marker.
func (g *IDGenerator) Next() int64 {
	for {
		id := g.next
		g.next++
		if id != 0 && id != containerOwner {
			return id
		}
	}
}

// ServerOf returns the server id in the top byte of a session id: the
// server that created the session.
func ServerOf(id int64) uint64 { return uint64(id) >> 56 }
