package session

import (
	"fmt"
	"slices"

	"github.com/ensemble-go/ensemble/znode"
)

// Tracker decides when sessions expire: the leader's session tracker
// (ZooKeeper's SessionTrackerImpl over an ExpiryQueue), driven by ticks.
//
// A session touched at tick n with a timeout of T milliseconds expires at
// the first tick boundary after n·tickMs+T, so it lives between T and
// T+tickMs after its last sign of life, and all sessions due in the same
// tick expire together: Tick does work only for the sessions due at that
// tick. Expiring a session marks it closing (it can no longer be touched)
// and reports it; the host then proposes a closeSession txn and calls
// Remove once that txn is applied.
//
// The tracker is not replicated and holds no state worth persisting: a new
// leader builds a fresh Tracker and Adds every session of the replicated
// session table, which gives each live session a full timeout from the
// moment of the new leader, as ZooKeeper does.
//
// A Tracker is not safe for concurrent use.
type Tracker struct {
	tickMs   int64
	now      int64 // ticks elapsed since NewTracker
	sessions map[int64]*tracked
	// buckets holds, by expiry tick, the ids whose expiry was set to that
	// tick. A touch that moves a session appends it to its new bucket and
	// leaves the old entry stale; Tick skips entries whose session no
	// longer expires then. That keeps Touch at one map lookup and one
	// append, the hot path, at the cost of at most one stale entry per
	// session per tick of its timeout.
	buckets map[int64][]int64
}

type tracked struct {
	timeoutMs int32
	expiry    int64 // tick at which the session expires
	closing   bool
	hasOwner  bool
	owner     uint64
}

// NewTracker returns a tracker whose ticks are tickMs milliseconds long
// (ZooKeeper's tickTime), at tick 0.
func NewTracker(tickMs int64) (*Tracker, error) {
	if tickMs <= 0 {
		return nil, fmt.Errorf("session: tick length %d ms, want more than 0: %w", tickMs, znode.ErrBadArguments)
	}
	return &Tracker{
		tickMs:   tickMs,
		sessions: make(map[int64]*tracked),
		buckets:  make(map[int64][]int64),
	}, nil
}

// Now returns the current tick: the number of Tick calls so far.
func (t *Tracker) Now() int64 { return t.now }

// Len returns the number of sessions tracked, closing ones included.
func (t *Tracker) Len() int { return len(t.sessions) }

// Add starts tracking session id with a timeout of timeoutMs milliseconds
// and gives it a full timeout from now (ZooKeeper's trackSession). It
// reports whether the session is new; adding a session that is already
// tracked only touches it with the given timeout (and, like a touch, does
// nothing to a closing session).
func (t *Tracker) Add(id int64, timeoutMs int32) bool {
	if s, ok := t.sessions[id]; ok {
		if !s.closing {
			t.schedule(id, s, timeoutMs)
		}
		return false
	}
	s := &tracked{timeoutMs: timeoutMs, expiry: -1}
	t.sessions[id] = s
	t.schedule(id, s, timeoutMs)
	return true
}

// Touch records a sign of life from session id (a request or a ping) and
// gives it a full timeout from now. It reports false, and does nothing, if
// the session is unknown or closing: the host should answer such a request
// with SESSIONEXPIRED.
func (t *Tracker) Touch(id int64) bool {
	s, ok := t.sessions[id]
	if !ok || s.closing {
		return false
	}
	t.schedule(id, s, s.timeoutMs)
	return true
}

// TouchTimeout is Touch with the timeout a learner reported in its ping
// (ZooKeeper's touchSession(id, timeout)); the session's own timeout is
// unchanged.
func (t *Tracker) TouchTimeout(id int64, timeoutMs int32) bool {
	s, ok := t.sessions[id]
	if !ok || s.closing {
		return false
	}
	t.schedule(id, s, timeoutMs)
	return true
}

// TouchAll applies a learner's ping: every session in touches (as returned
// by TouchSet.Touched or DecodeTouches) is touched with its timeout.
// Unknown and closing sessions are skipped. It returns how many sessions
// were touched.
func (t *Tracker) TouchAll(touches map[int64]int32) int {
	n := 0
	for id, timeoutMs := range touches {
		if t.TouchTimeout(id, timeoutMs) {
			n++
		}
	}
	return n
}

