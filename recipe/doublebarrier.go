package recipe

import (
	"context"
	"errors"
	"slices"

	"github.com/ensemble-go/ensemble/znode"
)

// readyNode is the child of a double barrier that the last process to
// enter creates, letting everyone in (kazoo's name).
const readyNode = "ready"

// DoubleBarrier synchronizes the start and the end of a computation among
// a fixed number of processes, ZooKeeper's double barrier recipe: Enter
// blocks until all n have entered, Leave until all have left. Each
// process is an ephemeral child of the barrier's path, so one that dies
// counts as having left. The barrier can be used again once every
// process of a round has left.
type DoubleBarrier struct {
	c    Client
	path string
	n    int
	name string
	data []byte
}

// NewDoubleBarrier returns this process's place in the double barrier at
// path for n processes. identifier is written into its node.
func NewDoubleBarrier(c Client, path string, n int, identifier string) *DoubleBarrier {
	return &DoubleBarrier{c: c, path: path, n: n, name: newUUID(), data: []byte(identifier)}
}

// Enter registers this process and blocks until n processes have
// entered, or ctx or the session ends. On failure it leaves again.
func (b *DoubleBarrier) Enter(ctx context.Context) error {
	if err := retry(ctx, b.c, func() error { return b.enter(ctx) }); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		b.c.Delete(cctx, join(b.path, b.name), -1)
		return wrapf(err, "enter double barrier %s", b.path)
	}
	return nil
}

func (b *DoubleBarrier) enter(ctx context.Context) error {
	if err := ensurePath(ctx, b.c, b.path); err != nil {
		return err
	}
	_, err := b.c.Create(ctx, join(b.path, b.name), b.data, znode.Ephemeral, nil)
	if err != nil && !errors.Is(err, znode.ErrNodeExists) {
		return err
	}
	// Watch for "ready" before counting, so its creation cannot slip
	// between the count and the watch.
	ready, _, ch, err := b.c.ExistsW(ctx, join(b.path, readyNode))
	if err != nil || ready {
		return err
	}
	kids, _, err := b.c.Children(ctx, b.path)
	if err != nil {
		return err
	}
	if len(members(kids)) >= b.n {
		_, err := b.c.Create(ctx, join(b.path, readyNode), nil, znode.Persistent, nil)
		if err != nil && !errors.Is(err, znode.ErrNodeExists) {
			return err
		}
		return nil
	}
	for {
		ev, ok, err := wait(ctx, b.c, ch)
		if err != nil {
			return err
		}
		if ok && ev.Type == znode.EventNodeCreated {
			return nil
		}
		// Closed without the creation: look again.
		if ready, _, ch, err = b.c.ExistsW(ctx, join(b.path, readyNode)); err != nil || ready {
			return err
		}
	}
}

// Leave removes this process and blocks until every process has left, or
// ctx or the session ends. The lowest-named process leaves last, so the
// others each watch only it, and it watches the highest: no herd.
func (b *DoubleBarrier) Leave(ctx context.Context) error {
	if err := retry(ctx, b.c, func() error { return b.leave(ctx) }); err != nil {
		return wrapf(err, "leave double barrier %s", b.path)
	}
	return nil
}

func (b *DoubleBarrier) leave(ctx context.Context) error {
	for {
		kids, _, err := b.c.Children(ctx, b.path)
		if err != nil {
			return err
		}
		left := members(kids)
		slices.Sort(left)
		switch {
		case len(left) == 0:
			return nil
		case len(left) == 1 && left[0] == b.name:
			// The last to leave removes "ready", so the barrier can be
			// used again. Not the first, as kazoo does: a process that
			// entered but has not yet looked for "ready" would wait for
			// it forever.
			err := b.c.Delete(ctx, join(b.path, readyNode), -1)
			if err != nil && !errors.Is(err, znode.ErrNoNode) {
				return err
			}
			return b.deleteSelf(ctx)
		}
		watch := left[0]
		if left[0] == b.name {
			watch = left[len(left)-1]
		} else if err := b.deleteSelf(ctx); err != nil {
			return err
		}
		// A get, not an exists: on a node already gone it leaves no watch.
		_, _, ch, err := b.c.GetW(ctx, join(b.path, watch))
		if errors.Is(err, znode.ErrNoNode) {
			continue
		}
		if err != nil {
			return err
		}
		if _, _, err := wait(ctx, b.c, ch); err != nil {
			return err
		}
	}
}

func (b *DoubleBarrier) deleteSelf(ctx context.Context) error {
	if err := b.c.Delete(ctx, join(b.path, b.name), -1); err != nil && !errors.Is(err, znode.ErrNoNode) {
		return err
	}
	return nil
}

// members returns the children that are processes, not "ready".
func members(kids []string) []string {
	out := make([]string, 0, len(kids))
	for _, k := range kids {
		if k != readyNode {
			out = append(out, k)
		}
	}
	return out
}
