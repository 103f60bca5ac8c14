package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/examples/internal/peers"
	"github.com/ensemble-go/ensemble/recipe"
)

// configPath is where the rate limits live.
const configPath = "/config/ratelimit"

// Limits is the configuration the services share, stored as JSON.
type Limits struct {
	RequestsPerSecond int `json:"requests_per_second"`
	Burst             int `json:"burst"`
}

func (l Limits) String() string {
	return fmt.Sprintf("%d req/s, burst %d", l.RequestsPerSecond, l.Burst)
}

// defaults is what a service runs with before any configuration exists.
var defaults = Limits{RequestsPerSecond: 100, Burst: 10}

// reload is a service's report that it applied a configuration.
type reload struct {
	service string
	limits  Limits
	initial bool // what it started with
}

// service is a running service that takes its limits from the ensemble:
// it reads them once, then reloads each time they change, until ctx ends.
func service(ctx context.Context, name string, c *ensemble.Client, reloads chan<- reload) error {
	cfg, err := recipe.WatchConfig(ctx, c, configPath, recipe.JSON[Limits]())
	if err != nil {
		return err
	}
	defer cfg.Close()
	limits, ok := cfg.Value()
	if !ok {
		limits = defaults
	}
	reloads <- reload{service: name, limits: limits, initial: true}
	for limits := range cfg.Changes() {
		// A real service would resize its rate limiter here.
		reloads <- reload{service: name, limits: limits}
	}
	if err := cfg.Err(); !errors.Is(err, context.Canceled) && !errors.Is(err, recipe.ErrClosed) {
		return err
	}
	return nil
}

// run is the whole demonstration, written to out. Data goes in a new
// directory under tmpRoot ("" for the system's temporary directory),
// removed before run returns.
func run(ctx context.Context, out io.Writer, tmpRoot string, logger hclog.Logger) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	say("1. starting three peers (peers.TickTime %v); an admin tool uses peer 1, services run on peers 2 and 3", peers.TickTime)
	p, err := peers.Start(ctx, tmpRoot, peers.Options{Logger: logger})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, p.Close()) }()
	session := func(id uint64) (*ensemble.Client, error) {
		c, err := p.Nodes[id].NewClient(ctx, ensemble.ClientOptions{Timeout: peers.SessionTimeout})
		if err != nil {
			return nil, fmt.Errorf("opening a session on peer %d: %w", id, err)
		}
		return c, nil
	}
	admin, err := session(1)
	if err != nil {
		return err
	}
	defer admin.Close()

	say("2. the services start before any configuration exists")
	services := []string{"service-2", "service-3"}
	clients := make([]*ensemble.Client, len(services))
	for i := range services {
		if clients[i], err = session(uint64(i + 2)); err != nil {
			return err
		}
		defer clients[i].Close()
	}
	sctx, stopServices := context.WithCancel(ctx)
	reloads := make(chan reload, 16)
	errs := make(chan error, len(services))
	var wg sync.WaitGroup
	defer func() { // before the sessions close
		stopServices()
		wg.Wait()
		close(errs)
		for e := range errs {
			err = errors.Join(err, e)
		}
	}()
	for i, name := range services {
		c := clients[i]
		wg.Go(func() {
			if err := service(sctx, name, c, reloads); err != nil {
				errs <- fmt.Errorf("%s: %w", name, err)
			}
		})
	}
	// until prints reloads until every service runs with want.
	until := func(want Limits) error {
		pending := map[string]bool{}
		for _, s := range services {
			pending[s] = true
		}
		for len(pending) > 0 {
			select {
			case r := <-reloads:
				if r.initial {
					say("   %s starts with %v", r.service, r.limits)
				} else {
					say("   %s reloaded: %v", r.service, r.limits)
				}
				if r.limits == want {
					delete(pending, r.service)
				}
			case e := <-errs:
				return e
			case <-ctx.Done():
				return fmt.Errorf("waiting for the services to run with %v: %w", want, context.Cause(ctx))
			}
		}
		return nil
	}
	if err := until(defaults); err != nil {
		return err
	}

	codec := recipe.JSON[Limits]()
	first := Limits{RequestsPerSecond: 200, Burst: 20}
	say("3. the admin publishes %v", first)
	if _, err := recipe.PutConfig(ctx, admin, configPath, codec, first); err != nil {
		return err
	}
	if err := until(first); err != nil {
		return err
	}

	say("4. the admin changes it three times in a row; a service may skip a value, never the last")
	var last Limits
	for _, rps := range []int{300, 400, 500} {
		last = Limits{RequestsPerSecond: rps, Burst: rps / 10}
		if _, err := recipe.PutConfig(ctx, admin, configPath, codec, last); err != nil {
			return err
		}
	}
	if err := until(last); err != nil {
		return err
	}
	say("   every service runs with %v", last)

	say("5. shutting down")
	return nil
}
