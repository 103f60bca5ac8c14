package zab

import (
	"errors"
	"fmt"
	"slices"
)

// planSync chooses how to bring a learner whose last zxid is L (from its
// ACKEPOCH) to the leader's history H, as LearnerHandler.syncFollower does,
// and returns the messages up to (not including) NEWLEADER:
//
//   - L is H's last zxid: an empty DIFF.
//   - L is a point of H: DIFF, then the records after L.
//   - L is not in H (the learner has records H does not: a stale epoch's
//     uncommitted suffix, or it is ahead of the leader): TRUNC to T, the
//     last point of H at or below L, then the records after T. Membership
//     is by zxid, not by numeric order: a learner at 1:9 facing H = …1:7,
//     2:1… is truncated to 1:7 although 1:9 < 2:1 (ZOOKEEPER-1154/1156).
//     Unlike ZooKeeper this may cross an epoch boundary: T is exact.
//   - No usable point, or more than MaxDiff records to send: SNAP of the
//     leader's committed state, then the records after the snapshot.
//
// Why T is right: a log that holds zxid e:k (k ≥ 1) holds epoch e's initial
// history and e:1…e:k-1 before it, so two logs that share a zxid agree up to
// it; every H record after T is above L, so the learner keeps exactly the
// common prefix.
func (z *Zab) planSync(p *learnerPeer) ([]Message, error) {
	L := p.lastZxid
	if L == z.lastZxid {
		return []Message{{From: z.id, Type: Diff, To: p.id, Zxid: L}}, nil
	}
	member, err := z.hasRecord(L)
	if err != nil {
		return nil, err
	}
	t, first := L, Message{Type: Diff, Zxid: z.lastZxid}
	if !member {
		var found bool
		if t, found, err = z.lastPointAtOrBelow(L); err != nil {
			return nil, err
		}
		if !found {
			// Every point the learner shares with the leader is inside
			// the leader's snapshot (the log starts right after one).
			zxid, data, err := z.snapshot()
			if err != nil {
				return nil, err
			}
			return z.snapSync(p.id, zxid, data)
		}
		first = Message{Type: Trunc, Zxid: t}
	}
	msgs, ok, err := z.diffAfter(p.id, t, first, z.maxDiff)
	if err != nil || ok {
		return msgs, err
	}
	// Too long for a DIFF. A SNAP replaces the learner's log, so it must not
	// take the learner below t: everything up to t may be committed and
	// counted on this learner's disk (the leader's state machine can be
	// behind its own log, for example after a restart).
	zxid, data, err := z.snapshot()
	if err != nil {
		return nil, err
	}
	if zxid >= t {
		return z.snapSync(p.id, zxid, data)
	}
	msgs, _, err = z.diffAfter(p.id, t, first, -1)
	return msgs, err
}

// diffAfter returns first followed by a PROPOSAL for every record after
// `after` (a point of the history), or ok=false if there are more than limit
// (limit < 0: no limit).
func (z *Zab) diffAfter(to uint64, after int64, first Message, limit int) (msgs []Message, ok bool, err error) {
	first.From, first.To = z.id, to
	msgs = append(msgs, first)
	errTooMany := errors.New("too many")
	err = z.scanHistory(after, true, func(e Entry) error {
		if limit >= 0 && len(msgs)-1 >= limit {
			return errTooMany
		}
		// Records read from the Log may share its buffers: keep a copy.
		msgs = append(msgs, Message{From: z.id, Type: Proposal, To: to, Zxid: e.Zxid, Data: slices.Clone(e.Data)})
		return nil
	})
	switch {
	case errors.Is(err, errTooMany):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return msgs, true, nil
}

// lastPointAtOrBelow returns the last point of the history at or below L.
func (z *Zab) lastPointAtOrBelow(L int64) (int64, bool, error) {
	if L >= z.lastZxid {
		return z.lastZxid, true, nil
	}
	best := int64(-1)
	if z.applied <= L {
		best = z.applied // a snapshot's zxid is a point though it has no record
	}
	scan := func(after int64) error {
		err := z.scanHistory(after, false, func(e Entry) error {
			if e.Zxid > L {
				return errStopScan
			}
			best = max(best, e.Zxid)
			return nil
		})
		if err != nil && !errors.Is(err, errStopScan) {
			return err
		}
		return nil
	}
	// Usually the answer is in L's own epoch; else read from the start.
	epochStart := MakeZxid(EpochOf(L), 0)
	if err := scan(epochStart); err != nil {
		return 0, false, err
	}
	if best <= epochStart {
		if err := scan(0); err != nil {
			return 0, false, err
		}
	}
	return best, best >= 0, nil
}

// snapshot reads the leader's committed state from the host.
func (z *Zab) snapshot() (int64, []byte, error) {
	zxid, data, err := z.cfg.Snapshots.Snapshot()
	if err != nil {
		return 0, nil, fmt.Errorf("%w: snapshot: %w", ErrLog, err)
	}
	if zxid < 0 || zxid > z.applied {
		// A snapshot must hold only committed, applied txns (ZOOKEEPER-1558).
		return 0, nil, fmt.Errorf("%w: snapshot at %#x, but only %#x is applied", ErrLog, zxid, z.applied)
	}
	return zxid, data, nil
}

// snapSync returns SNAP with the leader's committed state, then the records
// after it.
func (z *Zab) snapSync(to uint64, zxid int64, data []byte) ([]Message, error) {
	msgs, _, err := z.diffAfter(to, zxid, Message{Type: Snap, Zxid: zxid, Data: data}, -1)
	return msgs, err
}
