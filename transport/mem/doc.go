// Package mem is an in-process transport.Transport with fault injection,
// for tests of whole Nodes with real goroutines and real time: a Network
// of Endpoints, one per server, with partitions (both ways or one way),
// isolation, connection breaks, delays, pauses and restarts.
//
// It owns the simulated connections and their faults and keeps every rule of
// package transport: a connection per pair, FIFO, Connected before the first
// message, every loss reported to the sender, both sides told of a break,
// bounded queues that break the connection when they overflow. It does not
// own simulated time: it runs on the wall clock, with a goroutine per
// endpoint. The deterministic simulator (internal/sim) has its own network,
// driven by simulated time, for seeded whole-ensemble runs.
//
// # Faults
//
// The faults follow what TCP would do, so that a Node tested on mem meets
// the same situations as on tcp:
//
//   - Partition, PartitionOneWay and Isolate stop messages, but an
//     existing connection is not broken by them: it stalls and holds its
//     messages, which arrive late and in order after Heal, unless
//     Options.StallTimeout breaks it first (what tcp's read timeout does).
//     A new connection across a partition, even a one-way one, fails: the
//     sender gets Disconnected wrapping transport.ErrUnreachable.
//   - Break drops a connection and everything in flight on it, with both
//     ends told: a reset, or a Zab leader dropping a learner.
//   - SetDelay delays messages without ever reordering them.
//   - Pause freezes an endpoint: it receives nothing and what it sends is
//     held until Resume, while its connections stay up, as for a process
//     stopped by SIGSTOP or a long GC pause.
//   - Closing an endpoint is a crash or shutdown: its peers get
//     Disconnected. Network.Endpoint then returns a new endpoint for the
//     same id, a restart.
//
// Connections are made at once when Send finds none (there is no dial
// latency and no backoff), so a Send to an unreachable peer reports its
// Disconnected immediately. Payloads are copied on Send, so a receiver owns
// its bytes as it would with tcp.
package mem
