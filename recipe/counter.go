package recipe

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ensemble-go/ensemble/znode"
)

// Counter is a shared integer at a znode, changed by compare-and-set on
// the znode's version: read the value and its version, write the new
// value only if the version is unchanged, and try again if it changed.
// The value is stored as decimal text, as kazoo's Counter stores an int,
// and an empty znode reads as 0, so kazoo counters and these share.
type Counter struct {
	c    Client
	path string
}

// NewCounter returns the counter at path.
func NewCounter(c Client, path string) *Counter {
	return &Counter{c: c, path: path}
}

// Value returns the counter's value and the znode version it was read
// at; a counter whose znode does not exist yet is 0 at version -1.
func (k *Counter) Value(ctx context.Context) (int64, int32, error) {
	data, st, err := k.c.Get(ctx, k.path)
	if errors.Is(err, znode.ErrNoNode) {
		return 0, -1, nil
	}
	if err != nil {
		return 0, 0, wrapf(err, "counter %s", k.path)
	}
	v, err := parseCounter(data)
	if err != nil {
		return 0, 0, wrapf(err, "counter %s", k.path)
	}
	return v, st.Version, nil
}

// parseCounter reads a counter's data: decimal text, empty for 0.
func parseCounter(data []byte) (int64, error) {
	if len(data) == 0 {
		return 0, nil
	}
	v, err := strconv.ParseInt(string(data), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrNotCounter, data)
	}
	return v, nil
}

// CompareAndSet sets the counter to v if its znode is still at version
// (from Value; -1 for a counter that does not exist yet). It reports
// false, with no error, when someone changed it first.
func (k *Counter) CompareAndSet(ctx context.Context, version int32, v int64) (bool, error) {
	data := []byte(strconv.FormatInt(v, 10))
	var err error
	if version < 0 {
		if i := lastSlash(k.path); i > 0 {
			if err := ensurePath(ctx, k.c, k.path[:i]); err != nil {
				return false, wrapf(err, "counter %s", k.path)
			}
		}
		_, err = k.c.Create(ctx, k.path, data, znode.Persistent, nil)
	} else {
		_, err = k.c.Set(ctx, k.path, data, version)
	}
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, znode.ErrBadVersion), errors.Is(err, znode.ErrNodeExists), errors.Is(err, znode.ErrNoNode):
		return false, nil
	}
	return false, wrapf(err, "counter %s", k.path)
}

// Add adds delta to the counter and returns the new value, retrying the
// compare-and-set until it wins or ctx ends. An error that leaves the
// outcome unknown (znode.ErrConnectionLoss) may mean delta was added: Add
// does not retry it, which could add it twice.
func (k *Counter) Add(ctx context.Context, delta int64) (int64, error) {
	for {
		v, version, err := k.Value(ctx)
		if err != nil {
			return 0, err
		}
		ok, err := k.CompareAndSet(ctx, version, v+delta)
		if err != nil {
			return 0, err
		}
		if ok {
			return v + delta, nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}
