package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// An intent makes an operation that removes several files (Truncate,
// ResetTo) atomic across a crash. It is written durably before the first
// removal and deleted after the last; recovery finds it and finishes the
// operation, so a restarted peer sees the log either before or after the
// operation, never half of it. The file "intent" in the log directory is
// 28 bytes, little-endian:
//
//	offset 0   uint32  magic "EINT"
//	offset 4   uint32  format version (1)
//	offset 8   uint32  operation: 1 truncate, 2 reset
//	offset 12  uint32  zero
//	offset 16  int64   zxid
//	offset 24  uint32  CRC-32C of bytes 0-23
const (
	intentFile    = "intent"
	intentSize    = 28
	intentMagic   = 0x544e4945 // "EINT"
	intentVersion = 1
)

type intentOp uint32

const (
	intentTruncate intentOp = 1 // drop records above zxid
	intentReset    intentOp = 2 // drop all records; the snapshot at zxid holds the state
)

type intent struct {
	op   intentOp
	zxid int64
}

// String describes the operation for logs and RecoveryInfo.
func (in intent) String() string {
	if in.op == intentReset {
		return fmt.Sprintf("reset to snapshot %#x", in.zxid)
	}
	return fmt.Sprintf("truncate after %#x", in.zxid)
}

func encodeIntent(in intent) []byte {
	b := make([]byte, intentSize)
	binary.LittleEndian.PutUint32(b[0:], intentMagic)
	binary.LittleEndian.PutUint32(b[4:], intentVersion)
	binary.LittleEndian.PutUint32(b[8:], uint32(in.op))
	binary.LittleEndian.PutUint64(b[16:], uint64(in.zxid))
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[:24], castagnoli))
	return b
}

func decodeIntent(b []byte) (intent, error) {
	if len(b) != intentSize {
		return intent{}, corruptf("intent file is %d bytes, want %d", len(b), intentSize)
	}
	if got, want := crc32.Checksum(b[:24], castagnoli), binary.LittleEndian.Uint32(b[24:]); got != want {
		return intent{}, corruptf("intent file checksum %#08x, want %#08x", got, want)
	}
	if m := binary.LittleEndian.Uint32(b[0:]); m != intentMagic {
		return intent{}, corruptf("intent file magic %#08x", m)
	}
	if v := binary.LittleEndian.Uint32(b[4:]); v != intentVersion {
		return intent{}, corruptf("intent file version %d, want %d", v, intentVersion)
	}
	in := intent{op: intentOp(binary.LittleEndian.Uint32(b[8:])), zxid: int64(binary.LittleEndian.Uint64(b[16:]))}
	if (in.op != intentTruncate && in.op != intentReset) || binary.LittleEndian.Uint32(b[12:]) != 0 || in.zxid < 0 {
		return intent{}, corruptf("intent file holds op %d, zxid %d", in.op, in.zxid)
	}
	return in, nil
}
