package recipe

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNodeNames(t *testing.T) {
	u := newUUID()
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), u)
	assert.Equal(t, byte('4'), u[12], "a version 4 UUID")
	assert.Equal(t, u+"__lock__", kazooWriter.name(u))
	assert.Equal(t, u+"__rlock__", kazooReader.name(u))
	assert.Regexp(t, regexp.MustCompile(`^_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-lock-$`), curator{}.name(u))
	assert.NotEqual(t, u, newUUID())
}

func TestPredecessor(t *testing.T) {
	const (
		w1 = "aaaa__lock__0000000001"
		r2 = "bbbb__rlock__0000000002"
		w3 = "cccc__lock__0000000003"
		r4 = "dddd__rlock__0000000004"
		w5 = "0000__lock__0000000005"
	)
	all := []string{r4, w1, "other", w5, r2, w3, "x__lock__12"}
	tests := []struct {
		name     string
		order    ordering
		children []string
		self     string
		pred     string
		found    bool
	}{
		{"first writer holds", kazooWriter, all, w1, "", true},
		{"reader after a writer waits for it", kazooReader, all, r2, w1, true},
		{"writer waits for the reader just before it", kazooWriter, all, w3, r2, true},
		{"reader skips readers, waits for the last writer before it", kazooReader, all, r4, w3, true},
		// kazoo 2.8 would make r4 wait for w5 too, which waits for r4:
		// issue 649's deadlock.
		{"reader ignores writers after it", kazooReader, []string{r4, w5}, r4, "", true},
		{"readers share", kazooReader, []string{r2, r4}, r4, "", true},
		{"writer after readers waits for the last", kazooWriter, []string{r2, r4, w5}, w5, r4, true},
		{"order is by sequence, not name", kazooWriter, []string{w5, w3}, w5, w3, true},
		{"names without a 10-digit sequence are not contenders", kazooWriter, []string{"x__lock__12", w3}, w3, "", true},
		{"self gone", kazooWriter, []string{w1}, w3, "", false},
		{"self not a contender name", kazooWriter, []string{"other"}, "other", "", false},
		{"curator: first holds", curator{}, []string{"_c_b-lock-0000000002", "_c_a-lock-0000000001"}, "_c_a-lock-0000000001", "", true},
		{"curator: waits for the one before", curator{}, []string{"_c_b-lock-0000000002", "_c_a-lock-0000000001"}, "_c_b-lock-0000000002", "_c_a-lock-0000000001", true},
		// Curator counts every child, ordered by what follows "lock-".
		{"curator: other children count", curator{}, []string{"_c_a-lock-0000000003", "0000000002"}, "_c_a-lock-0000000003", "0000000002", true},
		{"curator: self gone", curator{}, []string{"_c_a-lock-0000000001"}, "_c_b-lock-0000000002", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pred, found := tt.order.predecessor(tt.children, tt.self)
			assert.Equal(t, tt.found, found)
			assert.Equal(t, tt.pred, pred)
		})
	}
}

func TestContenders(t *testing.T) {
	tests := []struct {
		name     string
		order    ordering
		children []string
		want     []string
	}{
		{"kazoo: both kinds by sequence", kazooWriter,
			[]string{"z__lock__0000000003", "other", "a__rlock__0000000002", "m__lock__0000000001"},
			[]string{"m__lock__0000000001", "a__rlock__0000000002", "z__lock__0000000003"}},
		{"kazoo: none", kazooWriter, []string{"other"}, []string{}},
		{"curator: every child", curator{},
			[]string{"_c_x-lock-0000000002", "_c_y-lock-0000000001"},
			[]string{"_c_y-lock-0000000001", "_c_x-lock-0000000002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.order.contenders(tt.children))
		})
	}
}

func TestPathHelpers(t *testing.T) {
	assert.Equal(t, "/a", join("/", "a"))
	assert.Equal(t, "/a/b", join("/a", "b"))
	assert.Equal(t, "b", base("/a/b"))
	assert.Equal(t, "8e3f1a2b-0c4d-4e5f-8a9b-0c1d2e3f4a5b", dashed("8e3f1a2b0c4d4e5f8a9b0c1d2e3f4a5b"))
}

// FuzzLockOrder: for any set of children, following each contender's
// predecessor always ends, at a contender that holds (no one waits for
// itself, directly or around a cycle: a deadlock), and a predecessor is
// always one of the children.
func FuzzLockOrder(f *testing.F) {
	f.Add("aaaa__lock__0000000001\nbbbb__rlock__0000000002\ncccc__lock__0000000003")
	f.Add("x__rlock__0000000005\ny__lock__0000000004\nz__rlock__-000000001\nother")
	f.Add("_c_a-lock-0000000002\n_c_b-lock-0000000001\nlock-\n0000000003")
	f.Add("__lock__0000000001\n__lock__0000000001")
	f.Fuzz(func(t *testing.T, list string) {
		children := strings.Split(list, "\n")
		// Each kazoo node waits by the rule of its own kind.
		kazooKind := func(name string) ordering {
			if m := kazooAny.FindString(name); strings.HasPrefix(m, kazooRead) {
				return kazooReader
			}
			return kazooWriter
		}
		curatorKind := func(string) ordering { return curator{} }
		for _, kind := range []func(string) ordering{kazooKind, curatorKind} {
			for _, self := range children {
				seen := map[string]bool{}
				for node := self; ; {
					o := kind(node)
					if seen[node] {
						t.Fatalf("%T: %q waits for itself around %v", o, self, seen)
					}
					seen[node] = true
					pred, found := o.predecessor(children, node)
					if !found || pred == "" {
						break
					}
					if !slices.Contains(children, pred) {
						t.Fatalf("%T: predecessor %q of %q is not a child", o, pred, node)
					}
					node = pred
				}
			}
		}
	})
}
