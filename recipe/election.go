package recipe

import (
	"context"
	"errors"

	"github.com/ensemble-go/ensemble/znode"
)

// Election is leader election among the processes that campaign at one
// path. It is kazoo's Election: the leader is whoever holds the lock at
// the path, so contenders queue fairly and each watches only the one
// before it, and a kazoo process campaigns in the same election. Each
// contender's identifier is its node's data; Leader and Observe report
// the leader by it.
type Election struct {
	c    Client
	path string
	lock *Lock
}

// NewElection returns a contender in the election at path, known to the
// others as identifier.
func NewElection(c Client, path, identifier string) *Election {
	return &Election{c: c, path: path, lock: NewLock(c, path, identifier)}
}

// Campaign blocks until this contender leads, or ctx ends, or the session
// ends. On success it returns a context that is canceled when leadership
// ends: by Resign (cause ErrReleased), or lost (cause wrapping ErrLost),
// when the session ends, for example because this process lost touch with
// the ensemble for longer than the session timeout. The leader's work
// should run under that context.
func (e *Election) Campaign(ctx context.Context) (context.Context, error) {
	return e.lock.Lock(ctx)
}

// Resign gives up leadership, or leaves the queue of contenders, so the
// next contender leads.
func (e *Election) Resign(ctx context.Context) error {
	return e.lock.Unlock(ctx)
}

// Leader returns the current leader's identifier, or ErrNoLeader.
func (e *Election) Leader(ctx context.Context) (string, error) {
	for {
		kids, _, err := e.c.Children(ctx, e.path)
		if errors.Is(err, znode.ErrNoNode) {
			return "", ErrNoLeader
		}
		if err != nil {
			return "", wrapf(err, "leader of %s", e.path)
		}
		order := kazooWriter.contenders(kids)
		if len(order) == 0 {
			return "", ErrNoLeader
		}
		data, _, err := e.c.Get(ctx, join(e.path, order[0]))
		if errors.Is(err, znode.ErrNoNode) {
			continue // resigned meanwhile: ask again
		}
		if err != nil {
			return "", wrapf(err, "leader of %s", e.path)
		}
		return string(data), nil
	}
}

// Contenders returns the identifiers of every contender, the leader
// first.
func (e *Election) Contenders(ctx context.Context) ([]string, error) {
	return e.lock.Contenders(ctx)
}

// Observe returns a channel that receives the leader's identifier now and
// each time the leader changes, "" while there is none. A slow reader
// misses intermediate leaders but always gets the newest. The channel is
// closed when ctx ends or the session ends.
//
// Observing watches only the leader's node (or, while there is no
// leader, the children of the path), so observers do not wake on every
// contender that comes or goes.
func (e *Election) Observe(ctx context.Context) <-chan string {
	out := make(chan string, 1)
	go func() {
		defer close(out)
		e.observe(ctx, out)
	}()
	return out
}

// observe runs Observe's loop until ctx or the session ends.
func (e *Election) observe(ctx context.Context, out chan string) {
	last, first := "", true
	publish := func(leader string) {
		if leader == last && !first {
			return
		}
		last, first = leader, false
		latest(out, leader)
	}
	for ctx.Err() == nil && sessionErr(e.c) == nil {
		kids, _, err := e.c.Children(ctx, e.path)
		var ch <-chan znode.Event
		switch {
		case errors.Is(err, znode.ErrNoNode):
			// No election yet: wait for its path to appear.
			var ok bool
			if ok, _, ch, err = e.c.ExistsW(ctx, e.path); err == nil && ok {
				continue
			}
			if err == nil {
				publish("")
			}
		case err == nil && len(kazooWriter.contenders(kids)) == 0:
			// Nobody campaigns: wait for someone to.
			if kids, _, ch, err = e.c.ChildrenW(ctx, e.path); err == nil {
				if len(kazooWriter.contenders(kids)) > 0 {
					continue
				}
				publish("")
			}
		case err == nil:
			// Wait for the leader's node alone to go.
			var data []byte
			data, _, ch, err = e.c.GetW(ctx, join(e.path, kazooWriter.contenders(kids)[0]))
			if errors.Is(err, znode.ErrNoNode) {
				continue
			}
			if err == nil {
				publish(string(data))
			}
		}
		if err != nil {
			if !backoff(ctx, e.c) {
				return
			}
			continue
		}
		if _, _, err := wait(ctx, e.c, ch); err != nil {
			return
		}
	}
}

// latest sends v on a channel of capacity 1 that only this goroutine
// sends on, replacing a value the reader has not taken yet.
func latest[T any](out chan T, v T) {
	select {
	case <-out:
	default:
	}
	out <- v
}
