package tcp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// A frame is a 4-byte big-endian length and that many payload bytes. A
// zero length is a heartbeat: it carries nothing and is never delivered.

const (
	frameHeader = 4
	// slabSize and slabMax: small payloads are carved from shared slabs so
	// the reader allocates once per slab, not once per message. A payload
	// pins its slab until the receiver drops it; 32 KiB bounds that waste.
	slabSize = 32 << 10
	slabMax  = 4 << 10
	// growStep bounds what a length prefix alone can make the reader
	// allocate: a large frame's buffer grows as its bytes arrive, so a peer
	// that announces 64 MiB and sends nothing costs 1 MiB, not 64.
	growStep = 1 << 20
)

// frameReader reads frames from a stream, enforcing the maximum size.
type frameReader struct {
	r    *bufio.Reader
	max  int
	slab []byte
	hdr  [frameHeader]byte
}

func newFrameReader(r io.Reader, max int) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next frame's payload; nil is a heartbeat.
// It returns io.EOF at a clean end between frames, io.ErrUnexpectedEOF for a
// stream cut inside a frame, and ErrFrameTooLarge for a length over max.
func (f *frameReader) next() ([]byte, error) {
	if _, err := io.ReadFull(f.r, f.hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(f.hdr[:])
	if uint64(n) > uint64(f.max) {
		return nil, fmt.Errorf("%w: %d bytes, maximum %d", ErrFrameTooLarge, n, f.max)
	}
	if n == 0 {
		return nil, nil
	}
	size := int(n)
	if size <= slabMax {
		if len(f.slab) < size {
			f.slab = make([]byte, slabSize)
		}
		p := f.slab[:size:size]
		f.slab = f.slab[size:]
		if _, err := io.ReadFull(f.r, p); err != nil {
			return nil, unexpected(err)
		}
		return p, nil
	}
	p := make([]byte, min(size, growStep))
	read := 0
	for {
		m, err := io.ReadFull(f.r, p[read:])
		read += m
		if err != nil {
			return nil, unexpected(err)
		}
		if read == size {
			return p, nil
		}
		grown := make([]byte, min(size, 2*len(p)))
		copy(grown, p)
		p = grown
	}
}

// unexpected turns a clean EOF inside a frame into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// writeFrame appends one frame to w. The header goes byte by byte: a
// header array passed to Write would escape to the heap, one allocation
// per message.
func writeFrame(w *bufio.Writer, payload []byte) error {
	n := uint32(len(payload))
	for shift := 24; shift >= 0; shift -= 8 {
		if err := w.WriteByte(byte(n >> shift)); err != nil {
			return err
		}
	}
	_, err := w.Write(payload)
	return err
}

// deadlineReader refreshes the read deadline before every read of the
// socket, so a connection that goes quiet for longer than the timeout (no
// data, no heartbeat) fails instead of hanging. bufio calls it once per
// buffer fill, not once per frame.
type deadlineReader struct {
	c       net.Conn
	timeout time.Duration
}

func (r deadlineReader) Read(p []byte) (int, error) {
	if err := r.c.SetReadDeadline(time.Now().Add(r.timeout)); err != nil {
		return 0, err
	}
	return r.c.Read(p)
}

// deadlineWriter gives every write to the socket Timeout to complete,
// splitting large ones, so a peer that stops reading is noticed within
// Timeout of the last progress, however big the frame, while a slow but
// moving link is not cut. bufio calls it once per buffer flush.
type deadlineWriter struct {
	c       net.Conn
	timeout time.Duration
}

// writeChunk bounds how much one deadline covers.
const writeChunk = 1 << 20

func (w deadlineWriter) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		chunk := p[written:min(len(p), written+writeChunk)]
		if err := w.c.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
			return written, err
		}
		n, err := w.c.Write(chunk)
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
