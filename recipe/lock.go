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
	stale  string                  // a node of ours that may still exist: reused or deleted next time
	orphan bool                    // a canceled create may have made a node we could not find
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

// acquire runs the recipe. l.sem is held.
func (l *Lock) acquire(ctx context.Context, block bool) (context.Context, error) {
	if err := ensurePath(ctx, l.c, l.path); err != nil {
		return nil, wrapf(err, "lock %s", l.path)
	}
	node, proof, err := l.create(ctx)
	if err != nil {
		return nil, err
	}
	for {
		kids, _, err := l.c.Children(ctx, l.path)
		if err != nil {
			return nil, l.abandon(ctx, node, wrapf(err, "lock %s", l.path))
		}
		pred, found := l.order.predecessor(kids, base(node))
		if !found {
			// Our node is gone: the session ended (then creating fails
			// too), or someone deleted it. Queue again, at the back.
			if node, proof, err = l.create(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if pred == "" {
			held, err := l.hold(ctx, node, proof)
			if err != nil {
				return nil, l.abandon(ctx, node, wrapf(err, "lock %s", l.path))
			}
			return held, nil
		}
		if !block {
			return nil, l.abandon(ctx, node, ErrLocked)
		}
		// Watch only the predecessor. A get rather than an exists: on a
		// node that is already gone it leaves no watch behind.
		_, _, ch, err := l.c.GetW(ctx, join(l.path, pred))
		if errors.Is(err, znode.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, l.abandon(ctx, node, wrapf(err, "lock %s", l.path))
		}
		if _, _, err := wait(ctx, l.c, ch); err != nil {
			return nil, l.abandon(ctx, node, wrapf(err, "lock %s", l.path))
		}
	}
}

// create makes this contender's node, or finds the one a previous attempt
// left (a canceled create, a failed release), which keeps its place in
// the queue. It returns the node's path and, for a new node, when the
// create was sent: the session was alive on the leader after that.
func (l *Lock) create(ctx context.Context) (string, time.Time, error) {
	l.mu.Lock()
	stale, orphan := l.stale, l.orphan
	l.stale, l.orphan = "", false
	l.mu.Unlock()
	if stale != "" {
		if ok, _, err := l.c.Exists(ctx, stale); err == nil && ok {
			return stale, time.Time{}, nil
		}
	}
	if orphan {
		if p, err := l.find(ctx); err == nil && p != "" {
			return p, time.Time{}, nil
		}
	}
	sent := time.Now()
	p, err := l.c.Create(ctx, join(l.path, l.node), l.data, znode.EphemeralSequential, nil)
	if err == nil {
		return p, sent, nil
	}
	if ctx.Err() != nil {
		// The create may yet be applied: look for it by the UUID in its
		// name, as kazoo and Curator do, and remove it; if it is not
		// there yet, look again next time.
		l.removeOrphan(ctx)
	}
	return "", time.Time{}, wrapf(err, "lock %s", l.path)
}

// find returns the path of a node of this contender's, or "".
func (l *Lock) find(ctx context.Context) (string, error) {
	kids, _, err := l.c.Children(ctx, l.path)
	if err != nil {
		return "", err
	}
	for _, k := range kids {
		if strings.HasPrefix(k, l.node) {
			return join(l.path, k), nil
		}
	}
	return "", nil
}

// removeOrphan deletes the node a canceled create may have made, best
// effort, and remembers to look again if it found none.
func (l *Lock) removeOrphan(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	p, err := l.find(ctx)
	if err == nil && p != "" {
		l.remove(ctx, p)
		return
	}
	if sessionErr(l.c) == nil {
		l.mu.Lock()
		l.orphan = true
		l.mu.Unlock()
	}
}

// remove deletes one of our nodes; if that fails while the session lives,
// the node is remembered so the next Lock or Unlock deals with it.
func (l *Lock) remove(ctx context.Context, node string) error {
	err := l.c.Delete(ctx, node, -1)
	if err == nil || errors.Is(err, znode.ErrNoNode) || sessionErr(l.c) != nil {
		return nil
	}
	l.setStale(node)
	return err
}

func (l *Lock) setStale(node string) {
	l.mu.Lock()
	l.stale = node
	l.mu.Unlock()
}

// abandon leaves the queue after a failed or canceled acquire and returns
// err.
func (l *Lock) abandon(ctx context.Context, node string, err error) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	l.remove(cctx, node)
	return err
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
	stale, orphan := l.stale, l.orphan
	l.mu.Unlock()
	if node == "" {
		// Nothing held; but clean up what a failed attempt left.
		switch {
		case stale != "":
			l.setStale("")
			return l.remove(ctx, stale)
		case orphan:
			l.mu.Lock()
			l.orphan = false
			l.mu.Unlock()
			l.removeOrphan(ctx)
			return nil
		}
		return ErrNotHeld
	}
	stop()
	<-done
	cancel(ErrReleased)
	err := l.remove(ctx, node)
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
