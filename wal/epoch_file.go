package wal

import (
	"encoding/binary"
	"hash/crc32"
)

// The epochs file, "epochs" in the log directory, holds both of Zab's epochs
// so that they change together (28 bytes, little-endian):
//
//	offset 0   uint32  magic "EEPO"
//	offset 4   uint32  format version (1)
//	offset 8   int64   acceptedEpoch
//	offset 16  int64   currentEpoch
//	offset 24  uint32  CRC-32C of bytes 0-23
//
// It is replaced atomically (temp file, fsync, rename, fsync directory). A
// missing file means both epochs are 0.
const (
	epochFile    = "epochs"
	epochSize    = 28
	epochMagic   = 0x4f504545 // "EEPO"
	epochVersion = 1
)

func encodeEpochs(accepted, current int64) []byte {
	b := make([]byte, epochSize)
	binary.LittleEndian.PutUint32(b[0:], epochMagic)
	binary.LittleEndian.PutUint32(b[4:], epochVersion)
	binary.LittleEndian.PutUint64(b[8:], uint64(accepted))
	binary.LittleEndian.PutUint64(b[16:], uint64(current))
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[:24], castagnoli))
	return b
}

func decodeEpochs(b []byte) (accepted, current int64, err error) {
	if len(b) != epochSize {
		return 0, 0, corruptf("epochs file is %d bytes, want %d", len(b), epochSize)
	}
	if got, want := crc32.Checksum(b[:24], castagnoli), binary.LittleEndian.Uint32(b[24:]); got != want {
		return 0, 0, corruptf("epochs file checksum %#08x, want %#08x", got, want)
	}
	if m := binary.LittleEndian.Uint32(b[0:]); m != epochMagic {
		return 0, 0, corruptf("epochs file magic %#08x", m)
	}
	if v := binary.LittleEndian.Uint32(b[4:]); v != epochVersion {
		return 0, 0, corruptf("epochs file version %d, want %d", v, epochVersion)
	}
	accepted = int64(binary.LittleEndian.Uint64(b[8:]))
	current = int64(binary.LittleEndian.Uint64(b[16:]))
	if current < 0 || accepted < current {
		return 0, 0, corruptf("epochs file holds acceptedEpoch %d below currentEpoch %d", accepted, current)
	}
	return accepted, current, nil
}
