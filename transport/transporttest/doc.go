// Package transporttest holds the conformance suite every transport.Transport
// must pass, and an event-stream checker for tests. It is test support only:
// nothing outside tests imports it.
//
// The suite checks the contract of package transport that can be checked
// without fault injection specific to one implementation: FIFO per pair,
// Connected before the first message, both sides observing a break, losses
// reported to the sender, reconnection after a restart, Disconnect, the
// errors of Send, and Close. Implementation-specific faults (partitions and
// pauses in mem, bad frames and TLS in tcp) are tested beside each
// implementation.
package transporttest
