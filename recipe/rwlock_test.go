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

// TestRWLockReadersShareWritersExclude: readers and writers on separate
// sessions take the lock many times; at every moment there is either one
// writer and no reader, or no writer.
func TestRWLockReadersShareWritersExclude(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const readers, writers, rounds = 4, 2, 6
	var nr, nw atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, readers+writers)
	check := func() {
		r, w := nr.Load(), nw.Load()
		if w > 1 || (w == 1 && r > 0) {
			errs <- fmt.Errorf("%d writers and %d readers at once", w, r)
		}
	}
	for i := range readers + writers {
		rw := recipe.NewRWLock(newClient(t, n, sessionTimeout), "/locks/rw", fmt.Sprint("c", i))
		l, count := rw.Reader(), &nr
		if i >= readers {
			l, count = rw.Writer(), &nw
		}
		wg.Go(func() {
			for range rounds {
				held, err := l.Lock(ctx)
				if err != nil {
					errs <- err
					return
				}
				count.Add(1)
				check()
				// A round trip to the peer while holding, so holders
				// overlap if they can.
				_, err = l.Contenders(held)
				check()
				count.Add(-1)
				if err == nil {
					err = l.Unlock(ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestRWLockQueueOrder: a writer queued behind readers waits for them, and
// a reader queued behind that writer waits for it, while readers queued
// together share.
func TestRWLockQueueOrder(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	rw := func(id string) *recipe.RWLock {
		return recipe.NewRWLock(newClient(t, n, sessionTimeout), "/locks/order", id)
	}
	r1, r2 := rw("r1").Reader(), rw("r2").Reader()
	_, err := r1.Lock(ctx)
	require.NoError(t, err)
	_, err = r2.TryLock(ctx)
	require.NoError(t, err, "readers share")

	w := rw("w").Writer()
	_, err = w.TryLock(ctx)
	require.ErrorIs(t, err, recipe.ErrLocked, "a writer waits for readers")
	wDone := make(chan error, 1)
	go func() {
		_, err := w.Lock(ctx)
		wDone <- err
	}()
	waitFor(t, ctx, "the writer to queue", func() bool {
		ids, err := r1.Contenders(ctx)
		return err == nil && len(ids) == 3
	})
	r3 := rw("r3").Reader()
	_, err = r3.TryLock(ctx)
	require.ErrorIs(t, err, recipe.ErrLocked, "a reader waits for a writer queued before it")

	require.NoError(t, r1.Unlock(ctx))
	require.NoError(t, r2.Unlock(ctx))
	require.NoError(t, <-wDone)
	ids, err := r1.Contenders(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"w"}, ids)
	require.NoError(t, w.Unlock(ctx))
	_, err = r3.TryLock(ctx)
	require.NoError(t, err)
	require.NoError(t, r3.Unlock(ctx))
}
