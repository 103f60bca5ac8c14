package recipe_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
)

// TestIdempotentWritesAreRetried: writes that are safe to repeat succeed
// even when their answer is lost (the write applied, the caller told of a
// lost connection).
func TestIdempotentWritesAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		fault func(c *lossy)
		op    func(ctx context.Context, c *lossy) error
		check func(t *testing.T, ctx context.Context, c *lossy)
	}{
		{"PutConfig creating the znode", func(c *lossy) { c.creates.Store(2) },
			func(ctx context.Context, c *lossy) error {
				_, err := recipe.PutConfig(ctx, c, "/cfg/app", recipe.String(), "v")
				return err
			},
			func(t *testing.T, ctx context.Context, c *lossy) {
				data, _, err := c.Client.Get(ctx, "/cfg/app")
				require.NoError(t, err)
				assert.Equal(t, "v", string(data))
			}},
		{"Barrier.Raise and Lower", func(c *lossy) { c.creates.Store(1); c.deletes.Store(1) },
			func(ctx context.Context, c *lossy) error {
				b := recipe.NewBarrier(c, "/gate")
				if err := b.Raise(ctx); err != nil {
					return err
				}
				return b.Lower(ctx)
			},
			func(t *testing.T, ctx context.Context, c *lossy) {
				ok, _, err := c.Client.Exists(ctx, "/gate")
				require.NoError(t, err)
				assert.False(t, ok)
			}},
		{"Membership.Leave", func(c *lossy) { c.deletes.Store(1) },
			func(ctx context.Context, c *lossy) error {
				m, err := recipe.NewGroup(c, "/group").Join(ctx, "me", nil)
				if err != nil {
					return err
				}
				return m.Leave(ctx)
			},
			func(t *testing.T, ctx context.Context, c *lossy) {
				kids, _, err := c.Client.Children(ctx, "/group")
				require.NoError(t, err)
				assert.Empty(t, kids)
			}},
		{"DoubleBarrier of one", func(c *lossy) { c.creates.Store(3); c.deletes.Store(2) },
			func(ctx context.Context, c *lossy) error {
				b := recipe.NewDoubleBarrier(c, "/double", 1, "me")
				if err := b.Enter(ctx); err != nil {
					return err
				}
				return b.Leave(ctx)
			},
			func(t *testing.T, ctx context.Context, c *lossy) {
				kids, _, err := c.Client.Children(ctx, "/double")
				require.NoError(t, err)
				assert.Empty(t, kids)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			c := &lossy{Client: newClient(t, standalone(t), sessionTimeout)}
			tt.fault(c)
			require.NoError(t, tt.op(ctx, c))
			tt.check(t, ctx, c)
		})
	}
}
