package recipe

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ensemble-go/ensemble/znode"
)

// A Lock's nodes all start with its own name (a fresh UUID, then the
// kind), so it can find the ones it made without knowing their sequence
// numbers. That matters when a create's outcome is unknown: the caller
// gave up while it was in flight, or the answer was a lost connection
// (in process: the peer lost its leader with the write in flight). Such
// a create may be applied later, leaving a node of ours in the queue that
// nobody will delete before the session ends, and that everyone behind
// it waits for, this Lock included when it creates another.
//
// So after an unsure create the Lock looks for its name before creating
// again, never waits for a node of its own, and sweeps away every node of
// its own but the one in use when it releases or gives up. A session's
// writes are applied in order, so once a later write of ours has
// completed, an unsure create has been applied if it ever will be; a
// sweep after that which finds nothing more ends the uncertainty.

// create makes this contender's node, or finds the one a previous attempt
// left (an unsure create, a failed release), which keeps its place in
// the queue. It returns the node's path and, for a new node, when the
// create was sent: the session was alive on the leader after that.
func (l *Lock) create(ctx context.Context) (string, time.Time, error) {
	l.mu.Lock()
	stale, unsure := l.stale, l.unsure
	l.mu.Unlock()
	if stale != "" {
		ok, _, err := l.c.Exists(ctx, stale)
		if err != nil {
			return "", time.Time{}, err
		}
		l.setStale("")
		if ok {
			return stale, time.Time{}, nil
		}
	}
	if unsure {
		ours, err := l.ours(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		if len(ours) > 0 {
			return ours[0], time.Time{}, nil
		}
	}
	sent := time.Now()
	p, err := l.c.Create(ctx, join(l.path, l.node), l.data, znode.EphemeralSequential, nil)
	if err == nil {
		return p, sent, nil
	}
	if ctx.Err() != nil || retryable(err) {
		l.mu.Lock()
		l.unsure = true
		l.mu.Unlock()
	}
	return "", time.Time{}, err
}

// ours returns the paths of the nodes of this Lock's, in the children's
// order.
func (l *Lock) ours(ctx context.Context) ([]string, error) {
	kids, _, err := l.c.Children(ctx, l.path)
	if err != nil {
		return nil, err
	}
	var ours []string
	for _, k := range kids {
		if strings.HasPrefix(k, l.node) {
			ours = append(ours, join(l.path, k))
		}
	}
	return ours, nil
}

// remove deletes one of our nodes, trying again after errors that leave
// the outcome unknown. If that fails while the session lives, the node
// is remembered so the next Lock or Unlock deals with it.
func (l *Lock) remove(ctx context.Context, node string) error {
	for {
		err := l.c.Delete(ctx, node, -1)
		if err == nil || errors.Is(err, znode.ErrNoNode) || sessionErr(l.c) != nil {
			return nil
		}
		if retryable(err) && backoff(ctx, l.c) {
			continue
		}
		l.setStale(node)
		return err
	}
}

func (l *Lock) setStale(node string) {
	l.mu.Lock()
	l.stale = node
	l.mu.Unlock()
}

// release deletes node, then, after an unsure create, every other node of
// ours.
func (l *Lock) release(ctx context.Context, node string) error {
	err := l.remove(ctx, node)
	l.sweep(ctx, err == nil)
	return err
}

// sweep deletes every node of ours (after an unsure create; otherwise
// there are none to find). settled says that a write of ours has
// completed since: a clean sweep then ends the uncertainty.
func (l *Lock) sweep(ctx context.Context, settled bool) {
	l.mu.Lock()
	unsure := l.unsure
	l.mu.Unlock()
	if !unsure {
		return
	}
	ours, err := l.ours(ctx)
	if err != nil {
		return
	}
	for _, p := range ours {
		if l.remove(ctx, p) != nil {
			settled = false
		}
	}
	if settled {
		l.mu.Lock()
		l.unsure = false
		l.mu.Unlock()
	}
}

// abandon leaves the queue after a failed or canceled acquire: it deletes
// node ("" if there is none) and any other node of ours, within
// cleanupTimeout even if ctx has ended, and returns err.
func (l *Lock) abandon(ctx context.Context, node string, err error) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if node != "" {
		l.release(cctx, node)
	} else {
		l.sweep(cctx, false)
	}
	return err
}
