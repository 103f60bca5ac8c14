package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/examples/internal/peers"
	"github.com/ensemble-go/ensemble/recipe"
)

// electionPath is where the instances campaign.
const electionPath = "/services/scheduler/leader"

// news is what an instance reports: it leads, or it stopped leading and
// why.
type news struct {
	name  string
	leads bool
	cause error
}

// instance is one service instance: its session on its own peer, and its
// campaign for leadership.
type instance struct {
	id       uint64
	name     string
	client   *ensemble.Client
	election *recipe.Election
}

// serve campaigns, leads until its leadership ends, and campaigns again,
// until ctx ends or its session does. What happens goes to reports.
func (in *instance) serve(ctx context.Context, reports chan<- news) {
	for {
		lead, err := in.election.Campaign(ctx)
		if err != nil {
			return // ctx ended, or the session: this instance is gone
		}
		reports <- news{name: in.name, leads: true}
		// A real leader would run its work under lead here.
		<-lead.Done()
		reports <- news{name: in.name, cause: context.Cause(lead)}
		// After a loss, Resign still cleans up (the node may be left if
		// only the lease ran out); then campaign again if the session
		// lives.
		if !errors.Is(context.Cause(lead), recipe.ErrReleased) {
			in.election.Resign(ctx)
		}
		if in.client.Err() != nil {
			return
		}
	}
}

// run is the whole demonstration, written to out. Data goes in a new
// directory under tmpRoot ("" for the system's temporary directory),
// removed before run returns.
func run(ctx context.Context, out io.Writer, tmpRoot string, logger hclog.Logger) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	say("1. starting three service instances, each embedding a peer of the ensemble (peers.TickTime %v)", peers.TickTime)
	p, err := peers.Start(ctx, tmpRoot, peers.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, p.Close()) }()

	ctx, stopServing := context.WithCancel(ctx)
	reports := make(chan news, 16)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopServing()
	instances := map[string]*instance{}
	for _, peer := range p.List {
		c, err := p.Nodes[peer.ID].NewClient(ctx, ensemble.ClientOptions{Timeout: peers.SessionTimeout})
		if err != nil {
			return fmt.Errorf("opening a session on peer %d: %w", peer.ID, err)
		}
		defer c.Close()
		name := fmt.Sprint("instance-", peer.ID)
		in := &instance{id: peer.ID, name: name, client: c, election: recipe.NewElection(c, electionPath, name)}
		instances[name] = in
		wg.Go(func() { in.serve(ctx, reports) })
	}

	// next waits for the next report.
	next := func() (news, error) {
		select {
		case n := <-reports:
			return n, nil
		case <-ctx.Done():
			return news{}, fmt.Errorf("waiting for the election: %w", context.Cause(ctx))
		}
	}
	// leader waits until some instance reports that it leads.
	leader := func() (*instance, error) {
		for {
			n, err := next()
			if err != nil {
				return nil, err
			}
			if n.leads {
				return instances[n.name], nil
			}
			say("   %s stopped leading: %v", n.name, n.cause)
		}
	}

	first, err := leader()
	if err != nil {
		return err
	}
	contenders, err := queued(ctx, first.election, len(instances))
	if err != nil {
		return err
	}
	say("2. %s leads; the contenders queue as %v", first.name, contenders)

	say("3. stopping %s: its peer closes, as when its process dies", first.name)
	stopped := time.Now()
	if err := p.Stop(first.id); err != nil {
		return err
	}
	second, err := leader()
	if err != nil {
		return err
	}
	say("   %s took over %.1fs later, once the ensemble expired %s's session (timeout %v)",
		second.name, time.Since(stopped).Seconds(), first.name, peers.SessionTimeout)

	say("4. %s resigns: a clean hand-over, with no session to expire", second.name)
	resigned := time.Now()
	if err := second.election.Resign(ctx); err != nil {
		return err
	}
	third, err := leader()
	if err != nil {
		return err
	}
	if third == second || third == first {
		return fmt.Errorf("%s leads again after %s resigned", third.name, second.name)
	}
	say("   %s took over %.1fs later", third.name, time.Since(resigned).Seconds())
	contenders, err = queued(ctx, third.election, 2)
	if err != nil {
		return err
	}
	if want := []string{third.name, second.name}; !slices.Equal(contenders, want) {
		return fmt.Errorf("contenders are %v, want %v", contenders, want)
	}
	say("   %s campaigns again, behind it: %v", second.name, contenders)

	say("5. shutting down")
	return nil
}

// queued waits until n instances campaign, and returns them in queue
// order. It polls: the queue grows without an event this instance
// watches.
func queued(ctx context.Context, e *recipe.Election, n int) ([]string, error) {
	poll := time.NewTicker(peers.TickTime)
	defer poll.Stop()
	for {
		contenders, err := e.Contenders(ctx)
		if err != nil || len(contenders) == n {
			return contenders, err
		}
		select {
		case <-poll.C:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %d contenders (have %v): %w", n, contenders, context.Cause(ctx))
		}
	}
}
