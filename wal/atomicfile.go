package wal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// errNotDurable marks a failed sync, rename or directory sync: afterwards
// nobody knows what is on disk, so the Log stops writing (see ErrBroken).
var errNotDurable = errors.New("wal: sync failed")

func notDurable(err error) error { return fmt.Errorf("%w: %w", errNotDurable, err) }

// writeFileAtomic replaces dir/name with data so that a crash leaves either
// the old content or the new, never a mix: write a temp file, sync it,
// rename it over the old one, sync the directory.
func writeFileAtomic(fsys FS, dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+tmpSuffix)
	f, err := fsys.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		_ = f.Close()
		_ = fsys.Remove(tmp)
		return err
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(notDurable(err))
	}
	if err := f.Close(); err != nil {
		_ = fsys.Remove(tmp)
		return err
	}
	if err := fsys.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return notDurable(err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return notDurable(err)
	}
	return nil
}

// readSmallFile reads a whole file of at most max bytes.
func readSmallFile(fsys FS, path string, max int64) ([]byte, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	if size > max {
		return nil, corruptf("%s is %d bytes, expected at most %d", filepath.Base(path), size, max)
	}
	b := make([]byte, size)
	if n, err := f.ReadAt(b, 0); n < len(b) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return b, nil
}
