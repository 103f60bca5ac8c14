package wal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
)

// MinRetain is the fewest snapshots Purge may keep, ZooKeeper's minimum for
// autopurge.snapRetainCount.
const MinRetain = 3

// Purge deletes old snapshots and segments: it keeps the newest retain valid
// snapshots and every segment holding a record above the oldest of them,
// the ones replay from any kept snapshot needs. Older snapshots (valid or
// not) and segments wholly at or below that snapshot go, oldest first, so a
// crash midway leaves a log with no hole. With no snapshot nothing is
// deleted. retain below MinRetain fails with ErrInvalid.
func (l *Log) Purge(retain int) error {
	if retain < MinRetain {
		return invalidf("Purge(%d): keep at least %d snapshots", retain, MinRetain)
	}
	return l.do(context.Background(), &op{kind: opPurge, retain: retain})
}

func (l *Log) doPurge(retain int) error {
	l.snapMu.Lock()
	var good []int64
	for _, s := range l.snaps {
		if !s.bad {
			good = append(good, s.zxid)
		}
	}
	if len(good) == 0 {
		l.snapMu.Unlock()
		return nil
	}
	oldest := good[max(len(good)-retain, 0)]
	var victims []int64
	for _, s := range l.snaps {
		if s.zxid < oldest {
			victims = append(victims, s.zxid)
		}
	}
	l.snapMu.Unlock()

	l.filesMu.Lock()
	defer l.filesMu.Unlock()
	for _, z := range victims {
		name := snapshotName(z)
		if err := l.fs.Remove(filepath.Join(l.snapDir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("wal: purging %s: %w", name, err)
		}
		l.forgetSnapshot(z)
	}
	if len(victims) > 0 {
		if err := l.fs.SyncDir(l.snapDir); err != nil {
			return l.setBroken(notDurable(err))
		}
	}

	n := 0
	var err error
	for n < len(l.segs)-1 && l.segs[n].last <= oldest && l.segs[n] != l.wseg {
		name := l.segs[n].name
		if e := l.fs.Remove(filepath.Join(l.logDir, name)); e != nil && !errors.Is(e, fs.ErrNotExist) {
			err = fmt.Errorf("wal: purging %s: %w", name, e)
			break
		}
		n++
	}
	if n == 0 {
		return err
	}
	l.idxMu.Lock()
	clear(l.segs[:n])
	l.segs = l.segs[n:]
	l.firstZxid.Store(l.segs[0].first)
	l.idxMu.Unlock()
	if e := l.fs.SyncDir(l.logDir); e != nil {
		return l.setBroken(notDurable(e))
	}
	l.logger.Info("purged", "snapshots", len(victims), "segments", n, "oldest kept snapshot", oldest)
	return err
}
