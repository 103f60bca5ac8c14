package zab

import (
	"errors"
	"fmt"
	"slices"
)

// The core's view of its history (the txn log) is two parts:
//
//   - the durable Log, read through Config.Log, for every record up to
//     tailBase;
//   - tail, the records after tailBase that this run handed to the host
//     (Ready.Entries), kept in memory until they are both durable and
//     applied, so that the hot path (propose, ack, commit, apply) never
//     reads the Log.
//
// Records are contiguous by zxid (see follows) and end at lastZxid.

// errStopScan ends a Scan early; it never escapes this file.
var errStopScan = errors.New("stop scan")

// appendEntry adds one record at the end of the history and hands it to the
// host to persist.
func (z *Zab) appendEntry(zxid int64, data []byte) {
	e := Entry{Zxid: zxid, Data: data}
	z.tail = append(z.tail, e)
	z.rd.Entries = append(z.rd.Entries, e)
	z.lastZxid = zxid
}

// scanHistory calls fn for every record with zxid > after, in order: first
// from the Log (up to tailBase), then from tail. It checks that records are
// contiguous, so a purged or damaged Log shows up as ErrLog instead of a
// silent hole. When strict, after must itself be a point of the history and
// the first record must follow it; otherwise after is only a bound.
//
// An error from fn ends the scan and is returned as is.
func (z *Zab) scanHistory(after int64, strict bool, fn func(e Entry) error) error {
	prev := int64(-1) // unknown until the first record
	if strict {
		prev = after
	}
	check := func(zxid int64) error {
		if prev >= 0 && !follows(prev, zxid) {
			return fmt.Errorf("%w: record %#x does not follow %#x", ErrLog, zxid, prev)
		}
		prev = zxid
		return nil
	}
	if after < z.tailBase {
		var fnErr, checkErr error
		err := z.cfg.Log.Scan(after, func(zxid int64, data []byte) error {
			if zxid > z.tailBase {
				return errStopScan
			}
			if checkErr = check(zxid); checkErr != nil {
				return errStopScan
			}
			if fnErr = fn(Entry{Zxid: zxid, Data: data}); fnErr != nil {
				return errStopScan
			}
			return nil
		})
		switch {
		case fnErr != nil:
			return fnErr
		case checkErr != nil:
			return checkErr
		case err != nil && !errors.Is(err, errStopScan):
			return fmt.Errorf("%w: %w", ErrLog, err)
		}
		if (strict || prev >= 0) && prev != z.tailBase {
			return fmt.Errorf("%w: the log ends at %#x, the history continues after %#x", ErrLog, prev, z.tailBase)
		}
	}
	for _, e := range z.tail[z.tailIndex(after):] {
		if err := check(e.Zxid); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// tailAfter returns the tail records after `after` when the tail alone holds
// every record after it: the hot path (apply, commit) then needs neither
// the Log nor a callback.
func (z *Zab) tailAfter(after int64) ([]Entry, bool) {
	if after < z.tailBase {
		return nil, false
	}
	return z.tail[z.tailIndex(after):], true
}

// tailIndex returns the index of the first tail record with zxid > after.
func (z *Zab) tailIndex(after int64) int {
	i, _ := slices.BinarySearchFunc(z.tail, after, func(e Entry, x int64) int {
		switch {
		case e.Zxid <= x:
			return -1
		default:
			return 1
		}
	})
	return i
}

// hasRecord reports whether zxid is a point of the history: a record in the
// log or tail, the last zxid, or the applied point (a snapshot's zxid has no
// record but is in the history).
func (z *Zab) hasRecord(zxid int64) (bool, error) {
	if zxid == z.lastZxid || zxid == z.applied {
		return true, nil
	}
	if zxid > z.lastZxid || zxid <= 0 {
		return false, nil
	}
	found := false
	err := z.scanHistory(zxid-1, false, func(e Entry) error {
		found = e.Zxid == zxid
		return errStopScan
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return false, err
	}
	return found, nil
}

// truncateAfter drops every record after zxid (a learner's TRUNC).
func (z *Zab) truncateAfter(zxid int64) {
	z.tail = z.tail[:z.tailIndex(zxid)]
	if zxid < z.tailBase {
		z.tailBase = zxid
	}
	z.lastZxid = zxid
	z.persisted = min(z.persisted, zxid)
	if z.rd.Snapshot == nil {
		if z.rd.TruncateAfter < 0 || zxid < z.rd.TruncateAfter {
			z.rd.TruncateAfter = zxid
		}
	}
}

// installSnapshot replaces the history with a snapshot at zxid (a learner's
// SNAP): the state machine is replaced and the log restarts after zxid.
func (z *Zab) installSnapshot(zxid int64, data []byte) {
	z.rd.Snapshot = &Snapshot{Zxid: zxid, Data: data}
	z.rd.TruncateAfter = -1 // superseded: the log restarts after the snapshot
	// Txns not yet handed over for applying would land on top of the
	// snapshot, which replaces the state machine (step 1 comes before step
	// 4): drop them. They are at or below the snapshot (a learner refuses a
	// SNAP below what it knows committed), so it holds them already.
	clear(z.rd.Committed)
	z.rd.Committed = z.rd.Committed[:0]
	z.tail = nil
	z.tailBase = zxid
	z.lastZxid = zxid
	z.persisted = zxid
	z.applied = zxid
	z.committed = max(z.committed, zxid)
}

// persistedTo records that the host made every entry up to zxid durable.
func (z *Zab) persistedTo(zxid int64) {
	// A Persisted for records a later TRUNC removed must not count for the
	// records that replaced them: clamp to the history.
	zxid = min(zxid, z.lastZxid)
	if zxid > z.persisted {
		z.persisted = zxid
	}
}

// applyFrozen reports whether applying must wait: a learner between its
// leader's DIFF/TRUNC/SNAP and UPTODATE applies nothing (ZOOKEEPER-3642,
// 1558): its history is being rewritten.
func (z *Zab) applyFrozen() bool {
	return z.ln != nil && z.ln.stage >= lsSync && z.ln.stage < lsBroadcast
}

// apply emits as Committed every record that is committed and durable here,
// in order, and forgets records that need no more memory.
func (z *Zab) apply() {
	if z.applyFrozen() {
		return
	}
	target := min(z.committed, z.persisted)
	if es, ok := z.tailAfter(z.applied); ok && target > z.applied {
		for _, e := range es {
			if e.Zxid > target {
				break
			}
			z.rd.Committed = append(z.rd.Committed, e)
			z.applied = e.Zxid
		}
	}
	if target > z.applied {
		err := z.scanHistory(z.applied, true, func(e Entry) error {
			if e.Zxid > target {
				return errStopScan
			}
			if e.Zxid <= z.applied { // cannot happen; guards exactly-once
				return nil
			}
			// Records read from the Log may share its buffers (wal's Scan
			// data is valid only during the call): keep a copy.
			z.rd.Committed = append(z.rd.Committed, Entry{Zxid: e.Zxid, Data: slices.Clone(e.Data)})
			z.applied = e.Zxid
			return nil
		})
		if err != nil && !errors.Is(err, errStopScan) {
			z.fail(err)
			return
		}
	}
	z.trimTail()
}

// trimTail drops tail records that are durable and applied: the Log has
// them, and only sync and the leader's DIFFs need them again.
func (z *Zab) trimTail() {
	keep := min(z.applied, z.persisted)
	if z.ld != nil && z.ld.established {
		// Acks and commits of proposals in flight read the tail.
		keep = min(keep, z.committed)
	}
	i := z.tailIndex(keep)
	if i == 0 {
		return
	}
	z.tailBase = z.tail[i-1].Zxid
	// Reslice; append moves the live part to a new array when it needs room,
	// so the dropped front is garbage by then. Clear it now so its data is.
	clear(z.tail[:i])
	z.tail = z.tail[i:]
}
