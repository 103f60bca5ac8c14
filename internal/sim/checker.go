package sim

import (
	"errors"
	"fmt"
	"slices"
)

// ErrViolation is matched (errors.Is) by every invariant violation the
// checker reports.
var ErrViolation = errors.New("sim: invariant violated")

// Violation is one broken invariant: which rule, which peer, what it saw.
type Violation struct {
	Rule string // short name of the invariant
	Peer uint64 // the peer whose action broke it (0: the ensemble)
	Step int64
	Msg  string
}

// Error says which rule broke, where and when.
func (v *Violation) Error() string {
	return fmt.Sprintf("sim: step %d: peer %d: %s: %s", v.Step, v.Peer, v.Rule, v.Msg)
}

// Is makes every Violation match ErrViolation.
func (v *Violation) Is(target error) bool { return target == ErrViolation }

// The invariants, by name.
const (
	RuleOneLeader      = "one leader per epoch"
	RulePrefix         = "committed sequences are prefixes"
	RuleSameState      = "same zxid, same state"
	RuleApplyOrder     = "apply in zxid order, exactly once"
	RuleMonotonic      = "a running peer's state never goes back"
	RuleNoLoss         = "committed txn never lost"
	RuleEpochs         = "epochs durable and monotonic"
	RuleAckDurable     = "ack only what is durable"
	RuleSync           = "sync is a barrier"
	RuleLiveness       = "liveness"
	RuleCodec          = "messages survive their codec"
	RuleReadyContract  = "ready contract"
	RuleAcknowledgedIn = "acknowledged writes are in the final history"
)

type histEntry struct {
	data  string
	state Chain // the state after applying it
	by    uint64
}

// Checker holds the ensemble-wide truth the invariants are checked
// against: the one committed history (every txn any peer applied, which
// must be the same sequence everywhere) and who led which epoch. Every
// method checks one event as it happens, in O(log n), so the simulation
// checks at every step.
type Checker struct {
	hist    map[int64]histEntry
	order   []int64 // committed zxids, ascending
	leaders map[int64]uint64
	applied map[uint64]Chain // each peer's state machine
	now     func() int64
}

// NewChecker returns a checker; now gives the current step for reports.
func NewChecker(now func() int64) *Checker {
	return &Checker{
		hist:    map[int64]histEntry{},
		leaders: map[int64]uint64{},
		applied: map[uint64]Chain{},
		now:     now,
	}
}

func (ch *Checker) fail(rule string, peer uint64, format string, args ...any) error {
	return &Violation{Rule: rule, Peer: peer, Step: ch.now(), Msg: fmt.Sprintf(format, args...)}
}

// Applied returns peer's state machine as the checker saw it.
func (ch *Checker) Applied(peer uint64) Chain { return ch.applied[peer] }

// Committed returns the committed history's last zxid.
func (ch *Checker) Committed() int64 {
	if len(ch.order) == 0 {
		return 0
	}
	return ch.order[len(ch.order)-1]
}

// Len is how many txns are committed.
func (ch *Checker) Len() int { return len(ch.order) }

// Data returns the txn committed at zxid.
func (ch *Checker) Data(zxid int64) (string, bool) {
	e, ok := ch.hist[zxid]
	return e.data, ok
}

// between reports the first committed zxid in (lo, hi), if any.
func (ch *Checker) between(lo, hi int64) (int64, bool) {
	i, _ := slices.BinarySearch(ch.order, lo+1)
	if i < len(ch.order) && ch.order[i] < hi {
		return ch.order[i], true
	}
	return 0, false
}

// Apply checks that peer applies (zxid, data) next, and records it.
func (ch *Checker) Apply(peer uint64, zxid int64, data []byte) error {
	cur := ch.applied[peer]
	if zxid <= cur.Zxid {
		return ch.fail(RuleApplyOrder, peer, "applies %s after %s", zxidString(zxid), zxidString(cur.Zxid))
	}
	next := cur.Apply(zxid, data)
	if skipped, ok := ch.between(cur.Zxid, zxid); ok {
		return ch.fail(RulePrefix, peer, "applies %s after %s, skipping committed %s (%q)",
			zxidString(zxid), zxidString(cur.Zxid), zxidString(skipped), ch.hist[skipped].data)
	}
	if e, ok := ch.hist[zxid]; ok {
		if e.data != string(data) {
			return ch.fail(RulePrefix, peer, "applies %q at %s where peer %d applied %q",
				data, zxidString(zxid), e.by, e.data)
		}
		if e.state != next {
			return ch.fail(RuleSameState, peer, "state %s at %s, peer %d had %s",
				next, zxidString(zxid), e.by, e.state)
		}
	} else {
		if last := ch.Committed(); zxid < last {
			return ch.fail(RulePrefix, peer, "applies %s (%q) that no peer applied, below committed %s",
				zxidString(zxid), data, zxidString(last))
		}
		ch.hist[zxid] = histEntry{data: string(data), state: next, by: peer}
		ch.order = append(ch.order, zxid)
	}
	ch.applied[peer] = next
	return nil
}

// Reset checks a state machine that peer loaded whole (a snapshot at
// restart, or a SNAP from the leader): it must be a committed state.
func (ch *Checker) Reset(peer uint64, c Chain, why string) error {
	if c.Zxid != 0 {
		e, ok := ch.hist[c.Zxid]
		switch {
		case !ok:
			return ch.fail(RulePrefix, peer, "%s: state at %s that no peer applied", why, zxidString(c.Zxid))
		case e.state != c:
			return ch.fail(RuleSameState, peer, "%s: state %s, peer %d had %s", why, c, e.by, e.state)
		}
	} else if c != (Chain{}) {
		return ch.fail(RuleSameState, peer, "%s: state %s at zxid 0", why, c)
	}
	ch.applied[peer] = c
	return nil
}

// Truncate checks that peer may drop its log after zxid: nothing committed
// may go, neither below what peer itself applied nor anywhere in history.
func (ch *Checker) Truncate(peer uint64, after int64, dropped []int64) error {
	if cur := ch.applied[peer]; after < cur.Zxid {
		return ch.fail(RuleNoLoss, peer, "truncates after %s below its applied %s", zxidString(after), zxidString(cur.Zxid))
	}
	for _, z := range dropped {
		if e, ok := ch.hist[z]; ok {
			return ch.fail(RuleNoLoss, peer, "truncates committed %s (%q, applied by peer %d)", zxidString(z), e.data, e.by)
		}
	}
	return nil
}

// Established records that peer leads epoch.
func (ch *Checker) Established(peer uint64, epoch int64) error {
	if l, ok := ch.leaders[epoch]; ok && l != peer {
		return ch.fail(RuleOneLeader, peer, "establishes itself in epoch %d, already led by peer %d", epoch, l)
	}
	ch.leaders[epoch] = peer
	return nil
}

// Leaders returns epoch → leader for every epoch a leader established.
func (ch *Checker) Leaders() map[int64]uint64 { return ch.leaders }
