package session

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ensemble-go/ensemble/znode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// op is one step of a tracker scenario.
type op struct {
	do   string // add, touch, touchTimeout, tick, remove, closing
	id   int64
	ms   int32
	want any // bool for add/touch/closing, []int64 for tick
}

func add(id int64, ms int32, isNew bool) op       { return op{"add", id, ms, isNew} }
func touch(id int64, ok bool) op                  { return op{"touch", id, 0, ok} }
func touchTimeout(id int64, ms int32, ok bool) op { return op{"touchTimeout", id, ms, ok} }
func tick(expired ...int64) op                    { return op{"tick", 0, 0, expired} }
func remove(id int64) op                          { return op{"remove", id, 0, nil} }
func setClosing(id int64, ok bool) op             { return op{"closing", id, 0, ok} }

// ticks returns n ticks that expire nothing.
func ticks(n int) []op {
	out := make([]op, n)
	for i := range out {
		out[i] = tick()
	}
	return out
}

func steps(parts ...any) []op {
	var out []op
	for _, p := range parts {
		switch p := p.(type) {
		case op:
			out = append(out, p)
		case []op:
			out = append(out, p...)
		}
	}
	return out
}

func runOps(t *testing.T, tr *Tracker, ops []op) {
	t.Helper()
	for i, o := range ops {
		var got any
		switch o.do {
		case "add":
			got = tr.Add(o.id, o.ms)
		case "touch":
			got = tr.Touch(o.id)
		case "touchTimeout":
			got = tr.TouchTimeout(o.id, o.ms)
		case "tick":
			exp := tr.Tick()
			if exp == nil {
				exp = []int64{}
			}
			got = exp
			if o.want.([]int64) == nil {
				o.want = []int64{}
			}
		case "remove":
			tr.Remove(o.id)
		case "closing":
			got = tr.SetClosing(o.id)
		default:
			t.Fatalf("unknown op %q", o.do)
		}
		require.Equalf(t, o.want, got, "step %d (%s %d) at tick %d", i, o.do, o.id, tr.Now())
	}
}

