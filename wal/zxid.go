package wal

// epochOf and counterOf split a zxid: epoch in the high 32 bits, counter in
// the low 32.
func epochOf(zxid int64) int64   { return int64(uint64(zxid) >> 32) }
func counterOf(zxid int64) int64 { return zxid & 0xffffffff }

// Follows reports whether a record with zxid next may come right after one
// with zxid prev in the log. This is the rule the log enforces on every
// append and checks again at recovery:
//
//   - within an epoch, the counter goes up by exactly one (ZooKeeper's
//     leader numbers its proposals prev+1, so a skipped counter is a lost
//     record);
//   - at an epoch change the epoch goes up and the counter starts again at
//     1 (ZooKeeper's first proposal of an epoch) or 0 (room for an epoch
//     marker); the epochs in between may be missing, since an epoch can end
//     without a single committed txn.
//
// prev is 0 for an empty history, so a log that starts from nothing must
// begin at zxid 1 or at the start of some epoch.
func Follows(prev, next int64) bool {
	if next <= prev {
		return false
	}
	if epochOf(next) == epochOf(prev) {
		return next == prev+1
	}
	return counterOf(next) <= 1
}
