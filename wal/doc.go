// Package wal is a peer's durable storage: the txn log with group commit,
// the snapshots, and Zab's two epochs. It is where "never lose an
// acknowledged txn, never come back with one you did not have" is won or
// lost, so this comment is the reference for what is on disk, in what order
// it gets there, and how recovery reads it back.
//
// It owns files and their durability. It does not know what a txn or a
// snapshot holds (both are opaque bytes), does not replay anything (the
// caller loads LatestSnapshot and feeds Scan to its tree), and does not
// decide when to snapshot, truncate or purge: the Node and Zab do. It
// imports none of ensemble's other packages.
//
// # Files
//
// The log directory (Options.LogDir, ZooKeeper's dataLogDir) holds:
//
//	log.<zxid>        segments; <zxid> is the first record's zxid as 16 lowercase hex digits
//	epochs            acceptedEpoch and currentEpoch
//	intent            present only while a Truncate or ResetTo is under way
//	prealloc.<n>.tmp  the next segment, being zero-filled
//
// The snapshot directory (Options.SnapDir, ZooKeeper's dataDir; by default
// the log directory) holds snapshot.<zxid>. Names sort in zxid order. Files
// ending in .tmp are writes that had not finished; Open removes them. Other
// files are left alone.
//
// All integers on disk are little-endian; every checksum is CRC-32C
// (Castagnoli), which the CPU computes at memory speed.
//
// # Records and segments
//
// A segment starts with a 16-byte header: magic "EWAL", version 1, and the
// first record's zxid (which the name repeats). Records follow, each
//
//	uint32 length of the payload; bit 31 is the batch-start flag
//	uint32 CRC-32C of the length field, the zxid and the payload
//	int64  zxid, positive
//	       payload, Record.Data
//
// The first record of every write batch carries the batch-start flag (see
// Recovery). A record header can never be 16 zero bytes, so zeros where a
// header should be mark the end of the written part of a segment.
//
// The active segment is preallocated to Options.SegmentSize (64 MiB by
// default, ZooKeeper's preAllocSize) by writing zeros, by a goroutine that
// prepares the next segment while the current one fills. Writing real zeros
// rather than calling fallocate means appends land in blocks that already
// exist in a file whose size does not change, so each fdatasync writes data
// and no metadata: on the development machine this made fdatasync 1.6 times
// faster than into a fallocated or growing file. A segment is rolled when
// the next batch does not fit; the finished segment is cut to the end of
// its records, so only the last segment ever has a zeroed tail. A record
// larger than a segment gets a segment of its own.
//
// # Zxids
//
// Appends must follow the rule of Follows: within an epoch the counter goes
// up by exactly one; a new epoch starts at counter 1 (or 0). This is how
// ZooKeeper numbers txns, and it lets recovery prove that no record is
// missing: a zxid that does not follow the previous one is ErrGap, at
// append time and at recovery.
//
// # Snapshots, epochs, intents
//
// A snapshot is a 32-byte header (magic "ESNP", version 1, zxid, payload
// length, payload CRC-32C, header CRC-32C) and the payload.
//
// The epochs file is 28 bytes: magic "EEPO", version 1, acceptedEpoch,
// currentEpoch, CRC-32C. Both epochs live in one file so they change
// together: ZooKeeper keeps two files and can be left with an
// acceptedEpoch below its currentEpoch (ZOOKEEPER-1653); here that pair is
// refused as corrupt, and SetCurrentEpoch may not pass acceptedEpoch.
//
// The intent file is 28 bytes: magic "EINT", version 1, the operation
// (1 truncate, 2 reset), zero, a zxid, CRC-32C.
//
// # Durability order
//
// Nothing is acknowledged before the fsync that makes it durable, and a
// file name is trusted only after the directory holding it is fsynced.
//
// Append (group commit). Callers encode their records into a shared queue
// and wait. One syncer goroutine takes everything queued while its previous
// fsync ran, checks each call's first zxid against the log's tail, writes
// the records with one write per segment touched, fdatasyncs once, updates
// the index that LastZxid and Scan read, and only then tells the callers,
// in queue order. So 256 waiting appenders cost one fsync, not 256.
//
// Rolling a segment: cut the finished segment to its records and fsync it;
// write the new segment's header into a preallocated, already-synced file
// and fdatasync it; rename it to its log.<zxid> name; fsync the directory;
// then write the batch and fdatasync.
//
// Truncate(z): write the intent (truncate, z) durably (temp file, fsync,
// rename, fsync directory); remove snapshots above z and fsync their
// directory; remove segments whose first zxid is above z, newest first,
// and fsync the directory; cut the segment holding z after z's record and
// fsync it; remove the intent and fsync the directory.
//
// ResetTo(z), after SaveSnapshot(z): write the intent (reset, z); remove
// snapshots above z; remove every segment; remove the intent. Until the
// snapshot is durable the old state stands; once it is, it wins at
// recovery.
//
// SaveSnapshot: write the header's placeholder and the payload to
// snapshot.<zxid>.tmp, write the header, fsync, rename, fsync the
// directory. Epochs: the same, temp file to rename, for the epochs file.
//
// Purge(n): remove snapshots older than the oldest of the n newest valid
// ones and fsync; remove, oldest first, segments whose records are all at
// or below that snapshot (never the active one) and fsync. A crash midway
// leaves a log with no hole.
//
// # Recovery
//
// Open recovers the log before anything else:
//
//  1. Remove temp files.
//  2. Read the epochs file (none means 0 and 0).
//  3. Read the intent, if any; it will be finished below.
//  4. List the snapshots and verify them newest first, each in full (the
//     header and the payload's checksum), until one is valid; it is where
//     replay starts. Invalid ones are reported in RecoveryInfo and passed
//     over, and left on disk. With an intent, snapshots above its zxid are
//     removed first.
//  5. Read every record of every segment in order, checking each checksum,
//     that each segment's first record matches its name, and that every
//     zxid follows the previous one, across segments too.
//  6. Where a record cannot be read, decide whether it is a torn write or
//     damage (below). A torn tail is cut (the file is truncated at the
//     damaged record) and reported; anything else fails Open.
//  7. Finish the intent: cut the log above a truncation's zxid, or remove
//     every segment for a reset; then remove the intent.
//  8. Check that the log continues the snapshot: its first record follows
//     the snapshot's zxid, or it reaches back past it and holds a record
//     with the snapshot's zxid. If it does neither because it ends below
//     the snapshot, or because it holds a different history around the
//     snapshot's zxid, the snapshot replaced it: a snapshot sync crashed
//     between SaveSnapshot and ResetTo; the reset is finished. If the log
//     starts after the snapshot with zxids missing between, Open fails with
//     ErrGap, as it does for a log with no snapshot that does not start
//     from nothing (ZooKeeper's ZOOKEEPER-2325 and 3056).
//  9. Remove a last segment that holds no record.
//
// Torn write or damage? The syncer writes a batch and fsyncs it before it
// writes the next, so a crash can only damage the last batch written: its
// pages may reach the disk in part and in any order, leaving zeros or a
// prefix. Any damage before the last batch is damage to data that was
// synced and acknowledged. Recovery applies exactly that: a damaged record
// in any segment but the last, or one followed by a valid record that
// starts a batch (the batch-start flag), is ErrCorrupt, with the file and
// offset; a damaged record with no batch starting after it is a torn tail,
// even if valid records of its own batch follow. Zero bytes after the last
// record of the last segment are the preallocated rest; non-zero bytes
// there are a torn tail too.
//
// What no log can tell: the last batch's fsync may or may not have
// completed before the crash, so damage confined to the last batch (a
// flipped bit in its records, a zeroed sector) is cut like a torn write,
// and reported, even if that batch was acknowledged. Everything before it
// is protected.
//
// # Failures
//
// A failed write or fsync of the log, a failed rename or directory fsync,
// or a failure in the middle of Truncate or ResetTo, breaks the Log: that
// operation and every later one fails with ErrBroken wrapping the first
// error (which errors.Is also matches, syscall.ENOSPC for a full disk).
// After a failed fsync Linux may have dropped the pages it could not write
// and mark them clean, so a later fsync that succeeds proves nothing; the
// only safe course is to stop and recover from what is on disk (the
// PostgreSQL "fsyncgate" lesson). The peer restarts; Open finishes or
// undoes what was in flight. A failed SaveSnapshot does not break the log.
//
// Package faultfs is an FS that crashes, tears writes and fails chosen
// operations, for testing all of this.
//
// # Where this differs from ZooKeeper and from the design notes
//
// ZooKeeper's txn log has a file header and, per record, an Adler-32
// checksum, a length and a serialized TxnHeader; its snapshot's checksum is
// at the end. Here the record is length, CRC-32C, zxid and payload, the
// snapshot's header carries the checksum and length so it can be verified
// before use, and a batch-start flag lets recovery tell a torn write from
// damage, where ZooKeeper treats any checksum failure alike.
//
// Beyond the design notes: a second goroutine zero-fills the next segment
// (stopped by Close like the syncer); multi-file operations are made atomic
// with an intent file; and recovery finishes a snapshot sync that a crash
// interrupted rather than failing. Purge takes no context, as the contract
// asks; it waits for the syncer like Truncate does. Two processes must not
// open the same directories: there is no lock file.
package wal
