package wire

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ensemble-go/ensemble/znode"
)

// outboxScript drives an outbox with steps and records what pop yields:
//
//	w<x>       queue a write with xid x (pending)
//	r<x>       queue a local op with xid x
//	i<x>       queue an immediate reply with xid x
//	d<x>@<z>   complete write x with zxid z
//	run@<z>    run the local ops at the head, observing zxid z
//	e<z>       deliver an event fired by zxid z
//	pop        pop everything that may go, appending "x<xid>" or "e<zxid>"
func outboxScript(t *testing.T, script string) string {
	t.Helper()
	var o outbox
	slots := map[string]*slot{}
	var out []string
	for _, step := range strings.Fields(script) {
		var x, z int64
		switch {
		case step == "pop":
			for {
				it, ok := o.pop()
				if !ok {
					break
				}
				if it.slot != nil {
					out = append(out, fmt.Sprintf("x%d", it.slot.xid))
				} else {
					out = append(out, fmt.Sprintf("e%d", it.event.Zxid))
				}
			}
		case strings.HasPrefix(step, "run@"):
			fmt.Sscanf(step, "run@%d", &z)
			for _, s := range o.localRun(maxLocalOps) {
				s.state, s.zxid = slotDone, z
			}
		case step[0] == 'w', step[0] == 'r', step[0] == 'i':
			fmt.Sscanf(step[1:], "%d", &x)
			s := &slot{xid: int32(x), state: slotPending}
			switch step[0] {
			case 'r':
				s.state, s.ops = slotLocal, []LocalOp{{Op: znode.OpGetData}}
			case 'i':
				s.state, s.immediate = slotDone, true
			}
			slots[step[1:]] = s
			o.push(s)
		case step[0] == 'd':
			var key string
			fmt.Sscanf(step, "d%d@%d", &x, &z)
			key = fmt.Sprint(x)
			slots[key].state, slots[key].zxid = slotDone, z
		case step[0] == 'e':
			fmt.Sscanf(step, "e%d", &z)
			o.deliver(znode.Event{Type: znode.EventNodeDataChanged, Path: "/p", Zxid: z})
		default:
			t.Fatalf("bad step %q", step)
		}
	}
	return strings.Join(out, " ")
}

func TestOutboxOrder(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"replies in request order whatever order writes complete in",
			"w1 w2 w3 d2@12 d3@13 pop d1@11 pop", "x1 x2 x3"},
		{"a read waits for the write before it",
			"w1 r2 pop run@0 pop d1@5 pop run@5 pop", "x1 x2"},
		{"an event fired before a write's txn goes before its reply",
			"w1 e9 d1@10 pop", "e9 x1"},
		{"an event of the write's own txn goes before its reply",
			"w1 e10 d1@10 pop", "e10 x1"},
		{"an event fired after a read goes after its reply",
			"r1 run@10 e11 pop", "x1 e11"},
		{"an event seen by a read goes before its reply",
			"r1 e10 run@10 pop", "e10 x1"},
		{"events flow while a write is pending",
			"w1 e3 e4 pop d1@5 pop", "e3 e4 x1"},
		{"replayed events (zxid -1) go before the setWatches reply",
			"r1 e-1 e-1 run@7 pop", "e-1 e-1 x1"},
		{"events keep their order across replies",
			"r1 r2 run@5 e6 e7 pop", "x1 x2 e6 e7"},
		{"immediate replies let queued events pass",
			"i1 e5 pop", "e5 x1"},
		{"immediate replies wait for earlier requests",
			"w1 i2 pop d1@3 pop", "x1 x2"},
		{"nothing to pop before the head is done",
			"w1 w2 d2@4 pop", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, outboxScript(t, tt.script))
		})
	}
}

func TestOutboxLocalRun(t *testing.T) {
	tests := []struct {
		name  string
		slots []*slot
		want  []int32 // xids run together
	}{
		{"consecutive reads run together", []*slot{local(1, 0), local(2, 0), local(3, 0)}, []int32{1, 2, 3}},
		{"a pending write ends the run", []*slot{local(1, 0), {xid: 2, state: slotPending}, local(3, 0)}, []int32{1}},
		{"done slots are skipped", []*slot{local(1, 0), {xid: 2, state: slotDone, immediate: true}, local(3, 0)}, []int32{1, 3}},
		{"new identities end the run", []*slot{local(1, 0), local(2, 1)}, []int32{1}},
		{"nothing runs behind a pending write", []*slot{{xid: 1, state: slotPending}, local(2, 0)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o outbox
			for _, s := range tt.slots {
				o.push(s)
			}
			var got []int32
			for _, s := range o.localRun(maxLocalOps) {
				got = append(got, s.xid)
				assert.Equal(t, slotRunning, s.state)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOutboxLocalRunIsBounded(t *testing.T) {
	var o outbox
	for i := range 3 * maxLocalOps {
		o.push(local(int32(i), 0))
	}
	assert.Len(t, o.localRun(maxLocalOps), maxLocalOps)
}

func local(xid int32, authVer uint64) *slot {
	return &slot{xid: xid, state: slotLocal, authVer: authVer, ops: []LocalOp{{Op: znode.OpGetData}}}
}
