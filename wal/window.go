package wal

import (
	"errors"
	"fmt"
	"io"
)

const readChunk = 1 << 20

// window gives random access to a file's first size bytes through one
// buffer, so that reading records one after another costs one read per
// chunk, and a record larger than a chunk still fits.
type window struct {
	f    File
	size int64
	off  int64  // file offset of buf[0]
	buf  []byte // bytes [off, off+len(buf)) of the file
}

func newWindow(f File, size int64, buf []byte) *window {
	return &window{f: f, size: size, buf: buf[:0]}
}

// at returns bytes [o, o+n) of the file; the caller ensures o+n <= size.
// The slice is valid until the next call.
func (w *window) at(o int64, n int) ([]byte, error) {
	if o < 0 || n < 0 || o+int64(n) > w.size {
		return nil, fmt.Errorf("wal: read of %d bytes at %d outside %d bytes", n, o, w.size)
	}
	if o >= w.off && o+int64(n) <= w.off+int64(len(w.buf)) {
		i := int(o - w.off)
		return w.buf[i : i+n], nil
	}
	want := max(n, readChunk)
	if rest := w.size - o; int64(want) > rest {
		want = int(rest)
	}
	if cap(w.buf) < want {
		w.buf = make([]byte, want)
	}
	w.buf = w.buf[:want]
	got, err := w.f.ReadAt(w.buf, o)
	if got < want {
		w.buf = w.buf[:0]
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	w.off = o
	return w.buf[:n], nil
}

// readRecord decodes the record at o, among the file's first limit bytes.
// At the end it returns io.EOF (o == limit) or errZeroHeader (zeros where a
// header should be, including a zero stub shorter than a header); a record
// that is damaged or runs past limit is ErrCorrupt.
func (w *window) readRecord(o, limit int64) (record, error) {
	rest := limit - o
	if rest <= 0 {
		return record{}, io.EOF
	}
	if rest < recordHeaderSize {
		b, err := w.at(o, int(rest))
		if err != nil {
			return record{}, err
		}
		if isZero(b) {
			return record{}, errZeroHeader
		}
		return record{}, corruptf("%d stray bytes where a record header should be", rest)
	}
	h, err := w.at(o, recordHeaderSize)
	if err != nil {
		return record{}, err
	}
	size, err := recordLen(h)
	if err != nil {
		return record{}, err
	}
	if int64(size) > rest {
		return record{}, corruptf("record of %d bytes runs past the end (%d bytes left)", size, rest)
	}
	b, err := w.at(o, size)
	if err != nil {
		return record{}, err
	}
	return decodeRecord(b)
}

// firstNonZero returns the offset of the first non-zero byte in [o, end),
// or -1.
func (w *window) firstNonZero(o, end int64) (int64, error) {
	for o < end {
		n := int(min(end-o, readChunk))
		b, err := w.at(o, n)
		if err != nil {
			return 0, err
		}
		if i := nonZero(b); i >= 0 {
			return o + int64(i), nil
		}
		o += int64(n)
	}
	return -1, nil
}
