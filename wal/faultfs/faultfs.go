package faultfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/ensemble-go/ensemble/wal"
)

// OpKind names an operation a fault can hit.
type OpKind int

// The operations SetFault sees.
const (
	OpCreate   OpKind = iota + 1 // OpenFile creating a file
	OpWrite                      // File.WriteAt
	OpSync                       // File.Sync and File.Datasync
	OpTruncate                   // File.Truncate, and OpenFile with O_TRUNC of an existing file
	OpRename                     // FS.Rename
	OpRemove                     // FS.Remove
	OpSyncDir                    // FS.SyncDir
)

var opNames = map[OpKind]string{
	OpCreate: "create", OpWrite: "write", OpSync: "sync", OpTruncate: "truncate",
	OpRename: "rename", OpRemove: "remove", OpSyncDir: "syncdir",
}

// String names the operation: "write", "sync" and so on.
func (k OpKind) String() string {
	if s, ok := opNames[k]; ok {
		return s
	}
	return fmt.Sprintf("op(%d)", int(k))
}

// Op is an operation about to happen.
type Op struct {
	Kind OpKind
	Path string // the file's current name (renames followed), the directory for OpSyncDir, the old name for OpRename
	Seq  int64  // 1 for the first operation since New, counting every kind
}

// Errors the filesystem returns.
var (
	// ErrCrashed: the filesystem crashed (see Crash); call Restart and
	// reopen files.
	ErrCrashed = errors.New("faultfs: file system crashed")
	// ErrInjected is a convenient error for faults to return.
	ErrInjected = errors.New("faultfs: injected fault")
)

// FS is an in-memory filesystem with durable and volatile state. The zero
// value is not usable; call New.
type FS struct {
	mu       sync.Mutex
	dirs     map[string]*dir
	gen      int64 // bumped by a crash; files of older generations are dead
	down     bool
	seq      int64
	fault    func(Op) error
	capacity int64
}

type dir struct {
	names   map[string]*inode // current entries
	durable map[string]*inode // as of the last SyncDir
	log     []dirChange       // changes since the last SyncDir, in order
}

// dirChange: ino nil removes name; from renames from into name.
type dirChange struct {
	name string
	from string
	ino  *inode
}

type inode struct {
	path    string   // current name; "" once removed
	data    []byte   // current content
	durable []byte   // as of the last sync
	log     []change // changes since the last sync, in order
}

type change struct {
	truncate bool
	off      int64 // write offset, or new size
	data     []byte
}

var _ wal.FS = (*FS)(nil)

// New returns an empty filesystem.
func New() *FS { return &FS{dirs: map[string]*dir{}} }

// SetFault installs f, called before every operation that changes
// something; nil removes it. A non-nil error from f fails the operation,
// which then changes nothing (for a sync: see the package doc). f runs
// without locks held and may call Crash.
func (fsys *FS) SetFault(f func(Op) error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	fsys.fault = f
}

// SetCapacity limits the total size of the files to n bytes; 0 removes the
// limit.
func (fsys *FS) SetCapacity(n int64) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	fsys.capacity = n
}

// Ops returns how many operations SetFault has seen (or would have).
func (fsys *FS) Ops() int64 {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	return fsys.seq
}

// FailNth returns a fault that fails the nth operation (from 1) among those
// of the given kinds (of any kind if none is given) with err.
func FailNth(n int64, err error, kinds ...OpKind) func(Op) error {
	var count atomic.Int64
	return func(op Op) error {
		if len(kinds) > 0 && !slices.Contains(kinds, op.Kind) {
			return nil
		}
		if count.Add(1) == n {
			return err
		}
		return nil
	}
}

// Crash loses everything that is not durable: each file goes back to its
// last synced content and each directory to its last synced entries. The
// filesystem then stays down (every operation fails with ErrCrashed) until
// Restart.
func (fsys *FS) Crash() { fsys.crash(nil) }

// CrashTorn is Crash on a disk that got part of its cache out first: for
// each file and directory it keeps a random prefix of the changes made since
// the last sync, the last kept write possibly cut short, chosen by rng.
func (fsys *FS) CrashTorn(rng *rand.Rand) { fsys.crash(rng) }

