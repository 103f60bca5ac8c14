package sim

import (
	"fmt"
	"io"
	"strings"
)

// event is one line of the trace. It is kept as values and formatted only
// when someone reads the trace, so tracing costs little on passing seeds.
type event struct {
	step  int64
	peer  uint64
	what  string // a constant verb: "send", "recv", "crash", ...
	plane Plane
	other uint64
	typ   int32 // zab message type or election state
	zxid  int64
	epoch int64
	n     int64
	round int64
	note  string
}

// Trace keeps the last events of a run for the failure report; with All
// set it keeps every event (for replaying one seed by hand).
type Trace struct {
	ring []event
	next int
	full bool
	All  bool
}

// NewTrace keeps the last n events.
func NewTrace(n int) *Trace { return &Trace{ring: make([]event, 0, n)} }

func (t *Trace) add(e event) {
	if t.All || len(t.ring) < cap(t.ring) {
		t.ring = append(t.ring, e)
		return
	}
	t.ring[t.next] = e
	t.next = (t.next + 1) % len(t.ring)
	t.full = true
}

// Events returns the kept events, oldest first, formatted.
func (t *Trace) Events() []string {
	evs := t.ring
	if t.full && !t.All {
		evs = append(append([]event(nil), t.ring[t.next:]...), t.ring[:t.next]...)
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.String()
	}
	return out
}

// Dump writes the kept events.
func (t *Trace) Dump(w io.Writer) {
	for _, s := range t.Events() {
		fmt.Fprintln(w, s)
	}
}

var zabTypeNames = map[int32]string{
	1: "REQUEST", 2: "PROPOSAL", 3: "ACK", 4: "COMMIT", 5: "PING", 6: "REVALIDATE", 7: "SYNC",
	8: "INFORM", 10: "NEWLEADER", 11: "FOLLOWERINFO", 12: "UPTODATE", 13: "DIFF", 14: "TRUNC",
	15: "SNAP", 16: "OBSERVERINFO", 17: "LEADERINFO", 18: "ACKEPOCH",
}

func zabTypeName(t int32) string {
	if s, ok := zabTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type%d", t)
}

var stateNames = []string{"LOOKING", "FOLLOWING", "LEADING", "OBSERVING"}

func stateName(s int32) string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state%d", s)
}

func (e event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6d p%d %-9s", e.step, e.peer, e.what)
	switch e.what {
	case "send", "recv", "drop":
		if e.plane == ElectionPlane {
			fmt.Fprintf(&b, " %s p%d: %s vote(leader %d zxid %s epoch %d) round %d",
				map[string]string{"send": "->", "recv": "<-", "drop": "-x"}[e.what], e.other,
				stateName(e.typ), e.n, zxidString(e.zxid), e.epoch, e.round)
			if e.note != "" {
				fmt.Fprintf(&b, " %s", e.note)
			}
			return b.String()
		}
		fmt.Fprintf(&b, " %s p%d: %s zxid %s", map[string]string{"send": "->", "recv": "<-", "drop": "-x"}[e.what],
			e.other, zabTypeName(e.typ), zxidString(e.zxid))
		if e.epoch != 0 {
			fmt.Fprintf(&b, " epoch %d", e.epoch)
		}
		if e.n != 0 {
			fmt.Fprintf(&b, " %dB", e.n)
		}
	default:
		if e.other != 0 {
			fmt.Fprintf(&b, " p%d", e.other)
		}
		if e.zxid != 0 {
			fmt.Fprintf(&b, " zxid %s", zxidString(e.zxid))
		}
		if e.epoch != 0 {
			fmt.Fprintf(&b, " epoch %d", e.epoch)
		}
		if e.n != 0 {
			fmt.Fprintf(&b, " n=%d", e.n)
		}
	}
	if e.note != "" {
		fmt.Fprintf(&b, " %s", e.note)
	}
	return b.String()
}
