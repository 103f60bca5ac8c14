// Package jute is the binary encoding of Apache ZooKeeper's client
// protocol: the primitives of ZooKeeper's jute library (big-endian int,
// long and boolean; length-prefixed buffers, strings and vectors where a
// length of -1 means null) and every record of zookeeper.jute that a client
// and server exchange, from ConnectRequest to WhoAmIResponse, plus the
// framing of multi and multiRead.
//
// It owns bytes only. It does not own sockets, frames' length prefixes,
// sessions or the meaning of a request: package wire reads frames and
// decides what to do, and package znode owns the tree the requests change.
// Records use package znode's vocabulary (Stat, ACL, Identity, Code) so no
// translation is needed between the wire and the tree for those.
//
// Decoding never panics and never allocates more than the input holds: a
// vector or buffer whose declared length is larger than the bytes left is
// an error (ErrTruncated), not an allocation, so a 20-byte frame claiming
// 2^31 elements costs nothing. Like ZooKeeper, decoders ignore bytes left
// over after a record; Unmarshal is the strict form that refuses them.
package jute
