// Package difftest is the differential suite: the same client scenarios
// run against Apache ZooKeeper 3.8 (Debian's zookeeper package, started by
// the test on 127.0.0.1) and against ensemble, and their normalized
// transcripts must be equal.
//
// It owns the harness, not the servers: it finds the installed ZooKeeper
// and kazoo (it installs nothing; scripts/test.sh does, and a missing one
// fails the test with the command to run), starts one ZooKeeper per test
// binary in a temporary directory with a generated zoo.cfg, and runs every
// Scenario against an address.
//
// A scenario is code that drives clients (go-zookeeper/zk; kazoo, through
// python3, where it reaches what go-zookeeper/zk cannot; and the raw jute
// client of package wiretest for what neither sends) and records what it
// sees through a Recorder. The Recorder normalizes what legitimately
// differs between two servers: zxids become labels by first appearance
// (z1, z2, ...), session ids likewise (s1, s2, ...), times are dropped
// (only that they are set and mtime is not before ctime is kept), and
// four-letter-word output
// is reduced to its shape. Everything else must match byte for byte in
// meaning: error codes, data, versions, child lists, event types and
// order, multi results.
//
// The ensemble side is, for now, a wire.Server over wiretest's
// in-process backend (see ensemble.go); when the Node serves the client
// port, that one function starts a Node instead.
package difftest
