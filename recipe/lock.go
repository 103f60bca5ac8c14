package recipe

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/ensemble-go/ensemble/znode"
)

// cleanupTimeout bounds the deletes a lock makes after its caller gave up
// (a canceled acquire): they must not hang on a lost quorum, and if they
// fail the node goes with the session, or with the next Lock or Unlock.
const cleanupTimeout = 10 * time.Second

// Lock is a fair distributed lock, ZooKeeper's lock recipe: each contender
// creates an ephemeral-sequential node under the lock's path, the lowest
// holds the lock, and each waiter watches only the node just before its
// own, so a release wakes one waiter, not the herd.
//
// Node names and ordering are kazoo's (NewLock, NewRWLock) or Curator's
// (NewCuratorLock), so Go and Python or Java processes contend for the
// same lock. The identifier given at creation is the node's data, which
// is what Contenders and Election.Leader report.
//
// A Lock is one contender. It is safe for concurrent use: a second
// goroutine's Lock waits until the first one's Unlock, as with
// sync.Mutex. It is not reentrant.
type Lock struct {
	c     Client
	path  string
	data  []byte
	order ordering
	node  string        // the node name to create: prefix before the sequence
	sem   chan struct{} // held from acquire to release, by this process

	mu     sync.Mutex
	held   string                  // our node's path while held
	stale  string                  // a node of ours whose delete failed: reused or deleted next time
	unsure bool                    // a create of ours may have been applied unseen (see lock_nodes.go)
	lost   bool                    // the held lock was lost
	cancel context.CancelCauseFunc // cancels the holder's context
	stop   context.CancelFunc      // stops the monitor
	done   chan struct{}           // closed when the monitor has stopped
}

// NewLock returns an exclusive lock at path, compatible with kazoo's Lock
// and WriteLock: nodes are named <uuid hex>__lock__<sequence>. It also
// waits for kazoo read locks (NewRWLock's readers) queued before it.
func NewLock(c Client, path, identifier string) *Lock {
	return newLock(c, path, identifier, kazooWriter)
}

// NewCuratorLock returns an exclusive lock at path compatible with Apache
// Curator's InterProcessMutex: nodes are named
// _c_<uuid>-lock-<sequence> and ordered as Curator orders them.
func NewCuratorLock(c Client, path, identifier string) *Lock {
	return newLock(c, path, identifier, curator{})
}

func newLock(c Client, path, identifier string, o ordering) *Lock {
	return &Lock{
		c:     c,
		path:  path,
		data:  []byte(identifier),
		order: o,
		node:  o.name(newUUID()),
		sem:   make(chan struct{}, 1),
	}
}

// Path returns the lock's path: the parent of the contenders' nodes.
func (l *Lock) Path() string { return l.path }

// Lock blocks until this contender holds the lock, or ctx ends, or the
// session ends. On success it returns a context that is canceled when the
// lock is released (cause ErrReleased) or lost (cause wrapping ErrLost):
// the session ended, so the ensemble deleted or will delete the node, or
// someone deleted it. Work done under the lock should use that context.
//
// The returned context carries ctx's values but not its cancelation:
// ctx bounds the wait, not the holding.
func (l *Lock) Lock(ctx context.Context) (context.Context, error) {
	return l.lock(ctx, true)
}

// TryLock takes the lock if nobody holds or waits for it before this
// contender, and otherwise fails at once with ErrLocked. It returns the
// holder's context as Lock does.
func (l *Lock) TryLock(ctx context.Context) (context.Context, error) {
	return l.lock(ctx, false)
}

func (l *Lock) lock(ctx context.Context, block bool) (context.Context, error) {
	if block {
		select {
		case l.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	} else {
		select {
		case l.sem <- struct{}{}:
		default:
			return nil, ErrLocked
		}
	}
	held, err := l.acquire(ctx, block)
	if err != nil {
		<-l.sem
		return nil, err
	}
	return held, nil
}

// acquire runs the recipe. l.sem is held. Errors that leave the outcome
// unknown (a lost connection, or, in process, a write in flight when the
// peer lost its leader) are retried after a pause, as kazoo's KazooRetry
// does; a create that may have been applied is found again by the UUID in
// its name.
func (l *Lock) acquire(ctx context.Context, block bool) (context.Context, error) {
	var (
		node    string    // our node's path, once created
		proof   time.Time // when the create was sent (see hold)
		ensured bool      // the lock's path exists
	)
	fail := func(err error) (context.Context, error) {
		return nil, l.abandon(ctx, node, wrapf(err, "lock %s", l.path))
	}
	for {
		var (
			held context.Context
			err  error
		)
		switch {
		case !ensured:
			if err = ensurePath(ctx, l.c, l.path); err == nil {
				ensured = true
			}
		case node == "":
			node, proof, err = l.create(ctx)
		default:
			held, node, err = l.step(ctx, node, proof, block)
			if held != nil {
				return held, nil
			}
			if errors.Is(err, ErrLocked) {
				return nil, ErrLocked
			}
		}
		if err == nil || retryable(err) && backoff(ctx, l.c) {
			continue
		}
		// Report the cause, not its symptom.
		if serr := sessionErr(l.c); serr != nil && !errors.Is(err, serr) {
			err = serr
		} else if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = cerr
		}
		return fail(err)
	}
}

