package recipe_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/recipe"
)

// next reads from ch until it yields want (Observe and Watch channels
// may skip intermediate values), failing if ch closes or ctx ends.
func next[T any](t *testing.T, ctx context.Context, ch <-chan T, want T) {
	t.Helper()
	var last T
	for {
		select {
		case v, ok := <-ch:
			require.True(t, ok, "channel closed; last value %v, want %v", last, want)
			if assert.ObjectsAreEqual(want, v) {
				return
			}
			last = v
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %v; last value %v", want, last)
		}
	}
}

func TestElectionCampaignResignObserve(t *testing.T) {
	ctx := testContext(t)
	n := standalone(t)
	observer := recipe.NewElection(newClient(t, n, sessionTimeout), "/election", "observer")
	octx, stopObserving := context.WithCancel(ctx)
	changes := observer.Observe(octx)
	next(t, ctx, changes, "")
	_, err := observer.Leader(ctx)
	require.ErrorIs(t, err, recipe.ErrNoLeader)

	clients := map[string]*ensemble.Client{}
	elections := map[string]*recipe.Election{}
	for _, id := range []string{"a", "b", "c"} {
		clients[id] = newClient(t, n, sessionTimeout)
		elections[id] = recipe.NewElection(clients[id], "/election", id)
	}
	leadA, err := elections["a"].Campaign(ctx)
	require.NoError(t, err)
	next(t, ctx, changes, "a")
	type result struct {
		lead context.Context
		err  error
	}
	campaigns := map[string]chan result{}
	for _, id := range []string{"b", "c"} {
		campaigns[id] = make(chan result, 1)
		go func() {
			lead, err := elections[id].Campaign(ctx)
			campaigns[id] <- result{lead, err}
		}()
		waitFor(t, ctx, id+" to campaign", func() bool {
			ids, err := observer.Contenders(ctx)
			return err == nil && ids[len(ids)-1] == id
		})
	}
	leader, err := observer.Leader(ctx)
	require.NoError(t, err)
	assert.Equal(t, "a", leader)
	ids, err := observer.Contenders(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, ids)

	// a resigns: b leads.
	require.NoError(t, elections["a"].Resign(ctx))
	assert.ErrorIs(t, context.Cause(leadA), recipe.ErrReleased)
	b := <-campaigns["b"]
	require.NoError(t, b.err)
	next(t, ctx, changes, "b")

	// c's session ends while it waits; then b resigns: nobody leads.
	require.NoError(t, clients["c"].Close())
	require.ErrorIs(t, (<-campaigns["c"]).err, ensemble.ErrSessionClosed, "c's campaign ends with its session")
	require.NoError(t, elections["b"].Resign(ctx))
	assert.ErrorIs(t, context.Cause(b.lead), recipe.ErrReleased)
	next(t, ctx, changes, "")

	stopObserving()
	for range changes {
	}
}

// TestLeadershipMovesWhenTheLeadersPeerCloses: three services, one per
// peer, campaign; the leader's peer stops (the leader of the ensemble, or
// a follower); the leader learns at once that its leadership is lost, and
// once its session expires another service leads.
func TestLeadershipMovesWhenTheLeadersPeerCloses(t *testing.T) {
	for _, which := range []string{"ensemble leader", "ensemble follower"} {
		t.Run(which, func(t *testing.T) {
			ctx := testContext(t)
			cl := startCluster(t, 3)
			first := cl.follower()
			if which == "ensemble leader" {
				first = cl.leader()
			}
			require.NotZero(t, first)
			var rest []uint64
			for id := range cl.nodes {
				if id != first {
					rest = append(rest, id)
				}
			}
			elect := func(id uint64) *recipe.Election {
				return recipe.NewElection(cl.client(id), "/service/leader", fmt.Sprint("service-", id))
			}
			lead, err := elect(first).Campaign(ctx)
			require.NoError(t, err)

			won := make(chan uint64, len(rest))
			for _, id := range rest {
				e := elect(id)
				go func() {
					if _, err := e.Campaign(ctx); err == nil {
						won <- id
					}
				}()
			}
			observer := recipe.NewElection(cl.client(rest[0]), "/service/leader", "observer")
			waitFor(t, ctx, "every service to campaign", func() bool {
				ids, err := observer.Contenders(ctx)
				return err == nil && len(ids) == 3
			})
			changes := observer.Observe(ctx)
			next(t, ctx, changes, fmt.Sprint("service-", first))

			cl.stop(first)
			ended(t, ctx, lead.Done(), "the leader to learn")
			assert.ErrorIs(t, context.Cause(lead), recipe.ErrLost)
			assert.ErrorIs(t, context.Cause(lead), ensemble.ErrClosed)
			winner := <-won
			assert.Contains(t, rest, winner)
			next(t, ctx, changes, fmt.Sprint("service-", winner))
			leader, err := observer.Leader(ctx)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprint("service-", winner), leader)
		})
	}
}
