package recipe

import (
	"context"
	"errors"

	"github.com/ensemble-go/ensemble/znode"
)

// Barrier holds processes back until a condition is met, as kazoo's
// Barrier: the barrier is up while its znode exists. A coordinator
// raises it, workers Wait, the coordinator lowers it and they all go.
type Barrier struct {
	c    Client
	path string
}

// NewBarrier returns the barrier at path.
func NewBarrier(c Client, path string) *Barrier {
	return &Barrier{c: c, path: path}
}

// Raise puts the barrier up (creating its znode and any missing parents).
// Raising a raised barrier is not an error.
func (b *Barrier) Raise(ctx context.Context) error {
	if err := ensurePath(ctx, b.c, b.path); err != nil {
		return wrapf(err, "raise barrier %s", b.path)
	}
	return nil
}

// Lower takes the barrier down, releasing every waiter. Lowering a
// barrier that is down is not an error.
func (b *Barrier) Lower(ctx context.Context) error {
	err := retry(ctx, b.c, func() error { return b.c.Delete(ctx, b.path, -1) })
	if err != nil && !errors.Is(err, znode.ErrNoNode) {
		return wrapf(err, "lower barrier %s", b.path)
	}
	return nil
}

// Wait blocks until the barrier is down, or ctx or the session ends. A
// barrier that is down already returns at once.
func (b *Barrier) Wait(ctx context.Context) error {
	for {
		ok, _, ch, err := b.c.ExistsW(ctx, b.path)
		if err != nil {
			return wrapf(err, "wait at barrier %s", b.path)
		}
		if !ok {
			return nil
		}
		if _, _, err := wait(ctx, b.c, ch); err != nil {
			return wrapf(err, "wait at barrier %s", b.path)
		}
	}
}