func (fsys *FS) crash(rng *rand.Rand) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	fsys.gen++
	fsys.down = true
	for _, p := range slices.Sorted(maps.Keys(fsys.dirs)) { // sorted: same seed, same crash
		d := fsys.dirs[p]
		if rng != nil {
			for _, c := range d.log[:rng.Intn(len(d.log)+1)] {
				c.apply(d.durable)
			}
		}
		d.names = maps.Clone(d.durable)
		d.log = nil
		for n, ino := range d.names {
			ino.path = filepath.Join(p, n)
		}
	}
	for _, ino := range fsys.inodes() {
		if rng != nil && len(ino.log) > 0 {
			k := rng.Intn(len(ino.log) + 1)
			for _, c := range ino.log[:k] {
				ino.durable = c.apply(ino.durable)
			}
			if k < len(ino.log) && !ino.log[k].truncate {
				c := ino.log[k]
				c.data = c.data[:rng.Intn(len(c.data)+1)]
				ino.durable = c.apply(ino.durable)
			}
		}
		ino.data = slices.Clone(ino.durable)
		ino.log = nil
	}
}

// Restart brings the filesystem back up after a crash.
func (fsys *FS) Restart() {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	fsys.down = false
}

// inodes returns every file reachable from a directory, in a stable order.
func (fsys *FS) inodes() []*inode {
	seen := map[*inode]bool{}
	var out []*inode
	for _, p := range slices.Sorted(maps.Keys(fsys.dirs)) {
		d := fsys.dirs[p]
		for _, n := range slices.Sorted(maps.Keys(d.names)) {
			if ino := d.names[n]; !seen[ino] {
				seen[ino] = true
				out = append(out, ino)
			}
		}
	}
	return out
}

func (c dirChange) apply(m map[string]*inode) {
	switch {
	case c.from != "":
		delete(m, c.from)
		m[c.name] = c.ino
	case c.ino == nil:
		delete(m, c.name)
	default:
		m[c.name] = c.ino
	}
}

func (c change) apply(b []byte) []byte {
	if c.truncate {
		return resize(b, c.off)
	}
	end := c.off + int64(len(c.data))
	if int64(len(b)) < end {
		b = resize(b, end)
	}
	copy(b[c.off:], c.data)
	return b
}

func resize(b []byte, n int64) []byte {
	if int64(len(b)) >= n {
		return b[:n]
	}
	return append(b, make([]byte, n-int64(len(b)))...)
}

// ReadFile returns a file's current content.
func (fsys *FS) ReadFile(name string) ([]byte, error) {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	ino, err := fsys.lookup(name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(ino.data), nil
}

// WriteFile sets a file's content, current and durable at once, creating it
// (durably) if needed: an edit of the disk while the system is off, for
// setting up a test or damaging a file.
func (fsys *FS) WriteFile(name string, data []byte) error {
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	p := filepath.Clean(name)
	d := fsys.dirs[filepath.Dir(p)]
	if d == nil {
		return &fs.PathError{Op: "writefile", Path: p, Err: fs.ErrNotExist}
	}
	ino := d.names[filepath.Base(p)]
	if ino == nil {
		ino = &inode{path: p}
		d.names[filepath.Base(p)] = ino
	}
	d.durable[filepath.Base(p)] = ino
	ino.data, ino.durable, ino.log = slices.Clone(data), slices.Clone(data), nil
	return nil
}

func (fsys *FS) lookup(name string) (*inode, error) {
	p := filepath.Clean(name)
	if d := fsys.dirs[filepath.Dir(p)]; d != nil {
		if ino := d.names[filepath.Base(p)]; ino != nil {
			return ino, nil
		}
	}
	return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
}

// before lets the fault function see an operation and veto it.
func (fsys *FS) before(kind OpKind, path string) error {
	fsys.mu.Lock()
	if fsys.down {
		fsys.mu.Unlock()
		return ErrCrashed
	}
	fsys.seq++
	op := Op{Kind: kind, Path: path, Seq: fsys.seq}
	fault := fsys.fault
	fsys.mu.Unlock()
	if fault != nil {
		return fault(op)
	}
	return nil
}

// used returns the total size of the files; the caller holds mu.
func (fsys *FS) used() int64 {
	var n int64
	for _, ino := range fsys.inodes() {
		n += int64(len(ino.data))
	}
	return n
}

// OpenFile opens or creates a file. Flags as os.OpenFile: O_RDONLY,
// O_WRONLY, O_RDWR, O_CREATE, O_EXCL, O_TRUNC.
func (fsys *FS) OpenFile(name string, flag int, _ fs.FileMode) (wal.File, error) {
	p := filepath.Clean(name)
	base := filepath.Base(p)
	fsys.mu.Lock()
	if fsys.down {
		fsys.mu.Unlock()
		return nil, &fs.PathError{Op: "open", Path: p, Err: ErrCrashed}
	}
	d := fsys.dirs[filepath.Dir(p)]
	if d == nil {
		fsys.mu.Unlock()
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	var kind OpKind
	switch ino := d.names[base]; {
	case ino == nil && flag&os.O_CREATE == 0:
		fsys.mu.Unlock()
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	case ino != nil && flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		fsys.mu.Unlock()
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrExist}
	case ino == nil:
		kind = OpCreate
	case flag&os.O_TRUNC != 0:
		kind = OpTruncate
	}
	fsys.mu.Unlock()
	if kind != 0 {
		if err := fsys.before(kind, p); err != nil {
			return nil, &fs.PathError{Op: "open", Path: p, Err: err}
		}
	}
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return nil, &fs.PathError{Op: "open", Path: p, Err: ErrCrashed}
	}
	d = fsys.dirs[filepath.Dir(p)]
	ino := d.names[base]
	switch {
	case ino == nil && flag&os.O_CREATE == 0:
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	case ino == nil:
		ino = &inode{path: p}
		d.names[base] = ino
		d.log = append(d.log, dirChange{name: base, ino: ino})
	case flag&os.O_TRUNC != 0:
		ino.data = ino.data[:0]
		ino.log = append(ino.log, change{truncate: true, off: 0})
	}
	return &file{fsys: fsys, ino: ino, path: p, gen: fsys.gen, writable: flag&(os.O_WRONLY|os.O_RDWR) != 0}, nil
}

