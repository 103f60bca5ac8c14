package wal

import (
	"errors"
	"fmt"
)

// Errors returned by the log. Each is a sentinel matched with errors.Is
// through any wrapping; the wrapping message says where and why.
var (
	// ErrCorrupt reports data on disk that fails its checks (a checksum, a
	// magic number, a length, a name that disagrees with the content)
	// where it cannot be a torn write at the tail. The peer must not start
	// on such a log; the message names the file and offset.
	ErrCorrupt = errors.New("wal: corrupt data")
	// ErrGap reports a zxid that does not follow the one before it: a
	// missing segment, a log that does not reach back to the snapshot, or
	// an append that skips zxids within an epoch. See Follows.
	ErrGap = errors.New("wal: gap in zxids")
	// ErrOutOfOrder reports an append whose zxid is not above the last one.
	ErrOutOfOrder = errors.New("wal: zxid not increasing")
	// ErrBroken reports that a write or sync failed earlier. The data on
	// disk is no longer known, so every later write fails with this error
	// (wrapping the first failure) until the peer restarts and recovers.
	ErrBroken = errors.New("wal: log broken by a failed write or sync; restart to recover")
	// ErrClosed reports a call on a closed log.
	ErrClosed = errors.New("wal: log closed")
	// ErrNoSnapshot reports that there is no (valid) snapshot.
	ErrNoSnapshot = errors.New("wal: no snapshot")
	// ErrCompacted reports a Truncate below what the remaining snapshots and
	// log can rebuild.
	ErrCompacted = errors.New("wal: records needed were purged")
	// ErrTooLarge reports a record larger than MaxRecordSize.
	ErrTooLarge = errors.New("wal: record too large")
	// ErrInvalid reports an invalid argument or option.
	ErrInvalid = errors.New("wal: invalid argument")
)

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

func brokenErr(cause error) error {
	if errors.Is(cause, ErrBroken) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrBroken, cause)
}

// orderErr explains why next cannot follow prev.
func orderErr(prev, next int64) error {
	if next <= prev {
		return fmt.Errorf("%w: zxid %#x after %#x", ErrOutOfOrder, next, prev)
	}
	return fmt.Errorf("%w: zxid %#x cannot follow %#x", ErrGap, next, prev)
}
