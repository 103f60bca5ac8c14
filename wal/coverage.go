package wal

import "fmt"

// checkCoverage checks that the log continues the chosen snapshot: replay
// starts at the snapshot and needs every record after it.
func (l *Log) checkCoverage() error {
	s := l.info.SnapshotZxid
	l.base = s
	if len(l.segs) == 0 {
		return nil
	}
	first, last := l.segs[0].first, l.lastRecord()
	var why string
	switch {
	case last < s:
		why = fmt.Sprintf("the log ends at %#x, below the snapshot at %#x", last, s)
	case first > s:
		if !Follows(s, first) {
			msg := fmt.Sprintf("the log starts at %#x but the newest valid snapshot is at %#x; the records between are missing", first, s)
			if len(l.info.SkippedSnapshots) > 0 {
				msg += fmt.Sprintf(" (%d newer snapshots were invalid)", len(l.info.SkippedSnapshots))
			}
			if !l.info.HasSnapshot {
				msg = fmt.Sprintf("the log starts at %#x and there is no valid snapshot to start from", first)
			}
			return fmt.Errorf("%w: %s", ErrGap, msg)
		}
		return nil
	case !l.snapInLog:
		why = fmt.Sprintf("the log has no record %#x, the snapshot's zxid: it is an older history the snapshot replaced", s)
	default:
		return nil
	}
	// The snapshot supersedes the log: finish what ResetTo would have done.
	in := intent{op: intentReset, zxid: s}
	if err := writeFileAtomic(l.fs, l.logDir, intentFile, encodeIntent(in)); err != nil {
		return err
	}
	firsts := make([]int64, len(l.segs))
	for i, seg := range l.segs {
		firsts[i] = seg.first
	}
	if err := l.removeSegmentFiles(firsts); err != nil {
		return err
	}
	if err := l.removeIntent(); err != nil {
		return err
	}
	l.segs, l.activeSize, l.info.Records = nil, 0, 0
	l.firstZxid.Store(0)
	l.info.DiscardedLog = why
	l.logger.Warn("discarded the log", "reason", why)
	return nil
}
