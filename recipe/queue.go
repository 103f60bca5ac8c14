package recipe

import (
	"context"
	"errors"
	"slices"

	"github.com/ensemble-go/ensemble/znode"
)

// queueEntry is the name of a queue entry before its sequence number:
// kazoo Queue's "entry-" with its default priority, 100, so a kazoo Queue
// at the same path shares the entries.
const queueEntry = "entry-100-"

// Queue is a distributed FIFO queue, ZooKeeper's queue recipe: each item
// is a persistent-sequential child of the queue's path, and a consumer
// takes the lowest by deleting it, so each item goes to exactly one
// consumer. Entries are named as kazoo's Queue names them, and taken in
// the same (name) order, so a kazoo Queue shares the items; its items of
// other priorities come first or last, by priority, as in kazoo.
//
// An item is removed before it is handed over: a consumer that dies after
// Take returns loses the item.
type Queue struct {
	c    Client
	path string
}

// NewQueue returns the queue at path.
func NewQueue(c Client, path string) *Queue {
	return &Queue{c: c, path: path}
}

// Put appends an item. An error that leaves the outcome unknown
// (znode.ErrConnectionLoss) may mean the item was appended.
func (q *Queue) Put(ctx context.Context, data []byte) error {
	for {
		_, err := q.c.Create(ctx, join(q.path, queueEntry), data, znode.PersistentSequential, nil)
		if errors.Is(err, znode.ErrNoNode) {
			if err := ensurePath(ctx, q.c, q.path); err != nil {
				return wrapf(err, "put %s", q.path)
			}
			continue
		}
		if err != nil {
			return wrapf(err, "put %s", q.path)
		}
		return nil
	}
}

// Take removes the first item and returns it, blocking while the queue is
// empty, until ctx or the session ends. An error that leaves the outcome
// unknown (znode.ErrConnectionLoss) may mean an item was taken and lost.
func (q *Queue) Take(ctx context.Context) ([]byte, error) {
	for {
		data, ch, err := q.take(ctx, true)
		if !errors.Is(err, ErrEmpty) {
			return data, err
		}
		if _, _, err := wait(ctx, q.c, ch); err != nil {
			return nil, wrapf(err, "take %s", q.path)
		}
	}
}

// TryTake removes the first item and returns it, or fails with ErrEmpty.
func (q *Queue) TryTake(ctx context.Context) ([]byte, error) {
	data, _, err := q.take(ctx, false)
	return data, err
}

// take tries to take the first item. When the queue is empty it returns
// ErrEmpty and, with watch, a channel that fires when an item arrives.
func (q *Queue) take(ctx context.Context, watch bool) ([]byte, <-chan znode.Event, error) {
	for {
		var (
			kids []string
			ch   <-chan znode.Event
			err  error
		)
		if watch {
			kids, _, ch, err = q.c.ChildrenW(ctx, q.path)
		} else {
			kids, _, err = q.c.Children(ctx, q.path)
		}
		if errors.Is(err, znode.ErrNoNode) {
			if err := ensurePath(ctx, q.c, q.path); err != nil {
				return nil, nil, wrapf(err, "take %s", q.path)
			}
			continue
		}
		if err != nil {
			return nil, nil, wrapf(err, "take %s", q.path)
		}
		slices.Sort(kids)
		for _, k := range kids {
			p := join(q.path, k)
			data, _, err := q.c.Get(ctx, p)
			if err == nil {
				// Deleting is taking: of several consumers that read the
				// item, only one deletes it.
				err = q.c.Delete(ctx, p, -1)
			}
			if errors.Is(err, znode.ErrNoNode) {
				continue // another consumer took it
			}
			if err != nil {
				return nil, nil, wrapf(err, "take %s", q.path)
			}
			return data, nil, nil
		}
		if len(kids) == 0 {
			return nil, ch, ErrEmpty
		}
		// Every item was taken by others while we looked: look again.
	}
}

// Len returns how many items the queue holds.
func (q *Queue) Len(ctx context.Context) (int, error) {
	_, st, err := q.c.Exists(ctx, q.path)
	if err != nil {
		return 0, wrapf(err, "len %s", q.path)
	}
	return int(st.NumChildren), nil
}
