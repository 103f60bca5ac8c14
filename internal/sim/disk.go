package sim

import (
	"errors"
	"fmt"
)

// ErrLogOrder is returned when entries are appended out of zxid order: the
// core broke the rule that the log only grows with increasing zxids.
var ErrLogOrder = errors.New("sim: log append out of zxid order")

// Disk is one peer's model disk: the txn log, the epoch files and the
// snapshot. The log is a file whose first durable records survive any crash
// and whose later records (written, not yet synced) may or may not; the
// epoch files and the snapshot are written synchronously, as the zab
// contract requires, so they always survive.
//
// Disk implements zab.Log over every record written, synced or not, the way
// a reader of the real log file would see it.
type Disk struct {
	AcceptedEpoch int64
	CurrentEpoch  int64
	Snap          Chain // latest durable snapshot; Zxid 0 means none

	log     []record // oldest first; log[:durable] is synced
	durable int
}

type record struct {
	zxid int64
	data []byte
	torn bool // a partly written last record that recovery must cut
}

// Append writes entries at the end of the log, not yet synced.
func (d *Disk) Append(zxid int64, data []byte) error {
	if last := d.LastZxid(); zxid <= last {
		return fmt.Errorf("%w: %s after %s", ErrLogOrder, zxidString(zxid), zxidString(last))
	}
	d.log = append(d.log, record{zxid: zxid, data: data})
	return nil
}

// Sync makes every record with zxid ≤ upto durable.
func (d *Disk) Sync(upto int64) {
	for d.durable < len(d.log) && d.log[d.durable].zxid <= upto {
		d.durable++
	}
}

// Truncate drops every record with zxid > after, durably.
func (d *Disk) Truncate(after int64) {
	n := len(d.log)
	for n > 0 && d.log[n-1].zxid > after {
		n--
	}
	clear(d.log[n:])
	d.log = d.log[:n]
	d.durable = min(d.durable, n)
}

// InstallSnapshot replaces the snapshot and restarts the log after it, as a
// learner does on SNAP.
func (d *Disk) InstallSnapshot(c Chain) {
	d.Snap = c
	clear(d.log)
	d.log = d.log[:0]
	d.durable = 0
}

// TakeSnapshot stores c (the state machine's committed state) if it is newer
// than the current snapshot.
func (d *Disk) TakeSnapshot(c Chain) {
	if c.Zxid > d.Snap.Zxid {
		d.Snap = c
	}
}

// Purge drops durable records the snapshot already covers, keeping the last
// keep of them so that a leader can still DIFF-sync a slightly stale peer.
func (d *Disk) Purge(keep int) {
	n := 0
	for n < d.durable && d.log[n].zxid <= d.Snap.Zxid {
		n++
	}
	n = max(0, n-keep)
	if n == 0 {
		return
	}
	d.log = append(d.log[:0], d.log[n:]...)
	d.durable -= n
}

// Crash loses what a power cut loses: of the records not yet synced, only the
// first keep survive, and if torn the last survivor is half written.
func (d *Disk) Crash(keep int, torn bool) {
	n := min(d.durable+max(keep, 0), len(d.log))
	d.log = d.log[:n]
	if torn && n > d.durable {
		d.log[n-1].torn = true
	}
}

// Recover cuts the log at its first torn record, as a real log's checksum
// check does, and reports how many records were cut. Everything left is on
// disk and so counts as synced.
func (d *Disk) Recover() (cut int) {
	for i, r := range d.log {
		if r.torn {
			cut = len(d.log) - i
			d.log = d.log[:i]
			break
		}
	}
	d.durable = len(d.log)
	return cut
}

// Unsynced reports how many records are written but not yet synced.
func (d *Disk) Unsynced() int { return len(d.log) - d.durable }

// DurableZxid is the last synced zxid (0 if none).
func (d *Disk) DurableZxid() int64 {
	if d.durable == 0 {
		return 0
	}
	return d.log[d.durable-1].zxid
}

// LastZxid is the last written zxid, synced or not (0 if the log is empty).
func (d *Disk) LastZxid() int64 {
	if len(d.log) == 0 {
		return 0
	}
	return d.log[len(d.log)-1].zxid
}

// FirstZxid is the first zxid in the log (0 if empty).
func (d *Disk) FirstZxid() int64 {
	if len(d.log) == 0 {
		return 0
	}
	return d.log[0].zxid
}

// Scan calls fn for every record with zxid > after, in order, stopping at
// the first error.
func (d *Disk) Scan(after int64, fn func(zxid int64, data []byte) error) error {
	for _, r := range d.log {
		if r.zxid <= after {
			continue
		}
		if err := fn(r.zxid, r.data); err != nil {
			return err
		}
	}
	return nil
}

// Lookup returns the data logged at zxid.
func (d *Disk) Lookup(zxid int64) ([]byte, bool) {
	for _, r := range d.log {
		if r.zxid == zxid {
			return r.data, true
		}
	}
	return nil, false
}