// Rename renames a file within its directory.
func (fsys *FS) Rename(oldname, newname string) error {
	op, np := filepath.Clean(oldname), filepath.Clean(newname)
	if filepath.Dir(op) != filepath.Dir(np) {
		return &os.LinkError{Op: "rename", Old: op, New: np, Err: syscall.EXDEV}
	}
	if err := fsys.before(OpRename, op); err != nil {
		return &os.LinkError{Op: "rename", Old: op, New: np, Err: err}
	}
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return &os.LinkError{Op: "rename", Old: op, New: np, Err: ErrCrashed}
	}
	d := fsys.dirs[filepath.Dir(op)]
	if d == nil || d.names[filepath.Base(op)] == nil {
		return &os.LinkError{Op: "rename", Old: op, New: np, Err: fs.ErrNotExist}
	}
	c := dirChange{name: filepath.Base(np), from: filepath.Base(op), ino: d.names[filepath.Base(op)]}
	if old := d.names[c.name]; old != nil && old != c.ino {
		old.path = ""
	}
	c.ino.path = np
	c.apply(d.names)
	d.log = append(d.log, c)
	return nil
}

// Remove deletes a file.
func (fsys *FS) Remove(name string) error {
	p := filepath.Clean(name)
	if err := fsys.before(OpRemove, p); err != nil {
		return &fs.PathError{Op: "remove", Path: p, Err: err}
	}
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return &fs.PathError{Op: "remove", Path: p, Err: ErrCrashed}
	}
	d := fsys.dirs[filepath.Dir(p)]
	if d == nil || d.names[filepath.Base(p)] == nil {
		return &fs.PathError{Op: "remove", Path: p, Err: fs.ErrNotExist}
	}
	c := dirChange{name: filepath.Base(p)}
	if ino := d.names[c.name]; ino.path == p {
		ino.path = ""
	}
	c.apply(d.names)
	d.log = append(d.log, c)
	return nil
}

// ReadDir returns the sorted names of the files in a directory.
func (fsys *FS) ReadDir(name string) ([]string, error) {
	p := filepath.Clean(name)
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: ErrCrashed}
	}
	d := fsys.dirs[p]
	if d == nil {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrNotExist}
	}
	return slices.Sorted(maps.Keys(d.names)), nil
}

// MkdirAll creates a directory and its parents, durably at once.
func (fsys *FS) MkdirAll(name string, _ fs.FileMode) error {
	p := filepath.Clean(name)
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return &fs.PathError{Op: "mkdir", Path: p, Err: ErrCrashed}
	}
	for {
		if fsys.dirs[p] == nil {
			fsys.dirs[p] = &dir{names: map[string]*inode{}, durable: map[string]*inode{}}
		}
		parent := filepath.Dir(p)
		if parent == p {
			return nil
		}
		p = parent
	}
}