func TestTrackerExpiry(t *testing.T) {
	tests := []struct {
		name   string
		tickMs int64
		ops    []op
	}{
		{"expiry rounds up to the next tick boundary: 4000 ms at tick 0 of 2000 ms expires at tick 3",
			2000, steps(add(1, 4000, true), ticks(2), tick(1))},
		{"a timeout that is not a multiple of the tick rounds up",
			2000, steps(add(1, 5000, true), add(2, 5999, true), add(3, 6000, true), ticks(2), tick(1, 2), tick(3))},
		{"a timeout shorter than a tick expires at the next tick",
			2000, steps(add(1, 1, true), tick(1))},
		{"a negative timeout counts as zero",
			2000, steps(add(1, -5, true), tick(1))},
		{"a touch gives a full timeout from now",
			1000, steps(add(1, 3000, true), tick(), touch(1, true), ticks(3), tick(1))},
		{"touching again within one tick changes nothing",
			1000, steps(add(1, 2000, true), touch(1, true), touch(1, true), ticks(2), tick(1))},
		{"a session touched every tick never expires",
			1000, steps(add(1, 2000, true),
				tick(), touch(1, true), tick(), touch(1, true), tick(), touch(1, true), tick(), touch(1, true),
				ticks(2), tick(1))},
		{"sessions due at the same tick expire together, in increasing id order",
			1000, steps(add(30, 2000, true), add(-4, 2000, true), add(7, 2500, true), ticks(2), tick(-4, 7, 30))},
		{"an expired session is closing: touches fail and it is not reported again",
			1000, steps(add(1, 1000, true), tick(), tick(1), touch(1, false), touchTimeout(1, 5000, false),
				add(1, 5000, false), ticks(10))},
		{"a removed session never expires and cannot be touched",
			1000, steps(add(1, 2000, true), remove(1), touch(1, false), ticks(5))},
		{"a removed session can be added again, with a fresh expiry",
			1000, steps(add(1, 2000, true), remove(1), tick(), add(1, 2000, true), ticks(2), tick(1))},
		{"a session closed by its client never expires",
			1000, steps(add(1, 2000, true), setClosing(1, true), touch(1, false), ticks(5), setClosing(99, false))},
		{"adding a tracked session touches it and reports it is not new",
			1000, steps(add(1, 2000, true), tick(), add(1, 2000, false), tick(), tick(), tick(1))},
		{"touchTimeout uses the learner's timeout once; touch goes back to the session's own",
			1000, steps(add(1, 2000, true), touchTimeout(1, 5000, true), ticks(5), tick(1),
				add(2, 2000, true), touchTimeout(2, 5000, true), touch(2, true), ticks(2), tick(2))},
		{"a shrunk then grown timeout lists the session twice in a bucket; it expires once",
			1000, steps(add(1, 3000, true), touchTimeout(1, 0, true), touchTimeout(1, 3000, true),
				tick(), tick(), tick(), tick(1))},
		{"unknown sessions cannot be touched",
			1000, steps(touch(5, false), touchTimeout(5, 1000, false), ticks(3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := NewTracker(tt.tickMs)
			require.NoError(t, err)
			runOps(t, tr, tt.ops)
		})
	}
}

func TestTrackerQueries(t *testing.T) {
	tr, err := NewTracker(1000)
	require.NoError(t, err)
	require.True(t, tr.Add(1, 2500))
	require.True(t, tr.Add(2, 1000))

	to, ok := tr.Timeout(1)
	assert.True(t, ok)
	assert.Equal(t, int32(2500), to)
	at, ok := tr.ExpiresAt(1)
	assert.True(t, ok)
	assert.Equal(t, int64(3), at)
	assert.Equal(t, 2, tr.Len())
	assert.False(t, tr.Closing(1))

	assert.Equal(t, []int64{2}, slices.Concat(tr.Tick(), tr.Tick()))
	assert.True(t, tr.Closing(2))
	_, ok = tr.ExpiresAt(2)
	assert.False(t, ok, "a closing session has no expiry")
	assert.Equal(t, 2, tr.Len(), "a closing session is tracked until Remove")
	tr.Remove(2)
	assert.Equal(t, 1, tr.Len())
	_, ok = tr.Timeout(2)
	assert.False(t, ok)
	assert.Equal(t, int64(2), tr.Now())
}

func TestNewTrackerRejectsBadTicks(t *testing.T) {
	for _, ms := range []int64{0, -1} {
		_, err := NewTracker(ms)
		require.ErrorIs(t, err, znode.ErrBadArguments)
	}
}

func TestTrackerTouchAll(t *testing.T) {
	tr, err := NewTracker(1000)
	require.NoError(t, err)
	tr.Add(1, 1000)
	tr.Add(2, 1000)
	tr.Add(3, 1000)
	tr.SetClosing(3)
	// A learner's ping: 1 and 2 alive with 4 s timeouts, 3 is closing, 9
	// unknown to the leader.
	n := tr.TouchAll(map[int64]int32{1: 4000, 2: 4000, 3: 4000, 9: 4000})
	assert.Equal(t, 2, n)
	for range 4 {
		assert.Empty(t, tr.Tick())
	}
	assert.Equal(t, []int64{1, 2}, tr.Tick())
}

// A new leader rebuilds its tracker from the replicated session table; every
// session gets a full timeout from then, however close to expiry it was
// under the old leader.
func TestTrackerLeaderChangeGivesFreshTimeouts(t *testing.T) {
	old, err := NewTracker(1000)
	require.NoError(t, err)
	table := map[int64]int32{1: 3000, 2: 5000, 3: 3000}
	for id, ms := range table {
		old.Add(id, ms)
	}
	old.Tick()
	old.Tick()
	at, _ := old.ExpiresAt(1)
	require.Equal(t, int64(4), at, "session 1 was two ticks from expiry")

	// The old leader dies here; the new one starts its own tracker.
	next, err := NewTracker(1000)
	require.NoError(t, err)
	for id, ms := range table {
		assert.True(t, next.Add(id, ms))
	}
	for range 3 {
		assert.Empty(t, next.Tick(), "every session has its full timeout again")
	}
	assert.Equal(t, []int64{1, 3}, next.Tick())
	next.Touch(2)
	assert.Empty(t, next.Tick())
}

func TestTrackerOwnership(t *testing.T) {
	tr, err := NewTracker(1000)
	require.NoError(t, err)
	tr.Add(1, 5000)
	tr.Add(2, 5000)
	tr.SetClosing(2)

	tests := []struct {
		name  string
		check func() error
		want  error
	}{
		{"unknown session", func() error { return tr.Check(99, 1) }, znode.ErrUnknownSession},
		{"closing session", func() error { return tr.Check(2, 1) }, znode.ErrSessionExpired},
		{"the first server to check becomes the owner", func() error { return tr.Check(1, 7) }, nil},
		{"the owner again", func() error { return tr.Check(1, 7) }, nil},
		{"another server", func() error { return tr.Check(1, 8) }, znode.ErrSessionMoved},
		{"the session moves", func() error { return tr.SetOwner(1, 8) }, nil},
		{"the new owner", func() error { return tr.Check(1, 8) }, nil},
		{"the old owner", func() error { return tr.Check(1, 7) }, znode.ErrSessionMoved},
		{"server 0 is an owner like any other", func() error { return tr.SetOwner(1, 0) }, nil},
		{"after moving to server 0", func() error { return tr.Check(1, 8) }, znode.ErrSessionMoved},
		{"cannot move an unknown session", func() error { return tr.SetOwner(99, 1) }, znode.ErrSessionExpired},
		{"cannot move a closing session", func() error { return tr.SetOwner(2, 1) }, znode.ErrSessionExpired},
	}
	for _, tt := range tests {
		err := tt.check()
		if tt.want == nil {
			assert.NoError(t, err, tt.name)
		} else {
			assert.ErrorIs(t, err, tt.want, tt.name)
		}
	}
}

// TestTrackerMatchesExpiryQueueModel drives a Tracker and a transcription
// of ZooKeeper's ExpiryQueue arithmetic (milliseconds, rounded up to the
// next interval, a poll at each interval) with the same random operations
// and requires the same expiries at every tick.
func TestTrackerMatchesExpiryQueueModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x5e55))
			const tickMs = 100
			tr, err := NewTracker(tickMs)
			require.NoError(t, err)

			type modelSession struct {
				timeout int32
				expiry  int64 // ms
				closing bool
			}
			model := map[int64]*modelSession{}
			nowMs := int64(0)
			update := func(s *modelSession, timeout int32) {
				s.expiry = ((nowMs+max(int64(timeout), 0))/tickMs + 1) * tickMs
			}
			expiredTotal := 0
			for step := range 3000 {
				id := int64(rng.IntN(40)) - 20
				timeout := int32(rng.IntN(1000) - 50)
				switch r := rng.IntN(100); {
				case r < 15:
					s, ok := model[id]
					isNew := !ok
					if !ok {
						s = &modelSession{timeout: timeout}
						model[id] = s
					}
					if !s.closing {
						update(s, timeout)
					}
					require.Equal(t, isNew, tr.Add(id, timeout), "step %d", step)
				case r < 50:
					s, ok := model[id]
					alive := ok && !s.closing
					if alive {
						update(s, s.timeout)
					}
					require.Equal(t, alive, tr.Touch(id), "step %d", step)
				case r < 60:
					s, ok := model[id]
					alive := ok && !s.closing
					if alive {
						update(s, timeout)
					}
					require.Equal(t, alive, tr.TouchTimeout(id, timeout), "step %d", step)
				case r < 65:
					delete(model, id)
					tr.Remove(id)
				case r < 67:
					s, ok := model[id]
					if ok {
						s.closing = true
					}
					require.Equal(t, ok, tr.SetClosing(id), "step %d", step)
				default:
					nowMs += tickMs
					var want []int64
					for id, s := range model {
						if !s.closing && s.expiry == nowMs {
							want = append(want, id)
							s.closing = true
						}
					}
					slices.Sort(want)
					require.Equal(t, want, tr.Tick(), "step %d, tick %d", step, tr.Now())
					expiredTotal += len(want)
				}
			}
			require.Positive(t, expiredTotal, "the run must exercise expiry")
		})
	}
}
