package recipe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ensemble-go/ensemble/znode"
)

// A holder cut off from the quorum hears nothing of its session's
// expiry: its peer (or its server, for a remote client) cannot apply the
// closeSession that the majority commits, so the holder would go on
// believing it holds a lock that the majority has given to someone else.
// ZooKeeper's clients guard against this with their own clock (Curator
// counts a lock lost one session timeout after the connection is
// suspended); an in-process client has no connection to be suspended.
// So a holder whose client knows its session timeout T proves its session
// alive with a write to its own node every T/6, and counts the lock lost
// once no write has gone through for T/2 since one was sent. The leader
// expires a session only T after it last heard from it, which is after
// that write was sent, so the holder always stops first, with T/2 to
// spare for clocks and scheduling.
const (
	leaseBeats  = 6 // heartbeats per session timeout
	leaseWindow = 2 // the lease is 1/leaseWindow of the session timeout
)

// timeouter is implemented by clients that know their session's timeout,
// as *ensemble.Client does.
type timeouter interface {
	Timeout() time.Duration
}

// hold makes this contender the holder of node and starts watching for
// the lock's loss. proof is when a write of this session that succeeded
// was sent (zero if unknown); if that is too long ago to count for the
// lease, hold writes once more first.
func (l *Lock) hold(ctx context.Context, node string, proof time.Time) (context.Context, error) {
	var timeout time.Duration
	if t, ok := l.c.(timeouter); ok {
		timeout = t.Timeout()
	}
	if timeout > 0 && time.Since(proof) > timeout/leaseBeats {
		sent := time.Now()
		if _, err := l.c.Set(ctx, node, l.data, -1); err != nil {
			return nil, err
		}
		proof = sent
	}
	held, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	mctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	l.mu.Lock()
	l.held, l.lost, l.cancel, l.stop, l.done = node, false, cancel, stop, done
	l.mu.Unlock()
	m := &monitor{c: l.c, node: node, data: l.data, timeout: timeout, proof: proof}
	go func() {
		defer close(done)
		if err := m.run(mctx); err != nil {
			l.mu.Lock()
			l.lost = true
			l.mu.Unlock()
			cancel(err)
		}
	}()
	return held, nil
}

// monitor watches a held lock's node for its loss.
type monitor struct {
	c       Client
	node    string
	data    []byte
	timeout time.Duration // the session timeout; 0 when unknown: no lease
	proof   time.Time     // when the last write that went through was sent
}

// run waits until the node is deleted, the session ends or the lease
// runs out, and returns an error wrapping ErrLost; or until ctx ends, and
// returns nil.
func (m *monitor) run(ctx context.Context) error {
	for {
		_, _, ch, err := m.c.GetW(ctx, m.node)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, znode.ErrNoNode):
			return fmt.Errorf("%w: %s was deleted", ErrLost, m.node)
		case err != nil:
			if serr := sessionErr(m.c); serr != nil {
				return fmt.Errorf("%w: %w", ErrLost, serr)
			}
			return fmt.Errorf("%w: watching %s: %w", ErrLost, m.node, err)
		}
		if err := m.wait(ctx, ch); err != nil || ctx.Err() != nil {
			return err
		}
		// A data change (our own heartbeat, say), or a watch removed:
		// watch again.
	}
}

// wait waits for the watch ch, renewing the lease meanwhile.
func (m *monitor) wait(ctx context.Context, ch <-chan znode.Event) error {
	var beat <-chan time.Time
	if m.timeout > 0 {
		t := time.NewTimer(time.Until(m.proof.Add(m.timeout / leaseBeats)))
		defer t.Stop()
		beat = t.C
	}
	for {
		select {
		case ev, ok := <-ch:
			if ok && ev.Type == znode.EventNodeDeleted {
				return fmt.Errorf("%w: %s was deleted", ErrLost, m.node)
			}
			if serr := sessionErr(m.c); !ok && serr != nil {
				return fmt.Errorf("%w: %w", ErrLost, serr)
			}
			return nil
		case <-beat:
			// Renewing changes the node, which fires ch; watching again
			// sets the next timer.
			return m.renew(ctx)
		case <-ctx.Done():
			return nil
		case <-m.c.Expired():
			return fmt.Errorf("%w: %w", ErrLost, sessionErr(m.c))
		}
	}
}

// renew writes to the node to prove the session alive, retrying until
// the lease runs out.
func (m *monitor) renew(ctx context.Context) error {
	deadline := m.proof.Add(m.timeout / leaseWindow)
	for {
		sent := time.Now()
		wctx, cancel := context.WithDeadline(ctx, deadline)
		_, err := m.c.Set(wctx, m.node, m.data, -1)
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			m.proof = sent
			return nil
		case errors.Is(err, znode.ErrNoNode):
			return fmt.Errorf("%w: %s was deleted", ErrLost, m.node)
		case sessionErr(m.c) != nil:
			return fmt.Errorf("%w: %w", ErrLost, sessionErr(m.c))
		case !time.Now().Before(deadline):
			return fmt.Errorf("%w: no write went through for %v, half the session timeout: the ensemble may expire the session", ErrLost, m.timeout/leaseWindow)
		}
		if !backoff(ctx, m.c) {
			if serr := sessionErr(m.c); serr != nil {
				return fmt.Errorf("%w: %w", ErrLost, serr)
			}
			return nil
		}
	}
}