// step looks at the queue once: it takes the lock if node is first, or
// waits for its predecessor to go. It returns the holder's context once
// held; otherwise the node to go on with ("" if it must be created again)
// and an error. ErrLocked is returned when block is not set and the lock
// is not free; the node is then abandoned.
func (l *Lock) step(ctx context.Context, node string, proof time.Time, block bool) (context.Context, string, error) {
	kids, _, err := l.c.Children(ctx, l.path)
	if err != nil {
		return nil, node, err
	}
	pred, found := l.order.predecessor(kids, base(node))
	switch {
	case !found:
		// Our node is gone: the session ended (then creating fails too),
		// or someone deleted it. Queue again, at the back.
		return nil, "", nil
	case pred == "":
		held, err := l.hold(ctx, node, proof)
		return held, node, err
	case strings.HasPrefix(pred, l.node):
		// A node of ours that a create we could not tell about made:
		// waiting for it would be waiting for ourselves.
		return nil, node, l.remove(ctx, join(l.path, pred))
	case !block:
		return nil, "", l.abandon(ctx, node, ErrLocked)
	}
	// Watch only the predecessor. A get rather than an exists: on a node
	// that is already gone it leaves no watch behind.
	_, _, ch, err := l.c.GetW(ctx, join(l.path, pred))
	if errors.Is(err, znode.ErrNoNode) {
		return nil, node, nil
	}
	if err != nil {
		return nil, node, err
	}
	_, _, err = wait(ctx, l.c, ch)
	return nil, node, err
}

// Unlock releases the lock: it deletes this contender's node and cancels
// the holder's context with ErrReleased. After a loss, Unlock is still
// needed before this Lock can be taken again. If the delete fails (ctx
// ended, no quorum), the error is returned, the lock counts as released
// here, and the node is deleted by the next Lock or Unlock, or goes with
// the session.
func (l *Lock) Unlock(ctx context.Context) error {
	l.mu.Lock()
	node, cancel, stop, done := l.held, l.cancel, l.stop, l.done
	l.held, l.cancel, l.stop, l.done = "", nil, nil, nil
	stale, unsure := l.stale, l.unsure
	l.mu.Unlock()
	if node == "" {
		// Nothing held; but clean up what a failed attempt left.
		if stale == "" && !unsure {
			return ErrNotHeld
		}
		l.abandon(ctx, stale, nil)
		return nil
	}
	stop()
	<-done
	cancel(ErrReleased)
	err := l.release(ctx, node)
	<-l.sem
	if err != nil {
		return wrapf(err, "unlock %s", l.path)
	}
	return nil
}

// Held reports whether this contender holds the lock, as far as it knows:
// it has acquired it and has not released it or seen it lost.
func (l *Lock) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held != "" && !l.lost
}

// Contenders returns the identifiers of every contender, the holder
// first, as kazoo's contenders() does. Read locks and write locks are
// both listed.
func (l *Lock) Contenders(ctx context.Context) ([]string, error) {
	return contenders(ctx, l.c, l.path, l.order)
}

// contenders reads the identifiers of the contenders at path, in order.
func contenders(ctx context.Context, c Client, path string, o ordering) ([]string, error) {
	kids, _, err := c.Children(ctx, path)
	if errors.Is(err, znode.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, wrapf(err, "contenders of %s", path)
	}
	var ids []string
	for _, k := range o.contenders(kids) {
		data, _, err := c.Get(ctx, join(path, k))
		if errors.Is(err, znode.ErrNoNode) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, wrapf(err, "contenders of %s", path)
		}
		ids = append(ids, string(data))
	}
	return ids, nil
}
