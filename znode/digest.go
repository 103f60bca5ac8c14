package znode

import (
	"encoding/binary"
	"hash/crc32"
	"strings"
	"unsafe"
)

// The tree digest is ZooKeeper's (ZOOKEEPER-3114, DigestCalculator version
// 2), so that the same tree has the same digest in ensemble and in
// ZooKeeper: each znode's digest is the CRC-32 (IEEE) of its path, its data
// and its persisted stat (czxid, mzxid, pzxid, ctime, mtime as 8-byte and
// version, cversion, aversion as 4-byte big-endian integers, then the
// 8-byte ephemeralOwner), and the tree's digest is the wrapping sum of its
// znodes' digests. Nodes under /zookeeper/ count as 0, because ZooKeeper
// changes them locally (quota accounting, the dynamic config). The root
// is hashed with the path "", as ZooKeeper does.
//
// A sum lets Apply update the digest in O(1) per changed znode: subtract
// the old node's digest, add the new one's.

func nodeDigest(path string, n *node) uint32 {
	if strings.HasPrefix(path, "/zookeeper/") {
		return 0
	}
	if path == "/" {
		path = ""
	}
	var b [60]byte
	binary.BigEndian.PutUint64(b[0:], uint64(n.czxid))
	binary.BigEndian.PutUint64(b[8:], uint64(n.mzxid))
	binary.BigEndian.PutUint64(b[16:], uint64(n.pzxid))
	binary.BigEndian.PutUint64(b[24:], uint64(n.ctime))
	binary.BigEndian.PutUint64(b[32:], uint64(n.mtime))
	binary.BigEndian.PutUint32(b[40:], uint32(n.version))
	binary.BigEndian.PutUint32(b[44:], uint32(n.cversion))
	binary.BigEndian.PutUint32(b[48:], uint32(n.aversion))
	binary.BigEndian.PutUint64(b[52:], uint64(n.owner))
	crc := crc32.Update(0, crc32.IEEETable, stringBytes(path))
	crc = crc32.Update(crc, crc32.IEEETable, stringBytes(n.data))
	return crc32.Update(crc, crc32.IEEETable, b[:])
}

// stringBytes views s as bytes without copying, for hashing only: the
// callee must not write to or keep the slice.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
