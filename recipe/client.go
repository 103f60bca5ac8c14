package recipe

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ensemble-go/ensemble/znode"
)

// Client is the part of a ZooKeeper session the recipes use. An
// *ensemble.Client satisfies it as it is; a client of another library
// needs a thin adapter.
//
// The contract, as *ensemble.Client keeps it:
//   - Errors match the znode codes with errors.Is (znode.ErrNoNode,
//     znode.ErrNodeExists, znode.ErrBadVersion, ...).
//   - A watch channel (GetW, ExistsW, ChildrenW) receives at most one event
//     and is then closed; it is closed without an event when the session
//     ends. A data watch fires on NodeCreated, NodeDataChanged and
//     NodeDeleted, a child watch on NodeChildrenChanged and NodeDeleted.
//   - Expired is closed when the session ends for good (closed, expired,
//     or its server stopped); Err then says why. Its ephemeral nodes are
//     gone, or will be once the ensemble expires the session.
//   - Children returns names, not paths.
//
// A client that also has a Timeout() time.Duration method, the session
// timeout, as *ensemble.Client does, gets a safer Lock: its holder renews
// a lease with a write every sixth of the timeout and counts the lock lost
// when none goes through for half of it (see lock_hold.go). Without it, a
// holder cut off from the quorum learns of its loss only when it is back.
type Client interface {
	Create(ctx context.Context, path string, data []byte, mode znode.CreateMode, acl []znode.ACL) (string, error)
	Delete(ctx context.Context, path string, version int32) error
	Set(ctx context.Context, path string, data []byte, version int32) (znode.Stat, error)
	Get(ctx context.Context, path string) ([]byte, znode.Stat, error)
	GetW(ctx context.Context, path string) ([]byte, znode.Stat, <-chan znode.Event, error)
	Exists(ctx context.Context, path string) (bool, znode.Stat, error)
	ExistsW(ctx context.Context, path string) (bool, znode.Stat, <-chan znode.Event, error)
	Children(ctx context.Context, path string) ([]string, znode.Stat, error)
	ChildrenW(ctx context.Context, path string) ([]string, znode.Stat, <-chan znode.Event, error)
	Expired() <-chan struct{}
	Err() error
}

// ensurePath creates path and its missing ancestors as empty persistent
// znodes, as kazoo's ensure_path does. Nodes that already exist are fine,
// so it retries what it cannot tell.
func ensurePath(ctx context.Context, c Client, path string) error {
	return retry(ctx, c, func() error { return ensurePathOnce(ctx, c, path) })
}

func ensurePathOnce(ctx context.Context, c Client, path string) error {
	if ok, _, err := c.Exists(ctx, path); err != nil || ok {
		return err
	}
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		_, err := c.Create(ctx, path[:i], nil, znode.Persistent, nil)
		if err != nil && !errors.Is(err, znode.ErrNodeExists) {
			return err
		}
	}
	return nil
}

// join returns the path of child name under dir.
func join(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// base returns the last component of a path.
func base(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// newUUID returns a random (version 4) UUID as 32 lower-case hex digits,
// as Python's uuid4().hex prints it.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// dashed formats a 32-digit hex UUID as Java's UUID.toString does.
func dashed(u string) string {
	return u[:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:]
}

// sessionErr returns why c's session ended, or nil while it lives.
func sessionErr(c Client) error {
	select {
	case <-c.Expired():
		if err := c.Err(); err != nil {
			return err
		}
		return errSessionEnded
	default:
		return nil
	}
}

// errSessionEnded stands in for a session's end when its client gives no
// reason.
var errSessionEnded = errors.New("recipe: the session ended")

// wait blocks until the watch channel ch fires or closes, ctx ends, or the
// session ends. It returns the event (ok false when ch closed without
// one), or the error that stopped the wait.
func wait(ctx context.Context, c Client, ch <-chan znode.Event) (znode.Event, bool, error) {
	select {
	case ev, ok := <-ch:
		return ev, ok, nil
	case <-ctx.Done():
		return znode.Event{}, false, ctx.Err()
	case <-c.Expired():
		return znode.Event{}, false, sessionErr(c)
	}
}

// wrapf adds the recipe's context to an error from the client.
func wrapf(err error, format string, args ...any) error {
	return fmt.Errorf("recipe: "+format+": %w", append(args, err)...)
}

// retryable reports whether err leaves an operation's outcome unknown and
// is worth trying again: a lost connection, or, in process, a write that
// was waiting or in flight when the peer lost its leader.
func retryable(err error) bool {
	return errors.Is(err, znode.ErrConnectionLoss) ||
		errors.Is(err, znode.ErrOperationTimeout) ||
		errors.Is(err, znode.ErrRequestTimeout)
}

// retry runs op until it succeeds, fails with an error that is not
// retryable, or ctx or the session ends. Only for operations that are safe
// to repeat whether or not they were applied.
func retry(ctx context.Context, c Client, op func() error) error {
	for {
		err := op()
		if err == nil || !retryable(err) || !backoff(ctx, c) {
			return err
		}
	}
}

// retryDelay is how long a watcher waits before it tries again after an
// error from its client that did not end the session (a connection loss
// on a remote client, say).
const retryDelay = 100 * time.Millisecond

// backoff waits retryDelay; it reports false, at once, if ctx or the
// session ends first.
func backoff(ctx context.Context, c Client) bool {
	t := time.NewTimer(retryDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-c.Expired():
		return false
	}
}

// lastSlash returns the index of the last '/' in path.
func lastSlash(path string) int { return strings.LastIndexByte(path, '/') }
