package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/znode"
)

// The in-process client is a recipe.Client as it is.
var _ recipe.Client = (*ensemble.Client)(nil)

// TestLockContendersNeverOverlap: contenders on separate sessions take the
// lock in turn; inside it each does an unguarded read-modify-write of a
// znode. A shared count of holders never exceeds one, and no update is
// lost.
func TestLockContendersNeverOverlap(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const contenders, rounds = 5, 8
	setup := newClient(t, n, sessionTimeout)
	_, err := setup.Create(ctx, "/count", []byte("0"), znode.Persistent, nil)
	require.NoError(t, err)

	var holders, maxHolders atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, contenders)
	for i := range contenders {
		c := newClient(t, n, sessionTimeout)
		l := recipe.NewLock(c, "/locks/count", fmt.Sprint("worker-", i))
		wg.Go(func() {
			for range rounds {
				held, err := l.Lock(ctx)
				if err != nil {
					errs <- err
					return
				}
				h := holders.Add(1)
				for m := maxHolders.Load(); h > m && !maxHolders.CompareAndSwap(m, h); m = maxHolders.Load() {
				}
				data, _, err := c.Get(held, "/count")
				if err == nil {
					v, _ := strconv.Atoi(string(data))
					_, err = c.Set(held, "/count", []byte(strconv.Itoa(v+1)), -1)
				}
				holders.Add(-1)
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
	assert.Equal(t, int32(1), maxHolders.Load(), "two contenders held the lock at once")
	data, _, err := setup.Get(ctx, "/count")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(contenders*rounds), string(data), "an update was lost")
	kids, _, err := setup.Children(ctx, "/locks/count")
	require.NoError(t, err)
	assert.Empty(t, kids, "every contender's node is gone")
}

// recorder is a client that records which paths a contender watches.
type recorder struct {
	recipe.Client
	mu      sync.Mutex
	watched []string
}

func (r *recorder) GetW(ctx context.Context, path string) ([]byte, znode.Stat, <-chan znode.Event, error) {
	r.mu.Lock()
	r.watched = append(r.watched, path)
	r.mu.Unlock()
	return r.Client.GetW(ctx, path)
}

func (r *recorder) ExistsW(ctx context.Context, path string) (bool, znode.Stat, <-chan znode.Event, error) {
	r.mu.Lock()
	r.watched = append(r.watched, path)
	r.mu.Unlock()
	return r.Client.ExistsW(ctx, path)
}

func (r *recorder) ChildrenW(ctx context.Context, path string) ([]string, znode.Stat, <-chan znode.Event, error) {
	r.mu.Lock()
	r.watched = append(r.watched, path+" (children)")
	r.mu.Unlock()
	return r.Client.ChildrenW(ctx, path)
}

func (r *recorder) paths() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.watched...)
}

// TestLockIsFairAndWaitersWatchOnlyTheirPredecessor: waiters get the lock
// in the order they queued, and each watches only the node just before
// its own (and, once it holds the lock, its own): no herd.
func TestLockIsFairAndWaitersWatchOnlyTheirPredecessor(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	const waiters = 4
	first := recipe.NewLock(newClient(t, n, sessionTimeout), "/locks/fair", "holder")
	_, err := first.Lock(ctx)
	require.NoError(t, err)

	order := make(chan string, waiters)
	recs := make([]*recorder, waiters)
	locks := make([]*recipe.Lock, waiters)
	var wg sync.WaitGroup
	for i := range waiters {
		name := fmt.Sprint("waiter-", i)
		recs[i] = &recorder{Client: newClient(t, n, sessionTimeout)}
		locks[i] = recipe.NewLock(recs[i], "/locks/fair", name)
		wg.Go(func() {
			if _, err := locks[i].Lock(ctx); err != nil {
				order <- err.Error()
				return
			}
			order <- name
			locks[i].Unlock(ctx)
		})
		// Queue one at a time, so the queue's order is known.
		waitFor(t, ctx, fmt.Sprintf("%d contenders", i+2), func() bool {
			ids, err := first.Contenders(ctx)
			return err == nil && len(ids) == i+2
		})
	}
	require.NoError(t, first.Unlock(ctx))
	wg.Wait()
	close(order)
	var got []string
	for name := range order {
		got = append(got, name)
	}
	assert.Equal(t, []string{"waiter-0", "waiter-1", "waiter-2", "waiter-3"}, got)

	// Each waiter watched one other node, then its own.
	for i, r := range recs {
		paths := r.paths()
		require.NotEmpty(t, paths, "waiter %d", i)
		others := map[string]bool{}
		for _, p := range paths {
			require.True(t, strings.HasPrefix(p, "/locks/fair/"), "waiter %d watched %s", i, p)
			others[p] = true
		}
		assert.LessOrEqual(t, len(others), 2, "waiter %d watched %v: a herd", i, paths)
	}
}

