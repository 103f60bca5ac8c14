package recipe_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
)

func TestBarrier(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	coord := recipe.NewBarrier(newClient(t, n, sessionTimeout), "/barriers/start")
	require.NoError(t, coord.Wait(ctx), "a barrier that is down lets through")
	require.NoError(t, coord.Raise(ctx))
	require.NoError(t, coord.Raise(ctx), "raising twice is fine")

	const workers = 3
	var lowered atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		b := recipe.NewBarrier(newClient(t, n, sessionTimeout), "/barriers/start")
		wg.Go(func() {
			if err := b.Wait(ctx); err != nil {
				errs <- err
				return
			}
			if !lowered.Load() {
				errs <- fmt.Errorf("passed a barrier that was up")
			}
		})
	}
	lowered.Store(true)
	require.NoError(t, coord.Lower(ctx))
	require.NoError(t, coord.Lower(ctx), "lowering twice is fine")
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestDoubleBarrier: nobody gets past Enter before all have entered, and
// nobody gets past Leave before all have left; twice over, since the
// barrier can be used again.
func TestDoubleBarrier(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const procs = 4
	clients := make([]*recipe.DoubleBarrier, procs)
	for i := range clients {
		clients[i] = recipe.NewDoubleBarrier(newClient(t, n, sessionTimeout), "/barriers/double", procs, fmt.Sprint("p", i))
	}
	for round := range 2 {
		var entered, passed, left atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, 2*procs)
		for _, b := range clients {
			wg.Go(func() {
				entered.Add(1)
				if err := b.Enter(ctx); err != nil {
					errs <- err
					return
				}
				if e := entered.Load(); e != procs {
					errs <- fmt.Errorf("round %d: through Enter with %d of %d entered", round, e, procs)
				}
				passed.Add(1)
				left.Add(1)
				if err := b.Leave(ctx); err != nil {
					errs <- err
					return
				}
				if l := left.Load(); l != procs {
					errs <- fmt.Errorf("round %d: through Leave with %d of %d leaving", round, l, procs)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, int32(procs), passed.Load())
	}
}
