package wal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// A snapshot file, snapshot.<zxid as 16 hex digits> in the snapshot
// directory, is a 32-byte header (little-endian) and the payload:
//
//	offset 0   uint32  magic "ESNP"
//	offset 4   uint32  format version (1)
//	offset 8   int64   zxid, equal to the name's
//	offset 16  uint64  payload length, equal to the file size minus 32
//	offset 24  uint32  CRC-32C of the payload
//	offset 28  uint32  CRC-32C of bytes 0-27
//
// The payload is opaque: whatever SaveSnapshot's write function produced.
const (
	snapPrefix     = "snapshot."
	snapHeaderSize = 32
	snapMagic      = 0x504e5345 // "ESNP"
	snapVersion    = 1
)

type snapHeader struct {
	zxid   int64
	length int64
	crc    uint32
}

func snapshotName(zxid int64) string {
	return fmt.Sprintf("%s%016x", snapPrefix, uint64(zxid))
}

func parseSnapshotName(name string) (int64, bool) {
	return parseZxidName(name, snapPrefix)
}

func encodeSnapshotHeader(h snapHeader) []byte {
	b := make([]byte, snapHeaderSize)
	binary.LittleEndian.PutUint32(b[0:], snapMagic)
	binary.LittleEndian.PutUint32(b[4:], snapVersion)
	binary.LittleEndian.PutUint64(b[8:], uint64(h.zxid))
	binary.LittleEndian.PutUint64(b[16:], uint64(h.length))
	binary.LittleEndian.PutUint32(b[24:], h.crc)
	binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], castagnoli))
	return b
}

// decodeSnapshotHeader decodes and checks a snapshot header. It never
// panics, whatever b holds.
func decodeSnapshotHeader(b []byte) (snapHeader, error) {
	if len(b) < snapHeaderSize {
		return snapHeader{}, corruptf("snapshot header is %d bytes, want %d", len(b), snapHeaderSize)
	}
	if got, want := crc32.Checksum(b[:28], castagnoli), binary.LittleEndian.Uint32(b[28:]); got != want {
		return snapHeader{}, corruptf("snapshot header checksum %#08x, want %#08x", got, want)
	}
	if m := binary.LittleEndian.Uint32(b[0:]); m != snapMagic {
		return snapHeader{}, corruptf("snapshot magic %#08x, want %#08x", m, snapMagic)
	}
	if v := binary.LittleEndian.Uint32(b[4:]); v != snapVersion {
		return snapHeader{}, corruptf("snapshot format version %d, want %d", v, snapVersion)
	}
	h := snapHeader{
		zxid:   int64(binary.LittleEndian.Uint64(b[8:])),
		length: int64(binary.LittleEndian.Uint64(b[16:])),
		crc:    binary.LittleEndian.Uint32(b[24:]),
	}
	if h.zxid < 0 || h.length < 0 {
		return snapHeader{}, corruptf("snapshot header holds zxid %d, length %d", h.zxid, h.length)
	}
	return h, nil
}

// openSnapshot opens a snapshot file and checks its header against its name
// and size. The returned reader verifies the payload's checksum as it goes.
func openSnapshot(fsys FS, path string, zxid int64) (*snapshotReader, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	r, err := newSnapshotReader(f, zxid)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return r, nil
}

func newSnapshotReader(f File, zxid int64) (*snapshotReader, error) {
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, snapHeaderSize)
	if size < snapHeaderSize {
		return nil, corruptf("snapshot file is %d bytes, shorter than its header", size)
	}
	if n, err := f.ReadAt(b, 0); n < len(b) {
		return nil, fmt.Errorf("reading snapshot header: %w", err)
	}
	h, err := decodeSnapshotHeader(b)
	if err != nil {
		return nil, err
	}
	if h.zxid != zxid {
		return nil, corruptf("snapshot header says zxid %#x, name says %#x", h.zxid, zxid)
	}
	if h.length != size-snapHeaderSize {
		return nil, corruptf("snapshot header says %d payload bytes, file has %d", h.length, size-snapHeaderSize)
	}
	return &snapshotReader{f: f, off: snapHeaderSize, end: size, want: h.crc}, nil
}

// snapshotReader streams a snapshot's payload and checks its CRC: the read
// that reaches the end returns ErrCorrupt instead of io.EOF if the payload
// does not match its header.
type snapshotReader struct {
	f    File
	off  int64
	end  int64
	crc  uint32
	want uint32
	err  error
}

// Read reads payload bytes; at the end it reports a checksum mismatch.
func (r *snapshotReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if r.off >= r.end {
		if r.crc != r.want {
			r.err = corruptf("snapshot payload checksum %#08x, want %#08x", r.crc, r.want)
		} else {
			r.err = io.EOF
		}
		return 0, r.err
	}
	if rest := r.end - r.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.f.ReadAt(p, r.off)
	r.crc = crc32.Update(r.crc, castagnoli, p[:n])
	r.off += int64(n)
	if n < len(p) {
		if err == nil || errors.Is(err, io.EOF) {
			err = corruptf("snapshot ends early: %w", io.ErrUnexpectedEOF)
		}
		r.err = err
		return n, err
	}
	return n, nil
}

// Close closes the file.
func (r *snapshotReader) Close() error { return r.f.Close() }

// verify reads the whole payload and checks its checksum.
func (r *snapshotReader) verify() error {
	buf := make([]byte, min(r.end-r.off, readChunk)+1)
	for {
		_, err := r.Read(buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// snapshotWriter buffers the payload and writes it after the header's
// place, computing the length and checksum the header will carry. It stops
// with the context's error once the context is done.
type snapshotWriter struct {
	ctx context.Context
	f   File
	off int64
	crc uint32
	buf []byte
}

// Write adds payload bytes, or fails once the context is done.
func (w *snapshotWriter) Write(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	w.crc = crc32.Update(w.crc, castagnoli, p)
	written := len(p)
	for len(p) > 0 {
		n := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+n]
		p = p[n:]
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return 0, err
			}
		}
	}
	return written, nil
}

func (w *snapshotWriter) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if _, err := w.f.WriteAt(w.buf, w.off); err != nil {
		return err
	}
	w.off += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}
