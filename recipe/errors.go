package recipe

import "errors"

// Errors the recipes return (or give as the cause of a context they
// cancel). Errors from the client are wrapped, so errors.Is also matches
// the znode codes and the client's own errors.
var (
	// ErrLocked is TryLock's answer when another contender holds the lock.
	ErrLocked = errors.New("recipe: the lock is held by another contender")
	// ErrNotHeld is returned by Unlock and Resign when there is nothing to
	// release.
	ErrNotHeld = errors.New("recipe: not held")
	// ErrLost is the cause of a lock's or a leadership's context when it
	// is lost without being released: the session ended or the node was
	// deleted by someone else. The error that is the cause wraps it and,
	// when the session ended, the session's error too.
	ErrLost = errors.New("recipe: lost")
	// ErrReleased is the cause of a lock's or a leadership's context after
	// Unlock or Resign.
	ErrReleased = errors.New("recipe: released")
	// ErrNoLeader is Election.Leader's answer when nobody campaigns.
	ErrNoLeader = errors.New("recipe: no leader")
	// ErrEmpty is Queue.TryTake's answer when the queue holds nothing.
	ErrEmpty = errors.New("recipe: the queue is empty")
	// ErrClosed is the cause of a watcher's end after Close.
	ErrClosed = errors.New("recipe: closed")
	// ErrNotCounter is returned when a counter's znode holds something
	// other than a decimal integer.
	ErrNotCounter = errors.New("recipe: the znode does not hold a decimal integer")
)
