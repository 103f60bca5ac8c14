package sim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChecker(t *testing.T) {
	z := func(e, n int64) int64 { return e<<32 | n }
	type ev func(ch *Checker) error
	apply := func(p uint64, zxid int64, data string) ev {
		return func(ch *Checker) error { return ch.Apply(p, zxid, []byte(data)) }
	}
	reset := func(p uint64, c Chain) ev { return func(ch *Checker) error { return ch.Reset(p, c, "test") } }
	trunc := func(p uint64, after int64, dropped ...int64) ev {
		return func(ch *Checker) error { return ch.Truncate(p, after, dropped) }
	}
	lead := func(p uint64, epoch int64) ev { return func(ch *Checker) error { return ch.Established(p, epoch) } }
	ab := Chain{}.Apply(z(1, 1), []byte("a"))

	tests := []struct {
		name string
		evs  []ev
		want string // the rule the last event breaks, "" for none
	}{
		{"replicas agree", []ev{apply(1, z(1, 1), "a"), apply(2, z(1, 1), "a"), apply(1, z(1, 2), "b"), apply(2, z(1, 2), "b")}, ""},
		{"different txn at a zxid", []ev{apply(1, z(1, 1), "a"), apply(2, z(1, 1), "x")}, RulePrefix},
		{"a peer skips a committed txn", []ev{apply(1, z(1, 1), "a"), apply(1, z(1, 2), "b"), apply(2, z(1, 2), "b")}, RulePrefix},
		{"a new txn below the committed history", []ev{apply(1, z(1, 1), "a"), apply(1, z(2, 1), "b"), apply(2, z(1, 2), "c")}, RulePrefix},
		{"same txns in another order", []ev{apply(1, z(1, 1), "a"), apply(2, z(1, 2), "b")}, RulePrefix},
		{"applied twice", []ev{apply(1, z(1, 1), "a"), apply(1, z(1, 1), "a")}, RuleApplyOrder},
		{"restart from a committed snapshot", []ev{apply(1, z(1, 1), "a"), reset(2, ab), apply(2, z(1, 2), "b")}, ""},
		{"a snapshot nobody committed", []ev{reset(2, Chain{Zxid: z(1, 1), State: 1})}, RulePrefix},
		{"a snapshot with another state", []ev{apply(1, z(1, 1), "a"), reset(2, Chain{Zxid: z(1, 1), State: 1})}, RuleSameState},
		{"truncating uncommitted txns", []ev{apply(1, z(1, 1), "a"), trunc(2, z(1, 1), z(1, 2))}, ""},
		{"truncating a committed txn", []ev{apply(1, z(1, 1), "a"), apply(1, z(1, 2), "b"), trunc(2, z(1, 1), z(1, 2))}, RuleNoLoss},
		{"truncating below what was applied", []ev{apply(2, z(1, 1), "a"), trunc(2, 0)}, RuleNoLoss},
		{"one leader per epoch", []ev{lead(1, 1), lead(1, 1), lead(2, 2)}, ""},
		{"two leaders in an epoch", []ev{lead(1, 1), lead(2, 1)}, RuleOneLeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := NewChecker(func() int64 { return 7 })
			var err error
			for i, e := range tt.evs {
				err = e(ch)
				if i < len(tt.evs)-1 {
					require.NoError(t, err, "event %d", i)
				}
			}
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrViolation)
			var v *Violation
			require.ErrorAs(t, err, &v)
			assert.Equal(t, tt.want, v.Rule, v.Error())
			assert.Equal(t, int64(7), v.Step)
		})
	}
}