// waitFor polls cond until it holds, failing the test when ctx ends. It
// is for conditions that no event announces (how many contenders queue).
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-timeAfter(tick / 5):
		}
	}
}

func TestLockHonoursTheContext(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	holder := recipe.NewLock(newClient(t, n, sessionTimeout), "/locks/ctx", "holder")
	_, err := holder.Lock(ctx)
	require.NoError(t, err)

	waiter := recipe.NewLock(newClient(t, n, sessionTimeout), "/locks/ctx", "waiter")
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Lock(wctx)
		done <- err
	}()
	waitFor(t, ctx, "the waiter to queue", func() bool {
		ids, err := holder.Contenders(ctx)
		return err == nil && len(ids) == 2
	})
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	ids, err := holder.Contenders(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"holder"}, ids, "the waiter left the queue")
	assert.False(t, waiter.Held())

	// The waiter can try again, and gets the lock once it is free.
	require.NoError(t, holder.Unlock(ctx))
	_, err = waiter.Lock(ctx)
	require.NoError(t, err)
	assert.True(t, waiter.Held())
	require.NoError(t, waiter.Unlock(ctx))
}

func TestTryLockAndUnlock(t *testing.T) {
	for name, newLock := range map[string]func(recipe.Client, string, string) *recipe.Lock{
		"kazoo":   recipe.NewLock,
		"curator": recipe.NewCuratorLock,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			n := standalone(t)
			a := newLock(newClient(t, n, sessionTimeout), "/locks/try", "a")
			b := newLock(newClient(t, n, sessionTimeout), "/locks/try", "b")

			require.ErrorIs(t, a.Unlock(ctx), recipe.ErrNotHeld)
			held, err := a.TryLock(ctx)
			require.NoError(t, err)
			_, err = b.TryLock(ctx)
			require.ErrorIs(t, err, recipe.ErrLocked)
			_, err = a.TryLock(ctx) // one contender holds once
			require.ErrorIs(t, err, recipe.ErrLocked)
			ids, err := b.Contenders(ctx)
			require.NoError(t, err)
			assert.Equal(t, []string{"a"}, ids, "a failed TryLock leaves no node")

			// b queues behind a and gets the lock when a unlocks.
			got := make(chan error, 1)
			go func() {
				_, err := b.Lock(ctx)
				got <- err
			}()
			waitFor(t, ctx, "b to queue", func() bool {
				ids, err := a.Contenders(ctx)
				return err == nil && len(ids) == 2
			})
			require.NoError(t, a.Unlock(ctx))
			ended(t, ctx, held.Done(), "the holder to learn")
			assert.ErrorIs(t, context.Cause(held), recipe.ErrReleased)
			require.ErrorIs(t, a.Unlock(ctx), recipe.ErrNotHeld)
			require.NoError(t, <-got)
			require.NoError(t, b.Unlock(ctx))
		})
	}
}

