package wal

import (
	"fmt"
	"os"
	"path/filepath"
)

// preallocPrefix names the temp files of preallocated segments.
const preallocPrefix = "prealloc."

// prepared is a preallocated segment file, zero-filled and synced, waiting
// under a temp name; or the error that kept it from being made.
type prepared struct {
	path string
	f    File
	err  error
}

func (p prepared) discard(fsys FS) {
	if p.f != nil {
		_ = p.f.Close()
		_ = fsys.Remove(p.path)
	}
}

// preparer fills the next segment with zeros in the background, so that
// rolling costs a rename and not a 64 MiB write. Writing real zeros (rather
// than fallocate's unwritten extents) lets every later fdatasync skip
// metadata: appends land in blocks that already exist, and the file size
// never changes.
type preparer struct {
	fs    FS
	dir   string
	size  int64
	ask   chan struct{}
	ready chan prepared
	stop  chan struct{}
	done  chan struct{}
	seq   int
}

func startPreparer(fsys FS, dir string, size int64) *preparer {
	p := &preparer{
		fs:    fsys,
		dir:   dir,
		size:  size,
		ask:   make(chan struct{}, 1),
		ready: make(chan prepared),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go p.run()
	return p
}

func (p *preparer) run() {
	defer close(p.done)
	for {
		select {
		case <-p.ask:
		case <-p.stop:
			return
		}
		res := p.prepare()
		select {
		case p.ready <- res:
		case <-p.stop:
			res.discard(p.fs)
			return
		}
	}
}

// request asks for one more segment; it never blocks.
func (p *preparer) request() {
	select {
	case p.ask <- struct{}{}:
	default:
	}
}

// take waits for the requested segment.
func (p *preparer) take() prepared { return <-p.ready }

// close stops the goroutine and removes a segment nobody took.
func (p *preparer) close() {
	close(p.stop)
	<-p.done
}

func (p *preparer) prepare() prepared {
	p.seq++
	path := filepath.Join(p.dir, fmt.Sprintf("%s%d%s", preallocPrefix, p.seq, tmpSuffix))
	f, err := p.fs.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return prepared{err: fmt.Errorf("wal: preallocating a segment: %w", err)}
	}
	res := prepared{path: path, f: f}
	fail := func(err error) prepared {
		res.discard(p.fs)
		return prepared{err: fmt.Errorf("wal: preallocating a segment: %w", err)}
	}
	zeros := make([]byte, min(p.size, readChunk))
	for off := int64(0); off < p.size; {
		select {
		case <-p.stop:
			return fail(ErrClosed)
		default:
		}
		n := min(int64(len(zeros)), p.size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return fail(err)
		}
		off += n
	}
	if err := f.Sync(); err != nil {
		return fail(notDurable(err))
	}
	return res
}
