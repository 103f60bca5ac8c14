package wal

import "io/fs"

// FS is the small filesystem the log reaches its files through. OSFS is the
// real one; package faultfs is an in-memory one that can crash, tear writes,
// fail a chosen write or sync, and fill up.
//
// Paths are the log's own (directory joined with a file name); an FS need not
// support anything else. Errors for a missing file must match fs.ErrNotExist.
type FS interface {
	// OpenFile opens or creates a file, with os.OpenFile's flags
	// (os.O_RDONLY, os.O_RDWR, os.O_CREATE, os.O_EXCL, os.O_TRUNC).
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Rename atomically replaces newname with oldname. Both are in the same
	// directory; the change is durable only after SyncDir.
	Rename(oldname, newname string) error
	// Remove deletes a file; the change is durable only after SyncDir.
	Remove(name string) error
	// ReadDir returns the names of the files in dir, sorted.
	ReadDir(dir string) ([]string, error)
	// MkdirAll creates dir and its parents if they do not exist.
	MkdirAll(dir string, perm fs.FileMode) error
	// SyncDir makes the entries of dir (creations, renames, removals)
	// durable.
	SyncDir(dir string) error
}

// File is an open file of an FS. The log reads and writes at explicit
// offsets only.
type File interface {
	// ReadAt reads len(p) bytes at off, as io.ReaderAt.
	ReadAt(p []byte, off int64) (int, error)
	// WriteAt writes p at off, as io.WriterAt, growing the file if needed.
	WriteAt(p []byte, off int64) (int, error)
	// Sync makes the file's data and metadata durable (fsync).
	Sync() error
	// Datasync makes the file's data durable, and its metadata only as far
	// as needed to read the data back (fdatasync where the system has it).
	Datasync() error
	// Truncate changes the file's size; durable after Sync.
	Truncate(size int64) error
	// Size returns the file's current size.
	Size() (int64, error)
	// Close releases the file.
	Close() error
}
