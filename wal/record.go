package wal

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// A record on disk (all integers little-endian):
//
//	offset 0   uint32  payload length; bit 31 set on the first record of a write batch
//	offset 4   uint32  CRC-32C of bytes 0-3 and 8 to the end of the payload
//	offset 8   int64   zxid (> 0)
//	offset 16  payload
//
// A record never has 16 zero header bytes (its zxid is positive), so zeros
// where a header should be mark the end of the written part of a
// preallocated segment.
const (
	recordHeaderSize = 16
	batchStartFlag   = 1 << 31
)

// MaxRecordSize is the largest payload a record may carry. ZooKeeper's
// jute.maxbuffer (1 MiB by default) keeps real txns far below it; the bound
// lets recovery reject a damaged length before reading that far.
const MaxRecordSize = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is a decoded record; data aliases the buffer it was decoded from.
type record struct {
	zxid       int64
	data       []byte
	size       int // bytes on disk, header included
	batchStart bool
}

var (
	// errShort: the buffer ends before the record does.
	errShort = errors.New("wal: record continues past the data")
	// errZeroHeader: 16 zero bytes where a header should be.
	errZeroHeader = errors.New("wal: zero record header")
)

// appendRecord encodes a record at the end of dst, without allocating when
// dst has room.
func appendRecord(dst []byte, zxid int64, data []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, recordHeaderSize)...)
	binary.LittleEndian.PutUint32(dst[n:], uint32(len(data)))
	binary.LittleEndian.PutUint64(dst[n+8:], uint64(zxid))
	dst = append(dst, data...)
	binary.LittleEndian.PutUint32(dst[n+4:], recordCRC(dst[n:]))
	return dst
}

// recordCRC is the checksum of an encoded record: everything but the
// checksum field itself.
func recordCRC(rec []byte) uint32 {
	c := crc32.Update(0, castagnoli, rec[0:4])
	return crc32.Update(c, castagnoli, rec[8:])
}

// markBatchStart sets the batch-start flag of the encoded record rec and
// refreshes its checksum, so that the flag is as well protected as the rest.
func markBatchStart(rec []byte) {
	v := binary.LittleEndian.Uint32(rec) | batchStartFlag
	binary.LittleEndian.PutUint32(rec, v)
	binary.LittleEndian.PutUint32(rec[4:], recordCRC(rec))
}

// recordLen returns the size on disk of the record whose header is h
// (len(h) >= recordHeaderSize), or errZeroHeader, or ErrCorrupt for a length
// over the limit.
func recordLen(h []byte) (int, error) {
	if isZero(h[:recordHeaderSize]) {
		return 0, errZeroHeader
	}
	n := binary.LittleEndian.Uint32(h) &^ batchStartFlag
	if n > MaxRecordSize {
		return 0, corruptf("record length %d over the limit %d", n, MaxRecordSize)
	}
	return recordHeaderSize + int(n), nil
}

// decodeRecord decodes the record at the start of b. It fails with errShort
// if b ends first, errZeroHeader at the end of written data, and ErrCorrupt
// for a record that fails its checks. It never reads past b and never
// allocates.
func decodeRecord(b []byte) (record, error) {
	if len(b) < recordHeaderSize {
		return record{}, errShort
	}
	size, err := recordLen(b)
	if err != nil {
		return record{}, err
	}
	if len(b) < size {
		return record{}, errShort
	}
	rec := b[:size]
	if got, want := recordCRC(rec), binary.LittleEndian.Uint32(rec[4:]); got != want {
		return record{}, corruptf("record checksum %#08x, want %#08x", got, want)
	}
	zxid := int64(binary.LittleEndian.Uint64(rec[8:]))
	if zxid <= 0 {
		return record{}, corruptf("record zxid %d is not positive", zxid)
	}
	return record{
		zxid:       zxid,
		data:       rec[recordHeaderSize:],
		size:       size,
		batchStart: binary.LittleEndian.Uint32(rec)&batchStartFlag != 0,
	}, nil
}

// isZero reports whether b holds only zero bytes.
func isZero(b []byte) bool {
	return nonZero(b) < 0
}

// nonZero returns the index of the first non-zero byte of b, or -1.
func nonZero(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:]) != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] != 0 {
			return i
		}
	}
	return -1
}
