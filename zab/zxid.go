package zab

// A zxid is epoch<<32 | counter: the epoch of the leader that proposed the
// txn in the high 32 bits, a counter in the low 32 that restarts at 1 in
// every epoch.

// maxCounter is the counter a leader never proposes with: reaching it forces
// a new epoch (ZOOKEEPER-1277), so counters stay below 2^32-1.
const maxCounter = 0xffffffff

// MakeZxid returns the zxid with the given epoch and counter.
func MakeZxid(epoch int64, counter uint32) int64 { return epoch<<32 | int64(counter) }

// EpochOf returns the epoch of a zxid.
func EpochOf(zxid int64) int64 { return zxid >> 32 }

// CounterOf returns the counter of a zxid.
func CounterOf(zxid int64) uint32 { return uint32(zxid) }

// follows reports whether next may come right after prev in a history: the
// next counter in the same epoch, or counter 1 of a later epoch. Anything
// else is a hole (ZOOKEEPER-4925) and must never be accepted.
func follows(prev, next int64) bool {
	pe, ne := EpochOf(prev), EpochOf(next)
	if ne == pe {
		return CounterOf(next) == CounterOf(prev)+1 && CounterOf(prev) != maxCounter
	}
	return ne > pe && CounterOf(next) == 1
}
