package znode

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Reads check the permissions ZooKeeper 3.8.4's FinalRequestProcessor
// checks.
func TestReadPermissions(t *testing.T) {
	h := newHarness(t, Options{})
	h.mustOK(testSession, CreateRequest{Path: "/noread", Data: []byte("x"), ACL: []ACL{{PermAll &^ PermRead, Identity{"world", "anyone"}}}})
	h.mustOK(testSession, CreateRequest{Path: "/readonly", ACL: ReadACL})
	h.mustOK(testSession, CreateRequest{Path: "/adminonly", ACL: []ACL{{PermAdmin, Identity{"world", "anyone"}}}})
	h.mustOK(testSession, CreateRequest{Path: "/none", ACL: []ACL{{0, Identity{"world", "anyone"}}}})
	none := Auth{}
	tests := []struct {
		name string
		read func(path string, a Auth) error
		perm map[string]error // path → error without auth
	}{
		{"getData needs READ", func(p string, a Auth) error { _, _, err := h.tree.Get(p, a); return err },
			map[string]error{"/noread": ErrNoAuth, "/readonly": nil, "/adminonly": ErrNoAuth, "/none": ErrNoAuth, "/missing": ErrNoNode}},
		{"exists needs READ (ZOOKEEPER-2590)", func(p string, a Auth) error { _, err := h.tree.Exists(p, a); return err },
			map[string]error{"/noread": ErrNoAuth, "/readonly": nil, "/adminonly": ErrNoAuth, "/none": ErrNoAuth, "/missing": ErrNoNode, "/a\x00": ErrBadArguments}},
		{"getChildren needs READ", func(p string, a Auth) error { _, _, err := h.tree.Children(p, a); return err },
			map[string]error{"/noread": ErrNoAuth, "/readonly": nil, "/adminonly": ErrNoAuth, "/none": ErrNoAuth, "/missing": ErrNoNode}},
		{"getACL needs READ or ADMIN", func(p string, a Auth) error { _, _, err := h.tree.GetACL(p, a); return err },
			map[string]error{"/noread": nil, "/readonly": nil, "/adminonly": nil, "/none": ErrNoAuth, "/missing": ErrNoNode}},
		{"getAllChildrenNumber needs READ", func(p string, a Auth) error { _, err := h.tree.AllChildrenNumber(p, a); return err },
			map[string]error{"/noread": ErrNoAuth, "/readonly": nil, "/adminonly": ErrNoAuth, "/none": ErrNoAuth, "/missing": ErrNoNode}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for path, want := range tt.perm {
				err := tt.read(path, none)
				if want == nil {
					assert.NoError(t, err, path)
				} else {
					assert.ErrorIs(t, err, want, path)
				}
				if want == ErrNoAuth {
					assert.NoError(t, tt.read(path, Auth{Identities: []Identity{super()}}), "super reads %s", path)
				}
			}
		})
	}
}

func TestGetACLMasksDigestWithoutAdmin(t *testing.T) {
	h := newHarness(t, Options{})
	acl := []ACL{{PermRead, Identity{"world", "anyone"}}, {PermAll, alice}}
	h.mustOK(testSession, CreateRequest{Path: "/s", ACL: acl})
	got, _, err := h.tree.GetACL("/s", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []ACL{acl[0], {PermAll, Identity{"digest", "alice:x"}}}, got)
	got, _, err = h.tree.GetACL("/s", Auth{Identities: []Identity{alice}})
	require.NoError(t, err)
	assert.Equal(t, acl, got)
}

func TestChildrenAndCounts(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range []string{"/a", "/a/c", "/a/b", "/a/b/x", "/a/b/x/y", "/a!", "/a!/z", "/ab", "/b"} {
		h.create(p, "")
	}
	children, st, err := h.tree.Children("/a", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "c"}, children, "sorted")
	assert.Equal(t, int32(2), st.NumChildren)
	children, _, err = h.tree.Children("/a/c", Auth{})
	require.NoError(t, err)
	assert.Empty(t, children)
	children, _, err = h.tree.Children("/", Auth{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a!", "ab", "b", "zookeeper"}, children)

	for path, want := range map[string]int{"/a": 4, "/a/b": 2, "/a/c": 0, "/a!": 1, "/": 9 + 3, "/zookeeper": 2} {
		n, err := h.tree.AllChildrenNumber(path, Auth{})
		require.NoError(t, err)
		assert.Equal(t, want, n, path)
	}
	assert.Equal(t, 4+9, h.tree.NodeCount())
}

func TestReadsOfStrangePaths(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range []string{"", "a", "/a/", "//", "/zookeeper/"} {
		_, _, err := h.tree.Get(p, Auth{})
		assert.ErrorIs(t, err, ErrNoNode, "%q", p)
	}
}
