package recipe_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/znode"
)

// TestCounterUnderContention: adders on separate sessions; no increment
// is lost.
func TestCounterUnderContention(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const adders, adds = 4, 10
	var wg sync.WaitGroup
	for range adders {
		k := recipe.NewCounter(newClient(t, n, sessionTimeout), "/counters/hits")
		wg.Go(func() {
			for range adds {
				_, err := k.Add(ctx, 1)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	v, _, err := recipe.NewCounter(newClient(t, n, sessionTimeout), "/counters/hits").Value(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(adders*adds), v)
}

func TestCounterCompareAndSet(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	c := newClient(t, n, sessionTimeout)
	k := recipe.NewCounter(c, "/counters/cas")
	v, version, err := k.Value(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(0), v)
	assert.Equal(t, int32(-1), version)

	ok, err := k.CompareAndSet(ctx, version, 10)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = k.CompareAndSet(ctx, version, 20)
	require.NoError(t, err)
	assert.False(t, ok, "stale: the counter exists now")
	v, version, err = k.Value(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(10), v)
	ok, err = k.CompareAndSet(ctx, version, -5)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = k.CompareAndSet(ctx, version, 99)
	require.NoError(t, err)
	assert.False(t, ok, "stale version")
	got, err := k.Add(ctx, 7)
	require.NoError(t, err)
	assert.Equal(t, int64(2), got)

	// Data that is not a decimal integer is an error; empty data is 0.
	tests := []struct {
		data string
		want int64
		err  error
	}{
		{"", 0, nil},
		{"42", 42, nil},
		{"-3", -3, nil},
		{"1.5", 0, recipe.ErrNotCounter},
		{"\x00\x00\x00\x01", 0, recipe.ErrNotCounter}, // Curator's SharedCount format
	}
	for _, tt := range tests {
		_, err := c.Create(ctx, "/counters/odd", []byte(tt.data), znode.Persistent, nil)
		require.NoError(t, err)
		v, _, err := recipe.NewCounter(c, "/counters/odd").Value(ctx)
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, "%q", tt.data)
		} else {
			assert.NoError(t, err)
			assert.Equal(t, tt.want, v, "%q", tt.data)
		}
		require.NoError(t, c.Delete(ctx, "/counters/odd", -1))
	}
}
