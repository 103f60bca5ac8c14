package faultfs_test

import (
	"io"
	"io/fs"
	"math/rand"
	"os"
	"syscall"
	"testing"

	"github.com/ensemble-go/ensemble/wal"
	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func setup(t *testing.T) *faultfs.FS {
	t.Helper()
	fsys := faultfs.New()
	require.NoError(t, fsys.MkdirAll("/d", 0o755))
	return fsys
}

func create(t *testing.T, fsys *faultfs.FS, name string) wal.File {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o644)
	require.NoError(t, err)
	return f
}

func write(t *testing.T, f wal.File, s string, off int64) {
	t.Helper()
	n, err := f.WriteAt([]byte(s), off)
	require.NoError(t, err)
	require.Equal(t, len(s), n)
}

func content(t *testing.T, fsys *faultfs.FS, name string) string {
	t.Helper()
	b, err := fsys.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

func names(t *testing.T, fsys *faultfs.FS) []string {
	t.Helper()
	n, err := fsys.ReadDir("/d")
	require.NoError(t, err)
	return n
}

func TestReadsSeeWritesAtOnce(t *testing.T) {
	fsys := setup(t)
	f := create(t, fsys, "/d/a")
	write(t, f, "hello", 0)
	write(t, f, "XY", 7)
	b := make([]byte, 9)
	n, err := f.ReadAt(b, 0)
	require.NoError(t, err)
	assert.Equal(t, "hello\x00\x00XY", string(b[:n]))
	n, err = f.ReadAt(b, 5)
	assert.ErrorIs(t, err, io.EOF)
	assert.Equal(t, 4, n)
	size, err := f.Size()
	require.NoError(t, err)
	assert.Equal(t, int64(9), size)
	require.NoError(t, f.Truncate(3))
	assert.Equal(t, "hel", content(t, fsys, "/d/a"))
	_, err = fsys.OpenFile("/d/missing", os.O_RDONLY, 0)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = fsys.OpenFile("/d/a", os.O_CREATE|os.O_EXCL|os.O_RDWR, 0)
	assert.ErrorIs(t, err, fs.ErrExist)
	_, err = fsys.OpenFile("/nowhere/a", os.O_CREATE|os.O_RDWR, 0)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	ro, err := fsys.OpenFile("/d/a", os.O_RDONLY, 0)
	require.NoError(t, err)
	_, err = ro.WriteAt([]byte("x"), 0)
	assert.ErrorIs(t, err, fs.ErrPermission)
	require.NoError(t, ro.Close())
	assert.ErrorIs(t, ro.Close(), fs.ErrClosed)
}

func TestCrashKeepsOnlyWhatWasSynced(t *testing.T) {
	fsys := setup(t)
	f := create(t, fsys, "/d/a")
	write(t, f, "synced", 0)
	require.NoError(t, f.Datasync())
	require.NoError(t, fsys.SyncDir("/d"))
	write(t, f, "-lost", 6)
	g := create(t, fsys, "/d/unsynced-name")
	write(t, g, "data", 0)
	require.NoError(t, g.Sync())
	require.NoError(t, fsys.Rename("/d/a", "/d/b"))

	fsys.Crash()
	_, err := fsys.ReadDir("/d")
	require.ErrorIs(t, err, faultfs.ErrCrashed, "down until Restart")
	_, err = f.WriteAt([]byte("x"), 0)
	require.ErrorIs(t, err, faultfs.ErrCrashed)
	fsys.Restart()
	_, err = f.ReadAt(make([]byte, 1), 0)
	require.ErrorIs(t, err, faultfs.ErrCrashed, "files opened before a crash stay dead")

	assert.Equal(t, []string{"a"}, names(t, fsys), "the rename and the create were not synced")
	assert.Equal(t, "synced", content(t, fsys, "/d/a"))
}

func TestCrashTornKeepsASeededPrefix(t *testing.T) {
	outcomes := map[string]bool{}
	for seed := int64(0); seed < 200; seed++ {
		run := func() string {
			fsys := setup(t)
			f := create(t, fsys, "/d/a")
			require.NoError(t, fsys.SyncDir("/d"))
			write(t, f, "AAAA", 0)
			require.NoError(t, f.Sync())
			write(t, f, "BBBB", 4)
			write(t, f, "CCCC", 8)
			fsys.CrashTorn(rand.New(rand.NewSource(seed)))
			fsys.Restart()
			return content(t, fsys, "/d/a")
		}
		got := run()
		assert.Equal(t, got, run(), "the same seed gives the same crash")
		assert.Regexp(t, `^AAAA(B{0,3}|BBBBC{0,4})$`, got)
		outcomes[got] = true
	}
	assert.Greater(t, len(outcomes), 5, "seeds vary the tear")
}

func TestFaultsFailOperationsWithoutEffect(t *testing.T) {
	fsys := setup(t)
	f := create(t, fsys, "/d/a")
	fsys.SetFault(faultfs.FailNth(2, faultfs.ErrInjected, faultfs.OpWrite))
	write(t, f, "one", 0)
	_, err := f.WriteAt([]byte("two"), 3)
	require.ErrorIs(t, err, faultfs.ErrInjected)
	write(t, f, "three", 3)
	assert.Equal(t, "onethree", content(t, fsys, "/d/a"))

	var seen []faultfs.Op
	fsys.SetFault(func(op faultfs.Op) error { seen = append(seen, op); return nil })
	require.NoError(t, f.Sync())
	require.NoError(t, fsys.Rename("/d/a", "/d/b"))
	write(t, f, "!", 8)
	require.NoError(t, fsys.SyncDir("/d"))
	require.NoError(t, fsys.Remove("/d/b"))
	var kinds []faultfs.OpKind
	for _, op := range seen {
		kinds = append(kinds, op.Kind)
	}
	assert.Equal(t, []faultfs.OpKind{faultfs.OpSync, faultfs.OpRename, faultfs.OpWrite, faultfs.OpSyncDir, faultfs.OpRemove}, kinds)
	assert.Equal(t, "/d/b", seen[2].Path, "a file's operations carry its current name")
	assert.Equal(t, seen[4].Seq, fsys.Ops())
}

// After a failed fsync the written data is gone from the disk for good,
// though readers still see it: a later fsync succeeds and saves nothing.
func TestAFailedSyncLosesItsWrites(t *testing.T) {
	fsys := setup(t)
	f := create(t, fsys, "/d/a")
	require.NoError(t, fsys.SyncDir("/d"))
	write(t, f, "kept", 0)
	require.NoError(t, f.Sync())
	write(t, f, "-dropped", 4)
	fsys.SetFault(faultfs.FailNth(1, faultfs.ErrInjected, faultfs.OpSync))
	require.ErrorIs(t, f.Datasync(), faultfs.ErrInjected)
	fsys.SetFault(nil)
	assert.Equal(t, "kept-dropped", content(t, fsys, "/d/a"))
	require.NoError(t, f.Sync())
	fsys.Crash()
	fsys.Restart()
	assert.Equal(t, "kept", content(t, fsys, "/d/a"))
}

func TestAFullDiskWritesWhatFits(t *testing.T) {
	fsys := setup(t)
	fsys.SetCapacity(10)
	f := create(t, fsys, "/d/a")
	write(t, f, "123456", 0)
	n, err := f.WriteAt([]byte("abcdefgh"), 6)
	require.ErrorIs(t, err, syscall.ENOSPC)
	assert.Equal(t, 4, n)
	write(t, f, "XY", 0) // overwriting needs no room
	assert.Equal(t, "XY3456abcd", content(t, fsys, "/d/a"))
	fsys.SetCapacity(0)
	write(t, f, "more", 10)
}

func TestWriteFileIsDurableAtOnce(t *testing.T) {
	fsys := setup(t)
	require.NoError(t, fsys.WriteFile("/d/x", []byte("set up")))
	fsys.Crash()
	fsys.Restart()
	assert.Equal(t, "set up", content(t, fsys, "/d/x"))
	require.ErrorIs(t, fsys.WriteFile("/nowhere/x", nil), fs.ErrNotExist)
}

func TestRenameStaysInItsDirectory(t *testing.T) {
	fsys := setup(t)
	require.NoError(t, fsys.MkdirAll("/e", 0o755))
	create(t, fsys, "/d/a")
	require.ErrorIs(t, fsys.Rename("/d/a", "/e/a"), syscall.EXDEV)
	require.ErrorIs(t, fsys.Rename("/d/missing", "/d/b"), fs.ErrNotExist)
	require.ErrorIs(t, fsys.Remove("/d/missing"), fs.ErrNotExist)
}
