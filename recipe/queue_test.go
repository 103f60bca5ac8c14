package recipe_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/recipe"
)

func TestQueueIsFIFO(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	q := recipe.NewQueue(newClient(t, n, sessionTimeout), "/queues/fifo")
	_, err := q.TryTake(ctx)
	require.ErrorIs(t, err, recipe.ErrEmpty)
	for i := range 5 {
		require.NoError(t, q.Put(ctx, []byte(fmt.Sprint("item-", i))))
	}
	l, err := q.Len(ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, l)
	for i := range 5 {
		data, err := q.Take(ctx)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprint("item-", i), string(data))
	}
	_, err = q.TryTake(ctx)
	require.ErrorIs(t, err, recipe.ErrEmpty)

	// Take blocks until an item comes, and honours its context.
	got := make(chan string, 1)
	go func() {
		data, err := q.Take(ctx)
		assert.NoError(t, err)
		got <- string(data)
	}()
	require.NoError(t, recipe.NewQueue(newClient(t, n, sessionTimeout), "/queues/fifo").Put(ctx, []byte("late")))
	assert.Equal(t, "late", <-got)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = q.Take(cctx)
	require.ErrorIs(t, err, context.Canceled)
}

// TestQueueDeliversEachItemOnce: producers and consumers on separate
// sessions; every item is taken exactly once, and each producer's items
// are taken in the order it put them.
func TestQueueDeliversEachItemOnce(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const producers, consumers, items = 3, 3, 15
	var wg sync.WaitGroup
	for p := range producers {
		q := recipe.NewQueue(newClient(t, n, sessionTimeout), "/queues/work")
		wg.Go(func() {
			for i := range items {
				assert.NoError(t, q.Put(ctx, fmt.Appendf(nil, "%d/%02d", p, i)))
			}
		})
	}
	var mu sync.Mutex
	taken := map[string]int{}
	var order [][]string
	// Consumers block in Take; once every item is taken, cctx ends them.
	cctx, allTaken := context.WithCancel(ctx)
	defer allTaken()
	for range consumers {
		q := recipe.NewQueue(newClient(t, n, sessionTimeout), "/queues/work")
		wg.Go(func() {
			var mine []string
			defer func() {
				mu.Lock()
				order = append(order, mine)
				mu.Unlock()
			}()
			for {
				data, err := q.Take(cctx)
				if err != nil {
					if cctx.Err() == nil {
						assert.NoError(t, err)
					}
					return
				}
				mine = append(mine, string(data))
				mu.Lock()
				taken[string(data)]++
				if len(taken) == producers*items {
					allTaken()
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Len(t, taken, producers*items)
	for item, times := range taken {
		assert.Equal(t, 1, times, "item %s taken %d times", item, times)
	}
	// Within one consumer, one producer's items come in order.
	for _, seq := range order {
		last := map[byte]string{}
		for _, item := range seq {
			assert.Greater(t, item, last[item[0]], "out of order: %v", seq)
			last[item[0]] = item
		}
	}
}