// SyncDir makes a directory's entries durable.
func (fsys *FS) SyncDir(name string) error {
	p := filepath.Clean(name)
	if err := fsys.before(OpSyncDir, p); err != nil {
		return &fs.PathError{Op: "syncdir", Path: p, Err: err}
	}
	fsys.mu.Lock()
	defer fsys.mu.Unlock()
	if fsys.down {
		return &fs.PathError{Op: "syncdir", Path: p, Err: ErrCrashed}
	}
	d := fsys.dirs[p]
	if d == nil {
		return &fs.PathError{Op: "syncdir", Path: p, Err: fs.ErrNotExist}
	}
	d.durable = maps.Clone(d.names)
	d.log = nil
	return nil
}

// file is an open file.
type file struct {
	fsys     *FS
	ino      *inode
	path     string
	gen      int64
	writable bool
	closed   bool
}

// check fails a file that was closed or that a crash killed; the caller
// holds mu.
func (f *file) check(op string) error {
	switch {
	case f.closed:
		return &fs.PathError{Op: op, Path: f.path, Err: fs.ErrClosed}
	case f.fsys.down || f.gen != f.fsys.gen:
		return &fs.PathError{Op: op, Path: f.path, Err: ErrCrashed}
	}
	return nil
}

func (f *file) ReadAt(p []byte, off int64) (int, error) {
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if err := f.check("read"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.path, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// name is the file's current name, for faults to see.
func (f *file) name() string {
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if f.ino.path != "" {
		return f.ino.path
	}
	return f.path
}

func (f *file) WriteAt(p []byte, off int64) (int, error) {
	if !f.writable {
		return 0, &fs.PathError{Op: "write", Path: f.path, Err: fs.ErrPermission}
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "write", Path: f.path, Err: fs.ErrInvalid}
	}
	if err := f.fsys.before(OpWrite, f.name()); err != nil {
		return 0, &fs.PathError{Op: "write", Path: f.path, Err: err}
	}
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if err := f.check("write"); err != nil {
		return 0, err
	}
	n := len(p)
	if c := f.fsys.capacity; c > 0 {
		size := int64(len(f.ino.data))
		if grow := off + int64(n) - size; grow > 0 {
			if room := c - f.fsys.used(); grow > room {
				n = int(max(0, min(int64(n), size+max(room, 0)-off)))
			}
		}
	}
	if n > 0 {
		c := change{off: off, data: slices.Clone(p[:n])}
		f.ino.data = c.apply(f.ino.data)
		f.ino.log = append(f.ino.log, c)
	}
	if n < len(p) {
		return n, &fs.PathError{Op: "write", Path: f.path, Err: syscall.ENOSPC}
	}
	return n, nil
}

func (f *file) Sync() error     { return f.sync("sync") }
func (f *file) Datasync() error { return f.sync("datasync") }

func (f *file) sync(op string) error {
	if err := f.fsys.before(OpSync, f.name()); err != nil {
		f.fsys.mu.Lock()
		if f.check(op) == nil {
			f.ino.log = nil // fsyncgate: the failed writes never become durable
		}
		f.fsys.mu.Unlock()
		return &fs.PathError{Op: op, Path: f.path, Err: err}
	}
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if err := f.check(op); err != nil {
		return err
	}
	for _, c := range f.ino.log {
		f.ino.durable = c.apply(f.ino.durable)
	}
	f.ino.log = nil
	return nil
}

func (f *file) Truncate(size int64) error {
	if !f.writable {
		return &fs.PathError{Op: "truncate", Path: f.path, Err: fs.ErrPermission}
	}
	if size < 0 {
		return &fs.PathError{Op: "truncate", Path: f.path, Err: fs.ErrInvalid}
	}
	if err := f.fsys.before(OpTruncate, f.name()); err != nil {
		return &fs.PathError{Op: "truncate", Path: f.path, Err: err}
	}
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if err := f.check("truncate"); err != nil {
		return err
	}
	c := change{truncate: true, off: size}
	f.ino.data = c.apply(f.ino.data)
	f.ino.log = append(f.ino.log, c)
	return nil
}

func (f *file) Size() (int64, error) {
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if err := f.check("stat"); err != nil {
		return 0, err
	}
	return int64(len(f.ino.data)), nil
}

func (f *file) Close() error {
	f.fsys.mu.Lock()
	defer f.fsys.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "close", Path: f.path, Err: fs.ErrClosed}
	}
	f.closed = true
	return nil
}
