package recipe_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/znode"
)

func names(ms []recipe.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestGroupMembership(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	g := recipe.NewGroup(newClient(t, n, sessionTimeout), "/services/api")
	ms, err := g.Members(ctx)
	require.NoError(t, err)
	assert.Empty(t, ms, "a group that does not exist has no members")

	wctx, stop := context.WithCancel(ctx)
	watch := g.Watch(wctx)
	got := <-watch
	assert.Empty(t, got)

	c1, c2 := newClient(t, n, sessionTimeout), newClient(t, n, sessionTimeout)
	m1, err := recipe.NewGroup(c1, "/services/api").Join(ctx, "host-1", []byte("10.0.0.1:80"))
	require.NoError(t, err)
	assert.Equal(t, "host-1", m1.Name())
	m2, err := recipe.NewGroup(c2, "/services/api").Join(ctx, "", []byte("10.0.0.2:80"))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(m2.Name(), "__party__"), "kazoo Party's name: %s", m2.Name())
	_, err = recipe.NewGroup(c2, "/services/api").Join(ctx, "host-1", nil)
	require.ErrorIs(t, err, znode.ErrNodeExists)

	want := []string{m2.Name(), "host-1"}
	if want[1] < want[0] {
		want[0], want[1] = want[1], want[0]
	}
	for got := range watch {
		if assert.ObjectsAreEqual(want, names(got)) {
			break
		}
	}
	ms, err = g.Members(ctx)
	require.NoError(t, err)
	require.Len(t, ms, 2)
	for _, m := range ms {
		if m.Name == "host-1" {
			assert.Equal(t, []byte("10.0.0.1:80"), m.Data)
		}
	}

	// Leaving, and a member's session ending, both remove it.
	require.NoError(t, m1.Leave(ctx))
	require.NoError(t, m1.Leave(ctx), "leaving twice is fine")
	require.NoError(t, c2.Close())
	ms, err = g.Members(ctx)
	require.NoError(t, err)
	assert.Empty(t, ms)

	stop()
	for range watch {
	}
}
