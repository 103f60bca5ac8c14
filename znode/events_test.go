package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Apply returns the events ZooKeeper's DataTree fires.
func TestEvents(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want func(z int64) []Event
	}{
		{"create", CreateRequest{Path: "/p/new", ACL: OpenACL}, func(z int64) []Event {
			return []Event{{EventNodeCreated, "/p/new", z}, {EventNodeChildrenChanged, "/p", z}}
		}},
		{"create under root", CreateRequest{Path: "/new", ACL: OpenACL}, func(z int64) []Event {
			return []Event{{EventNodeCreated, "/new", z}, {EventNodeChildrenChanged, "/", z}}
		}},
		{"create sequential", CreateRequest{Path: "/p/s", ACL: OpenACL, Mode: EphemeralSequential}, func(z int64) []Event {
			return []Event{{EventNodeCreated, "/p/s0000000001", z}, {EventNodeChildrenChanged, "/p", z}}
		}},
		{"delete", DeleteRequest{Path: "/p/child", Version: -1}, func(z int64) []Event {
			return []Event{{EventNodeDeleted, "/p/child", z}, {EventNodeChildrenChanged, "/p", z}}
		}},
		{"setData", SetDataRequest{Path: "/p", Version: -1}, func(z int64) []Event {
			return []Event{{EventNodeDataChanged, "/p", z}}
		}},
		{"setACL fires nothing", SetACLRequest{Path: "/p", ACL: OpenACL, Version: -1}, func(int64) []Event { return nil }},
		{"check fires nothing", CheckRequest{Path: "/p", Version: -1}, func(int64) []Event { return nil }},
		{"failure fires nothing", DeleteRequest{Path: "/p", Version: -1}, func(int64) []Event { return nil }},
		{"createSession fires nothing", CreateSessionRequest{Timeout: 1}, func(int64) []Event { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := fixture(t, Options{})
			_, ev := h.do(testSession, tt.req)
			assert.Equal(t, tt.want(h.zxid), ev)
		})
	}
}