func (t *Tracker) schedule(id int64, s *tracked, timeoutMs int32) {
	// ExpiryQueue.roundToNextInterval(now + timeout), in ticks. A negative
	// timeout counts as zero: the session expires at the next tick.
	ms := t.now*t.tickMs + max(int64(timeoutMs), 0)
	expiry := ms/t.tickMs + 1
	if expiry == s.expiry {
		return
	}
	s.expiry = expiry
	t.buckets[expiry] = append(t.buckets[expiry], id)
}

// Tick advances time by one tick and returns the sessions that expired at
// it, in increasing id order. They are now closing: Touch fails for them
// and they are not reported again. The host proposes a closeSession txn
// for each and calls Remove when it is applied.
func (t *Tracker) Tick() []int64 {
	t.now++
	bucket, ok := t.buckets[t.now]
	if !ok {
		return nil
	}
	delete(t.buckets, t.now)
	var expired []int64
	for i, id := range bucket {
		if s, ok := t.sessions[id]; ok && !s.closing && s.expiry == t.now {
			if expired == nil {
				expired = make([]int64, 0, len(bucket)-i)
			}
			expired = append(expired, id)
		}
	}
	if len(expired) == 0 {
		return nil
	}
	// An id can be in one bucket twice if its timeout shrank and grew
	// back; sorting also gives the deterministic order.
	slices.Sort(expired)
	expired = slices.Compact(expired)
	for _, id := range expired {
		t.sessions[id].closing = true
	}
	return expired
}

// SetClosing marks session id closing, as ZooKeeper does when the client
// asks to close it: from now on Touch fails and the session never expires
// (its closeSession txn is already on its way). It reports whether the
// session was tracked.
func (t *Tracker) SetClosing(id int64) bool {
	s, ok := t.sessions[id]
	if ok {
		s.closing = true
	}
	return ok
}

// Remove stops tracking session id, once its closeSession txn is applied.
func (t *Tracker) Remove(id int64) {
	// Its bucket entry goes stale and is dropped when that tick comes.
	delete(t.sessions, id)
}

// Closing reports whether session id is tracked and closing.
func (t *Tracker) Closing(id int64) bool {
	s, ok := t.sessions[id]
	return ok && s.closing
}

// Timeout returns session id's timeout in milliseconds and whether the
// session is tracked.
func (t *Tracker) Timeout(id int64) (int32, bool) {
	s, ok := t.sessions[id]
	if !ok {
		return 0, false
	}
	return s.timeoutMs, true
}

// ExpiresAt returns the tick at which session id expires unless touched
// again, and whether it is tracked and not closing.
func (t *Tracker) ExpiresAt(id int64) (int64, bool) {
	s, ok := t.sessions[id]
	if !ok || s.closing {
		return 0, false
	}
	return s.expiry, true
}

// Check validates a request of session id arriving through server owner
// (ZooKeeper's checkSession): ErrUnknownSession if the session is not
// tracked, ErrSessionExpired if it is closing, ErrSessionMoved if another
// server owns it. The first server to check a session without an owner
// becomes its owner.
func (t *Tracker) Check(id int64, owner uint64) error {
	s, ok := t.sessions[id]
	switch {
	case !ok:
		return fmt.Errorf("session 0x%x: %w", uint64(id), znode.ErrUnknownSession)
	case s.closing:
		return fmt.Errorf("session 0x%x: %w", uint64(id), znode.ErrSessionExpired)
	case !s.hasOwner:
		s.hasOwner, s.owner = true, owner
		return nil
	case s.owner != owner:
		return fmt.Errorf("session 0x%x is owned by server %d, not %d: %w", uint64(id), s.owner, owner, znode.ErrSessionMoved)
	}
	return nil
}

// SetOwner records that session id is now connected through server owner,
// after it reattached there (ZooKeeper's setOwner, on REVALIDATE). It fails
// with ErrSessionExpired if the session is unknown or closing.
func (t *Tracker) SetOwner(id int64, owner uint64) error {
	s, ok := t.sessions[id]
	if !ok || s.closing {
		return fmt.Errorf("session 0x%x: %w", uint64(id), znode.ErrSessionExpired)
	}
	s.hasOwner, s.owner = true, owner
	return nil
}