// TestOneLockSharedByGoroutines: goroutines sharing one *Lock take it in
// turn, as with sync.Mutex.
func TestOneLockSharedByGoroutines(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	l := recipe.NewLock(newClient(t, n, sessionTimeout), "/locks/shared", "me")
	var holders atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for range 5 {
				if _, err := l.Lock(ctx); err != nil {
					errs <- err
					return
				}
				if holders.Add(1) != 1 {
					errs <- errors.New("two goroutines hold the lock")
				}
				holders.Add(-1)
				if err := l.Unlock(ctx); err != nil {
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

// TestHolderLearnsOfLoss: the holder's context ends with ErrLost when its
// node is deleted behind its back or its session ends.
func TestHolderLearnsOfLoss(t *testing.T) {
	// (Closing a session deletes its ephemerals before it ends, so the
	// holder may see either first; both are a loss.)
	tests := []struct {
		name string
		lose func(t *testing.T, ctx context.Context, c *ensemble.Client, l *recipe.Lock, other *ensemble.Client)
	}{
		{"node deleted", func(t *testing.T, ctx context.Context, c *ensemble.Client, l *recipe.Lock, other *ensemble.Client) {
			kids, _, err := other.Children(ctx, l.Path())
			require.NoError(t, err)
			require.Len(t, kids, 1)
			require.NoError(t, other.Delete(ctx, l.Path()+"/"+kids[0], -1))
		}},
		{"session closed", func(t *testing.T, ctx context.Context, c *ensemble.Client, l *recipe.Lock, other *ensemble.Client) {
			require.NoError(t, c.Close())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			n := standalone(t)
			c := newClient(t, n, sessionTimeout)
			other := newClient(t, n, sessionTimeout)
			l := recipe.NewLock(c, "/locks/lost", "holder")
			held, err := l.Lock(ctx)
			require.NoError(t, err)
			tt.lose(t, ctx, c, l, other)
			ended(t, ctx, held.Done(), "the holder to learn")
			assert.ErrorIs(t, context.Cause(held), recipe.ErrLost)
			assert.False(t, l.Held())
			// Unlock after a loss frees the Lock for another try.
			require.NoError(t, l.Unlock(ctx))
			kids, _, err := other.Children(ctx, "/locks/lost")
			require.NoError(t, err)
			assert.Empty(t, kids)
		})
	}
}

// TestKilledHoldersLockPassesOn: the holder's peer dies; once the
// ensemble expires its session, the lock passes to the waiter on another
// peer. The holder itself learns at once that its session is gone.
func TestKilledHoldersLockPassesOn(t *testing.T) {
	ctx := testContext(t)
	cl := startCluster(t, 3)
	doomed := cl.follower()
	var other uint64
	for id := range cl.nodes {
		if id != doomed {
			other = id
		}
	}
	holder := recipe.NewLock(cl.client(doomed), "/locks/kill", "doomed")
	held, err := holder.Lock(ctx)
	require.NoError(t, err)
	waiter := recipe.NewLock(cl.client(other), "/locks/kill", "survivor")
	got := make(chan error, 1)
	go func() {
		_, err := waiter.Lock(ctx)
		got <- err
	}()
	waitFor(t, ctx, "the waiter to queue", func() bool {
		ids, err := waiter.Contenders(ctx)
		return err == nil && len(ids) == 2
	})

	cl.stop(doomed)
	ended(t, ctx, held.Done(), "the holder to learn")
	assert.ErrorIs(t, context.Cause(held), recipe.ErrLost)
	assert.ErrorIs(t, context.Cause(held), ensemble.ErrClosed)
	require.NoError(t, <-got, "the waiter gets the lock once the dead holder's session expires")
	ids, err := waiter.Contenders(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"survivor"}, ids)
	require.NoError(t, waiter.Unlock(ctx))
}

// TestIsolatedHolderStopsBeforeTheLockPassesOn: the holder's peer is cut
// off from the others. Its peer cannot learn that the majority expires the
// session, so the holder must stop on its own: its lease (a write every
// sixth of the session timeout) runs out before the majority expires the
// session and hands the lock to the waiter. Two holders never overlap.
func TestIsolatedHolderStopsBeforeTheLockPassesOn(t *testing.T) {
	ctx := testContext(t)
	cl := startCluster(t, 3)
	isolated := cl.follower()
	var other uint64
	for id := range cl.nodes {
		if id != isolated {
			other = id
		}
	}
	holder := recipe.NewLock(cl.client(isolated), "/locks/partition", "isolated")
	held, err := holder.Lock(ctx)
	require.NoError(t, err)
	waiter := recipe.NewLock(cl.client(other), "/locks/partition", "majority")
	got := make(chan error, 1)
	go func() {
		_, err := waiter.Lock(ctx)
		got <- err
	}()
	waitFor(t, ctx, "the waiter to queue", func() bool {
		ids, err := waiter.Contenders(ctx)
		return err == nil && len(ids) == 2
	})

	cl.election.Isolate(isolated)
	cl.quorum.Isolate(isolated)
	require.NoError(t, <-got, "the majority expires the isolated session and the waiter gets the lock")
	select {
	case <-held.Done():
	default:
		t.Fatal("the isolated holder still believes it holds the lock: two holders")
	}
	assert.ErrorIs(t, context.Cause(held), recipe.ErrLost)
	assert.False(t, holder.Held())
	require.NoError(t, waiter.Unlock(ctx))
}

// lossy is a client whose next writes are applied but answered with a
// lost connection, as when the peer loses its leader with the write in
// flight: the caller cannot tell whether it happened.
type lossy struct {
	recipe.Client
	creates, deletes, reads atomic.Int32 // how many more to answer with a loss
	// late, when set, makes the next create be applied only when the one
	// after it is sent: a retry whose search for the first came too early.
	late    atomic.Bool
	pending func()
}

var errLoss = fmt.Errorf("test: %w", znode.ErrConnectionLoss)

func (l *lossy) Create(ctx context.Context, path string, data []byte, mode znode.CreateMode, acl []znode.ACL) (string, error) {
	if l.pending != nil {
		l.pending()
		l.pending = nil
	}
	if l.late.CompareAndSwap(true, false) {
		l.pending = func() { l.Client.Create(ctx, path, data, mode, acl) }
		return "", errLoss
	}
	p, err := l.Client.Create(ctx, path, data, mode, acl)
	if err == nil && l.creates.Add(-1) >= 0 {
		return "", errLoss
	}
	return p, err
}

func (l *lossy) Delete(ctx context.Context, path string, version int32) error {
	err := l.Client.Delete(ctx, path, version)
	if err == nil && l.deletes.Add(-1) >= 0 {
		return errLoss
	}
	return err
}

func (l *lossy) Children(ctx context.Context, path string) ([]string, znode.Stat, error) {
	if l.reads.Add(-1) >= 0 {
		return nil, znode.Stat{}, errLoss
	}
	return l.Client.Children(ctx, path)
}

// TestLockRetriesWhatItCannotTell: writes whose outcome is unknown are
// retried; a create that was in fact applied is found again by its UUID,
// or, if it lands after the search, removed rather than waited for (it
// would be waiting for itself), so the lock is taken and leaves nothing
// behind.
func TestLockRetriesWhatItCannotTell(t *testing.T) {
	tests := []struct {
		name  string
		fault func(c *lossy)
	}{
		{"create applied, answer lost", func(c *lossy) { c.creates.Store(1) }},
		{"create applied after the retry looked for it", func(c *lossy) { c.late.Store(true) }},
		{"read lost", func(c *lossy) { c.reads.Store(1) }},
		{"delete applied, answer lost", func(c *lossy) { c.deletes.Store(1) }},
		{"all of them", func(c *lossy) { c.creates.Store(1); c.reads.Store(1); c.deletes.Store(1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			n := standalone(t)
			c := &lossy{Client: newClient(t, n, sessionTimeout)}
			for _, p := range []string{"/locks", "/locks/lossy"} {
				_, err := c.Client.Create(ctx, p, nil, znode.Persistent, nil)
				require.NoError(t, err)
			}
			tt.fault(c)
			l := recipe.NewLock(c, "/locks/lossy", "me")
			_, err := l.Lock(ctx)
			require.NoError(t, err)
			require.NoError(t, l.Unlock(ctx))
			kids, _, err := c.Client.Children(ctx, "/locks/lossy")
			require.NoError(t, err)
			assert.Empty(t, kids, "nothing left behind")
		})
	}
}
