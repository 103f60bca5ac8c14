package znode

import (
	"strings"
)

// kind is what sort of znode a node is. ZooKeeper infers it from the
// ephemeralOwner encoding (EphemeralType); the tree stores it, so a session
// id whose high byte is 0xff is never mistaken for a TTL.
type kind uint8

const (
	kindPersistent kind = iota
	kindEphemeral
	kindContainer
	kindTTL
)

// Encodings of ephemeralOwner for containers and TTL nodes
// (ZooKeeper's EphemeralType).
const (
	containerOwner int64 = -1 << 63  // 0x8000000000000000
	ttlOwnerBits   int64 = -1 << 56  // 0xff00000000000000
	ttlValueMask   int64 = 1<<40 - 1 // the TTL's bits
)

// ttlOwner encodes a TTL as ZooKeeper's ephemeralOwner for TTL nodes.
func ttlOwner(ttl int64) int64 { return ttlOwnerBits | ttl }

// ttlOf decodes a TTL node's ephemeralOwner.
func ttlOf(owner int64) int64 { return owner & ttlValueMask }

// node is one znode's value. Nodes are immutable once in the tree: a change
// makes a new node (copy on write), so a cloned index is a consistent view
// for a snapshot written while writes go on. The stat fields are
// ZooKeeper's StatPersisted: cversion counts child creations only, as in
// ZooKeeper; the Stat a client sees derives its cversion from it (see
// stat).
type node struct {
	data        string // immutable by construction
	acl         *aclEntry
	czxid       int64
	mzxid       int64
	pzxid       int64
	ctime       int64
	mtime       int64
	owner       int64 // ephemeralOwner as ZooKeeper stores it
	version     int32
	cversion    int32
	aversion    int32
	numChildren int32
	digest      uint32 // ZooKeeper's node digest, 0 under /zookeeper/
	nilData     bool   // data is null rather than empty, as jute tells them apart
	kind        kind
}

// stat is the Stat a client sees, computed as ZooKeeper's
// DataNode.copyStat does: cversion becomes the number of child changes
// (each create is one and each delete another: 2*creates - children, in
// int32 arithmetic like Java's), and the owner of a container or TTL node
// reads as 0.
func (n *node) stat() Stat {
	owner := n.owner
	if n.kind != kindEphemeral {
		owner = 0
	}
	return Stat{
		Czxid:          n.czxid,
		Mzxid:          n.mzxid,
		Ctime:          n.ctime,
		Mtime:          n.mtime,
		Version:        n.version,
		Cversion:       n.cversion*2 - n.numChildren,
		Aversion:       n.aversion,
		EphemeralOwner: owner,
		DataLength:     int32(len(n.data)),
		NumChildren:    n.numChildren,
		Pzxid:          n.pzxid,
	}
}

// dataBytes returns a copy of the data, nil for null data.
func (n *node) dataBytes() []byte {
	if n.nilData {
		return nil
	}
	return []byte(n.data)
}

// seal computes the node's digest for path; every new node value is
// sealed before it enters a store.
func (n *node) seal(path string) *node {
	n.digest = nodeDigest(path, n)
	return n
}

// clone returns a mutable copy to build a changed node from.
func (n *node) clone() *node {
	c := *n
	return &c
}

// splitPath splits a path into the parent's path and the last component,
// with the root's children having parent "/". ok is false for the root and
// for strings that are not absolute paths.
func splitPath(path string) (parent, name string, ok bool) {
	i := strings.LastIndexByte(path, '/')
	switch {
	case i < 0 || path == "/":
		return "", "", false
	case i == 0:
		return "/", path[1:], true
	}
	return path[:i], path[i+1:], true
}

// joinPath is the inverse of splitPath.
func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// isSpecialPath reports the znodes ZooKeeper creates itself and refuses to
// delete (DataTree.isSpecialPath).
func isSpecialPath(path string) bool {
	switch path {
	case "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config":
		return true
	}
	return false
}
