package wal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/go-hclog"
)

// Record is one entry of the log: a zxid and the txn it carries. Data is
// opaque to the log.
type Record struct {
	Zxid int64
	Data []byte
}

// Options configure Open.
type Options struct {
	// LogDir holds the segments, the epochs file and the intent file
	// (ZooKeeper's dataLogDir). Required.
	LogDir string
	// SnapDir holds the snapshots (ZooKeeper's dataDir). Empty means
	// LogDir. Put the log on its own disk for the fastest fsyncs.
	SnapDir string
	// FS reaches the files; nil means OSFS, the real filesystem.
	FS FS
	// SegmentSize is the size segments are preallocated to and rolled at;
	// 0 means 64 MiB, ZooKeeper's preAllocSize. A record larger than a
	// segment gets a segment of its own. At least 1 KiB.
	SegmentSize int64
	// Logger receives what recovery repaired and what failed; nil is
	// silent.
	Logger hclog.Logger
}

// Log is a peer's durable storage: the txn log with group commit, the
// snapshots and the epochs. Its methods are safe for concurrent use.
type Log struct {
	fs      FS
	logDir  string
	snapDir string
	segSize int64
	logger  hclog.Logger
	info    RecoveryInfo

	// The queue of appends and operations for the syncer.
	mu      sync.Mutex
	work    *sync.Cond // the queue got work, or the log is closing
	room    *sync.Cond // the syncer took the queue, or the log broke or is closing
	next    *batch     // filling
	spare   *batch     // the other buffer, while the syncer is not using it
	closing bool
	broken  error // sticky, wraps ErrBroken

	// Owned by the syncer goroutine (and by Open before it starts).
	wseg       *segment // the segment being appended to, or nil
	wfile      File
	woff       int64 // where the next record goes in wfile
	wtail      int64 // zxid the next append must follow
	prepAsked  bool
	prep       *preparer
	valid      []int  // scratch: waiters of a run that pass the order check
	newMarks   []mark // scratch
	activeSize int64  // recovery: size of the last segment if it can take appends
	snapInLog  bool   // recovery: the chosen snapshot's zxid is a record of the log

	// The index of durable records. The syncer changes it under idxMu;
	// readers copy what they need under idxMu.RLock.
	idxMu     sync.RWMutex
	segs      []*segment
	base      int64 // zxid the log continues from when it holds no record above it
	firstZxid atomic.Int64
	lastZxid  atomic.Int64

	// filesMu keeps segment files in place while Scan reads them:
	// Truncate, ResetTo and Purge take it exclusively.
	filesMu sync.RWMutex

	snapMu sync.Mutex
	snaps  []snapInfo // ascending zxid

	epochMu  sync.Mutex
	accepted int64
	current  int64

	closed     atomic.Bool
	syncerDone chan struct{}
	closeOnce  sync.Once
	closeErr   error
}

// Open opens the log in opts.LogDir, creating the directories if needed,
// and recovers it: it removes temp files of interrupted writes, finishes an
// interrupted Truncate or ResetTo, picks the newest valid snapshot, checks
// every record of every segment and the zxid sequence, cuts a torn tail,
// and checks that the log continues the snapshot. Recovery() reports what it
// found. Corruption before the tail fails Open with ErrCorrupt, a missing
// stretch of zxids with ErrGap; the message names the file and offset.
//
// Open starts the syncer goroutine (and one that preallocates segments);
// Close stops them.
func Open(ctx context.Context, opts Options) (*Log, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.LogDir == "" {
		return nil, invalidf("Options.LogDir is empty")
	}
	if opts.SegmentSize == 0 {
		opts.SegmentSize = defaultSegSize
	}
	if opts.SegmentSize < minSegSize {
		return nil, invalidf("Options.SegmentSize %d is below the minimum %d", opts.SegmentSize, minSegSize)
	}
	if opts.SnapDir == "" {
		opts.SnapDir = opts.LogDir
	}
	if opts.FS == nil {
		opts.FS = OSFS{}
	}
	if opts.Logger == nil {
		opts.Logger = hclog.NewNullLogger()
	}
	l := &Log{
		fs:         opts.FS,
		logDir:     opts.LogDir,
		snapDir:    opts.SnapDir,
		segSize:    opts.SegmentSize,
		logger:     opts.Logger,
		next:       &batch{},
		spare:      &batch{},
		syncerDone: make(chan struct{}),
	}
	l.work = sync.NewCond(&l.mu)
	l.room = sync.NewCond(&l.mu)
	if err := l.recover(ctx); err != nil {
		return nil, fmt.Errorf("wal: recovering %s: %w", opts.LogDir, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.wtail = max(l.base, l.lastRecord())
	l.lastZxid.Store(l.wtail)
	if l.activeSize > 0 {
		seg := l.segs[len(l.segs)-1]
		f, err := l.fs.OpenFile(filepath.Join(l.logDir, seg.name), os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("wal: opening %s: %w", seg.name, err)
		}
		l.wseg, l.wfile, l.woff = seg, f, seg.end
	}
	l.logger.Info("opened the log", "dir", l.logDir, "snapshot", l.info.SnapshotZxid,
		"first", l.info.FirstZxid, "last", l.wtail, "records", l.info.Records, "segments", l.info.Segments)

	l.prep = startPreparer(l.fs, l.logDir, l.segSize)
	l.askPrealloc()
	go l.syncLoop()
	return l, nil
}

// Close writes and syncs what is queued, stops the syncer and the
// preallocating goroutine, and closes the files. Later calls fail with
// ErrClosed. Close returns the error that broke the log, if one did.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closing = true
		l.closed.Store(true)
		l.work.Broadcast()
		l.room.Broadcast()
		l.mu.Unlock()
		<-l.syncerDone
		l.prep.close()
		if l.wfile != nil {
			_ = l.wfile.Close()
			l.wfile = nil
		}
		l.mu.Lock()
		l.closeErr = l.broken
		l.mu.Unlock()
	})
	return l.closeErr
}

// Recovery reports what Open found and repaired.
func (l *Log) Recovery() RecoveryInfo {
	info := l.info
	info.SkippedSnapshots = append([]SnapshotError(nil), info.SkippedSnapshots...)
	if info.TornTail != nil {
		t := *info.TornTail
		info.TornTail = &t
	}
	return info
}

// LastZxid returns the zxid of the newest durable record, or, if the log
// holds none above it, the snapshot the log continues from (0 for an empty
// history). Appends must follow it (see Follows).
func (l *Log) LastZxid() int64 { return l.lastZxid.Load() }

// FirstZxid returns the zxid of the oldest record still on disk, 0 if the
// log holds none.
func (l *Log) FirstZxid() int64 { return l.firstZxid.Load() }

func (l *Log) brokenErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.broken
}

// setBroken records the first failure that leaves the disk in an unknown
// state; every later write fails with it.
func (l *Log) setBroken(cause error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken == nil {
		l.broken = brokenErr(cause)
		l.room.Broadcast()
		l.logger.Error("the log is broken; restart the peer to recover", "error", cause)
	}
	return l.broken
}

// liveErr fails calls on a closed or broken log.
func (l *Log) liveErr() error {
	if l.closed.Load() {
		return ErrClosed
	}
	return l.brokenErr()
}
