// Package faultfs is an in-memory filesystem for crash and fault tests of
// package wal, and of anything built on it. It implements wal.FS.
//
// Every file has two contents: what a reader sees now, and what is durable
// (as of its last Sync or Datasync). Every directory likewise has its
// current entries and its durable ones (as of its last SyncDir). Crash
// throws away everything not durable, as a power cut does; CrashTorn keeps a
// seeded random prefix of each file's and directory's unsynced changes, the
// last kept write cut short, as a disk that wrote some of its cache does.
// After a crash every operation fails with ErrCrashed until Restart, and
// files opened before it stay unusable, so the code under test cannot keep
// writing into the "rebooted" disk.
//
// Faults: SetFault installs a function called before every operation that
// changes something (create, write, sync, truncate, rename, remove, sync
// of a directory); an error from it fails the operation, which then has no
// effect. It may call Crash itself, to crash at an exact point. FailNth
// builds the common one. A failed sync behaves like Linux after an I/O
// error (the PostgreSQL "fsyncgate" lesson): the unsynced writes are
// dropped from the durable content for good, although readers still see
// them, so a later sync that succeeds does not make them durable.
// SetCapacity makes the disk fill: a write that would grow the files beyond
// it writes what fits and fails with an error matching syscall.ENOSPC.
//
// What it does not model: directories are durable as soon as MkdirAll
// creates them, ReadDir lists files only, and Rename works within one
// directory. Memory use is about twice the size of the files (current and
// durable content), so tests should use small segments.
package faultfs
