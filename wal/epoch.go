package wal

import (
	"context"
	"errors"
)

// Epochs returns Zab's acceptedEpoch (the newest epoch this peer has
// promised to follow) and currentEpoch (the newest it has synced with), as
// last stored. Both are 0 on a new peer.
func (l *Log) Epochs() (accepted, current int64) {
	l.epochMu.Lock()
	defer l.epochMu.Unlock()
	return l.accepted, l.current
}

// SetAcceptedEpoch stores acceptedEpoch durably before returning. It may
// not go backwards (ErrInvalid).
func (l *Log) SetAcceptedEpoch(ctx context.Context, e int64) error {
	l.epochMu.Lock()
	defer l.epochMu.Unlock()
	if e < l.accepted {
		return invalidf("acceptedEpoch may not go back from %d to %d", l.accepted, e)
	}
	if err := l.writeEpochs(ctx, e, l.current); err != nil {
		return err
	}
	l.accepted = e
	return nil
}

// SetCurrentEpoch stores currentEpoch durably before returning. It may not
// go backwards, nor above acceptedEpoch (ErrInvalid): Zab accepts an epoch
// before it syncs with it.
func (l *Log) SetCurrentEpoch(ctx context.Context, e int64) error {
	l.epochMu.Lock()
	defer l.epochMu.Unlock()
	if e < l.current {
		return invalidf("currentEpoch may not go back from %d to %d", l.current, e)
	}
	if e > l.accepted {
		return invalidf("currentEpoch %d may not be above acceptedEpoch %d", e, l.accepted)
	}
	if err := l.writeEpochs(ctx, l.accepted, e); err != nil {
		return err
	}
	l.current = e
	return nil
}

// writeEpochs replaces the epochs file. A failed sync breaks the log: the
// file on disk may hold either pair, and the peer must restart to know.
func (l *Log) writeEpochs(ctx context.Context, accepted, current int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.liveErr(); err != nil {
		return err
	}
	err := writeFileAtomic(l.fs, l.logDir, epochFile, encodeEpochs(accepted, current))
	if errors.Is(err, errNotDurable) {
		return l.setBroken(err)
	}
	return err
}
