package recipe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
)

type settings struct {
	Workers int    `json:"workers"`
	Mode    string `json:"mode"`
}

// TestConfigWatcherSeesEveryFinalValue: writers on several sessions
// change the value in bursts; after each burst, watchers on other
// sessions hold the burst's last value and have delivered it.
func TestConfigWatcherSeesEveryFinalValue(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	codec := recipe.JSON[settings]()
	const watchers, writers, bursts, perWriter = 3, 3, 5, 4
	ws := make([]*recipe.Config[settings], watchers)
	for i := range ws {
		w, err := recipe.WatchConfig(ctx, newClient(t, n, sessionTimeout), "/app/config", codec)
		require.NoError(t, err)
		t.Cleanup(func() { w.Close() })
		_, ok := w.Value()
		assert.False(t, ok, "no value before the first write")
		ws[i] = w
	}
	wcs := make([]*ensembleClient, writers)
	for i := range wcs {
		wcs[i] = &ensembleClient{newClient(t, n, sessionTimeout)}
	}
	for b := range bursts {
		var wg sync.WaitGroup
		for i, c := range wcs {
			wg.Go(func() {
				for k := range perWriter {
					_, err := recipe.PutConfig(ctx, c, "/app/config", codec, settings{Workers: b*100 + i*10 + k, Mode: "burst"})
					assert.NoError(t, err)
				}
			})
		}
		wg.Wait()
		// The final value is whatever landed last; one more write makes
		// it known.
		final := settings{Workers: b, Mode: fmt.Sprint("final-", b)}
		version, err := recipe.PutConfig(ctx, wcs[0], "/app/config", codec, final)
		require.NoError(t, err)
		for _, w := range ws {
			next(t, ctx, w.Changes(), final)
			v, ok := w.Value()
			assert.True(t, ok)
			assert.Equal(t, final, v)
			assert.Equal(t, version, w.Version())
			require.NoError(t, w.Err())
		}
	}
}

// ensembleClient hides the concrete type, so PutConfig is seen to need
// only the interface.
type ensembleClient struct{ recipe.Client }

func TestConfigLifecycle(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	c := newClient(t, n, sessionTimeout)
	_, err := recipe.PutConfig(ctx, c, "/svc/name", recipe.String(), "first")
	require.NoError(t, err)

	wctx, cancel := context.WithCancel(ctx)
	w, err := recipe.WatchConfig(wctx, newClient(t, n, sessionTimeout), "/svc/name", recipe.String())
	require.NoError(t, err)
	v, ok := w.Value()
	assert.True(t, ok)
	assert.Equal(t, "first", v)

	// Data that does not decode is reported and otherwise ignored.
	ints, err := recipe.WatchConfig(ctx, newClient(t, n, sessionTimeout), "/svc/name", recipe.JSON[int]())
	require.NoError(t, err)
	assert.Error(t, ints.Err())
	_, ok = ints.Value()
	assert.False(t, ok)
	_, err = recipe.PutConfig(ctx, c, "/svc/name", recipe.String(), "7")
	require.NoError(t, err)
	next(t, ctx, ints.Changes(), 7)
	require.NoError(t, ints.Err())
	require.NoError(t, ints.Close())
	assert.ErrorIs(t, ints.Err(), recipe.ErrClosed)
	_, open := <-ints.Changes()
	assert.False(t, open)

	// Deleted and created again, even at the same version, is a change.
	next(t, ctx, w.Changes(), "7")
	require.NoError(t, c.Delete(ctx, "/svc/name", -1))
	_, err = recipe.PutConfig(ctx, c, "/svc/name", recipe.String(), "second")
	require.NoError(t, err)
	next(t, ctx, w.Changes(), "second")
	assert.Equal(t, int32(0), w.Version())

	// Canceling the context ends the watcher and closes the channel.
	cancel()
	for range w.Changes() {
	}
	assert.ErrorIs(t, w.Err(), context.Canceled)
	require.NoError(t, w.Close())

	// A watcher whose session ends stops too.
	sc := newClient(t, n, sessionTimeout)
	s, err := recipe.WatchConfig(ctx, sc, "/svc/name", recipe.String())
	require.NoError(t, err)
	require.NoError(t, sc.Close())
	for range s.Changes() {
	}
	assert.Error(t, s.Err())

	// Bad codecs are errors, not panics.
	_, err = recipe.PutConfig(ctx, c, "/svc/bad", recipe.JSON[func()](), func() {})
	var unsupported *json.UnsupportedTypeError
	assert.ErrorAs(t, err, &unsupported)
}
