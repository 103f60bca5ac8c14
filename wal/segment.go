package wal

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// A segment is one file of the log, named log.<first zxid as 16 hex digits>
// so that names sort in zxid order. It starts with a 16-byte header:
//
//	offset 0  uint32  magic "EWAL"
//	offset 4  uint32  format version (1)
//	offset 8  int64   zxid of the first record, equal to the name's
//
// followed by records. The active segment is preallocated with zeros;
// a finished one is cut to the end of its records.
const (
	segPrefix      = "log."
	segHeaderSize  = 16
	segMagic       = 0x4c415745 // "EWAL"
	segVersion     = 1
	markEvery      = 64 << 10 // bytes between entries of a segment's sparse index
	defaultSegSize = 64 << 20
	minSegSize     = 1 << 10
)

// mark is an entry of a segment's sparse index: a record and its offset.
type mark struct {
	zxid int64
	off  int64
}

// segment describes a segment's durable content. The syncer changes it under
// Log.idxMu; readers copy it under the same lock.
type segment struct {
	name  string
	first int64  // from the name
	last  int64  // zxid of the last durable record; 0 if none yet
	end   int64  // offset just after the last durable record
	marks []mark // append-only between truncations
}

func segmentName(first int64) string {
	return fmt.Sprintf("%s%016x", segPrefix, uint64(first))
}

// parseSegmentName returns the first zxid of a segment's file name; ok is
// false for any other name.
func parseSegmentName(name string) (first int64, ok bool) {
	return parseZxidName(name, segPrefix)
}

func parseZxidName(name, prefix string) (int64, bool) {
	hex, ok := strings.CutPrefix(name, prefix)
	if !ok || len(hex) != 16 || strings.ToLower(hex) != hex {
		return 0, false
	}
	v, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || int64(v) < 0 {
		return 0, false
	}
	return int64(v), true
}

func encodeSegmentHeader(first int64) []byte {
	h := make([]byte, segHeaderSize)
	binary.LittleEndian.PutUint32(h[0:], segMagic)
	binary.LittleEndian.PutUint32(h[4:], segVersion)
	binary.LittleEndian.PutUint64(h[8:], uint64(first))
	return h
}

// checkSegmentHeader verifies the header h of the segment whose name says
// first.
func checkSegmentHeader(h []byte, first int64) error {
	if len(h) < segHeaderSize {
		return corruptf("segment header is %d bytes", len(h))
	}
	if m := binary.LittleEndian.Uint32(h[0:]); m != segMagic {
		return corruptf("segment magic %#08x, want %#08x", m, segMagic)
	}
	if v := binary.LittleEndian.Uint32(h[4:]); v != segVersion {
		return corruptf("segment format version %d, want %d", v, segVersion)
	}
	if z := int64(binary.LittleEndian.Uint64(h[8:])); z != first {
		return corruptf("segment header says first zxid %#x, name says %#x", z, first)
	}
	return nil
}

// addMark extends a sparse index with the record at off if it is far enough
// from the previous entry.
func addMark(marks []mark, zxid, off int64) []mark {
	if len(marks) == 0 || off-marks[len(marks)-1].off >= markEvery {
		return append(marks, mark{zxid: zxid, off: off})
	}
	return marks
}

// seekMark returns the offset to start reading at to find the first record
// above after: the last indexed record at or below after, or the first
// record of the segment.
func seekMark(marks []mark, after int64) int64 {
	lo, hi := 0, len(marks)
	for lo < hi {
		m := (lo + hi) / 2
		if marks[m].zxid <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo == 0 {
		return segHeaderSize
	}
	return marks[lo-1].off
}
