package znode

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"

	"github.com/google/btree"
)

// Snapshot is a consistent view of a tree at one exact zxid, taken in O(1)
// by cloning the copy-on-write indexes. Writing it does not block Apply.
type Snapshot struct {
	nodes    *btree.BTreeG[item]
	root     *node
	sessions *btree.BTreeG[sessionEntry]
	zxid     int64
	digest   uint64
	count    int
}

// Snapshot returns a consistent view of the tree at LastZxid, to be
// written while the tree goes on applying txns. It is O(1): the tree's
// indexes are cloned lazily and its znodes are immutable.
func (t *Tree) Snapshot() *Snapshot {
	// Clone changes the tree's copy-on-write context: a write lock.
	t.mu.Lock()
	defer t.mu.Unlock()
	return &Snapshot{
		nodes:    t.nodes.Clone(),
		root:     t.root,
		sessions: t.sessions.Clone(),
		zxid:     t.lastZxid,
		digest:   t.digest,
		count:    t.nodes.Len() + 1,
	}
}

// Zxid returns the zxid of the last txn the snapshot holds.
func (s *Snapshot) Zxid() int64 { return s.zxid }

// Digest returns the tree digest at the snapshot's zxid.
func (s *Snapshot) Digest() uint64 { return s.digest }

// The snapshot format (version 1):
//
//	snapshot = magic "ENSNAP" version(0x01) chunk* end
//	chunk    = uint32be(len) payload[len] uint32be(crc)
//	end      = uint32be(0) uint32be(crc)
//
// Each crc is CRC-32C over the chunk's payload, chained from the previous
// chunk's crc, so a lost, repeated or reordered chunk fails like a flipped
// bit. The payloads, concatenated, hold whole records (a record never spans
// chunks), encoded like txns (see txn_codec.go):
//
//	header  = varint(zxid) uint64be(digest) uvarint(sessions) uvarint(znodes)
//	session = varint(id) varint(timeout)
//	znode   = uvarint(shared) string(suffix) kind data acl
//	          varint(czxid mzxid pzxid ctime mtime ephemeralOwner)
//	          varint(version cversion aversion)
//	acl     = uvarint(0) aclList, for an ACL not seen before in this stream,
//	          or uvarint(i), the i-th one seen (from 1)
//
// Znodes come in index order, which puts every parent before its children;
// a znode's path is the first shared bytes of the previous znode's path and
// the suffix. numChildren is not stored: it is counted on load. The reader
// checks the structure (root first, sorted unique valid paths, parents
// present, no children under ephemerals, owners that fit their kind, the
// counts) and recomputes the digest, which must equal the stored one.

var snapshotMagic = []byte("ENSNAP\x01")

const (
	snapshotChunk    = 64 << 10  // flush a chunk past this many bytes
	maxSnapshotChunk = 1<<31 - 1 // a chunk length is a positive int32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshotWriter buffers records into chunks.
type snapshotWriter struct {
	w   *bufio.Writer
	buf []byte
	crc uint32
	n   int64
	err error
}

func (sw *snapshotWriter) flush(force bool) {
	if sw.err != nil || (len(sw.buf) < snapshotChunk && !force) || (len(sw.buf) == 0 && force) {
		return
	}
	sw.chunk(sw.buf)
	sw.buf = sw.buf[:0]
}

func (sw *snapshotWriter) chunk(payload []byte) {
	if len(payload) > maxSnapshotChunk {
		sw.err = fmt.Errorf("znode: snapshot record of %d bytes is too large", len(payload))
		return
	}
	sw.crc = crc32.Update(sw.crc, castagnoli, payload)
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(payload)))
	sw.write(hdr[:])
	sw.write(payload)
	binary.BigEndian.PutUint32(hdr[:], sw.crc)
	sw.write(hdr[:])
}

func (sw *snapshotWriter) write(b []byte) {
	if sw.err != nil {
		return
	}
	n, err := sw.w.Write(b)
	sw.n += int64(n)
	sw.err = err
}

// WriteTo writes the snapshot to w and returns the bytes written. It may
// run in its own goroutine while the tree applies txns.
func (s *Snapshot) WriteTo(w io.Writer) (int64, error) {
	sw := &snapshotWriter{w: bufio.NewWriterSize(w, 256<<10), buf: make([]byte, 0, snapshotChunk+4096)}
	sw.write(snapshotMagic)
	b := binary.AppendVarint(sw.buf, s.zxid)
	b = binary.BigEndian.AppendUint64(b, s.digest)
	b = binary.AppendUvarint(b, uint64(s.sessions.Len()))
	sw.buf = binary.AppendUvarint(b, uint64(s.count))
	s.sessions.Ascend(func(e sessionEntry) bool {
		sw.buf = binary.AppendVarint(sw.buf, e.id)
		sw.buf = binary.AppendVarint(sw.buf, int64(e.timeout))
		sw.flush(false)
		return sw.err == nil
	})
	acls := make(map[*aclEntry]uint64)
	prev := ""
	var pathBuf []byte
	record := func(path string, n *node) {
		shared := 0
		for shared < len(prev) && shared < len(path) && prev[shared] == path[shared] {
			shared++
		}
		b := binary.AppendUvarint(sw.buf, uint64(shared))
		b = appendString(b, path[shared:])
		b = append(b, byte(n.kind))
		if n.nilData {
			b = append(b, 0)
		} else {
			b = binary.AppendUvarint(b, uint64(len(n.data))+1)
			b = append(b, n.data...)
		}
		if i, ok := acls[n.acl]; ok {
			b = binary.AppendUvarint(b, i)
		} else {
			acls[n.acl] = uint64(len(acls) + 1)
			b = append(b, 0)
			b = appendACL(b, n.acl.list)
		}
		for _, v := range [...]int64{n.czxid, n.mzxid, n.pzxid, n.ctime, n.mtime, n.owner,
			int64(n.version), int64(n.cversion), int64(n.aversion)} {
			b = binary.AppendVarint(b, v)
		}
		sw.buf = b
		sw.flush(false)
	}
	record("/", s.root)
	prev = "/"
	s.nodes.Ascend(func(it item) bool {
		pathBuf = append(pathBuf[:0], it.parent...)
		if it.parent != "/" {
			pathBuf = append(pathBuf, '/')
		}
		pathBuf = append(pathBuf, it.name...)
		path := string(pathBuf)
		record(path, it.n)
		prev = path
		return sw.err == nil
	})
	sw.flush(true)
	sw.chunk(nil)
	if sw.err == nil {
		sw.err = sw.w.Flush()
	}
	return sw.n, sw.err
}

// snapshotReader hands out the records of a snapshot stream, chunk by
// chunk, each verified before any of it is decoded.
type snapshotReader struct {
	r   io.Reader
	crc uint32
	buf []byte
	d   decoder
	end bool
}

// next makes d hold the next chunk; it fails at the end marker.
func (sr *snapshotReader) next() error {
	var hdr [4]byte
	if _, err := io.ReadFull(sr.r, hdr[:]); err != nil {
		return fmt.Errorf("%w: chunk header: %v", ErrCorrupt, err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxSnapshotChunk {
		return fmt.Errorf("%w: chunk of %d bytes", ErrCorrupt, n)
	}
	// Past the buffer's capacity, grow as bytes arrive, so a corrupt length
	// cannot allocate much more than the stream holds.
	sr.buf = sr.buf[:0]
	for len(sr.buf) < int(n) {
		start := len(sr.buf)
		step := int(n) - start
		if step > cap(sr.buf)-start {
			step = min(step, 1<<20)
			sr.buf = slices.Grow(sr.buf, step)
		}
		sr.buf = sr.buf[:start+step]
		if _, err := io.ReadFull(sr.r, sr.buf[start:]); err != nil {
			return fmt.Errorf("%w: chunk: %v", ErrCorrupt, err)
		}
	}
	if _, err := io.ReadFull(sr.r, hdr[:]); err != nil {
		return fmt.Errorf("%w: chunk checksum: %v", ErrCorrupt, err)
	}
	sr.crc = crc32.Update(sr.crc, castagnoli, sr.buf)
	if got := binary.BigEndian.Uint32(hdr[:]); got != sr.crc {
		return fmt.Errorf("%w: checksum %#x, want %#x", ErrCorrupt, got, sr.crc)
	}
	sr.d = decoder{b: sr.buf}
	if n == 0 {
		sr.end = true
	}
	return nil
}

// record makes d positioned at the next record, reading chunks as needed.
func (sr *snapshotReader) record() (*decoder, error) {
	for sr.d.off >= len(sr.d.b) {
		if sr.end {
			return nil, fmt.Errorf("%w: stream ends before its last record", ErrCorrupt)
		}
		if err := sr.next(); err != nil {
			return nil, err
		}
		if sr.end {
			return nil, fmt.Errorf("%w: stream ends before its last record", ErrCorrupt)
		}
	}
	return &sr.d, nil
}

// ReadSnapshot reads a snapshot written by Snapshot.WriteTo into a new
// tree with opts, and reads nothing past its end. A stream that is
// truncated, fails a checksum, or does not describe a well-formed tree
// with the stored digest is an error wrapping ErrCorrupt, and no tree is
// returned.
func ReadSnapshot(r io.Reader, opts Options) (*Tree, error) {
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(r, magic); err != nil {
		return nil, fmt.Errorf("%w: snapshot header: %v", ErrCorrupt, err)
	}
	if string(magic) != string(snapshotMagic) {
		return nil, fmt.Errorf("%w: not a version 1 snapshot", ErrCorrupt)
	}
	sr := &snapshotReader{r: r}
	d, err := sr.record()
	if err != nil {
		return nil, err
	}
	zxid := d.varint()
	var digestBytes [8]byte
	copy(digestBytes[:], d.bytes(8))
	digest := binary.BigEndian.Uint64(digestBytes[:])
	nSessions := d.uvarint()
	nNodes := d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	if nNodes == 0 {
		return nil, fmt.Errorf("%w: no root", ErrCorrupt)
	}
	t := newEmpty(opts)
	t.lastZxid = zxid
	lastID := int64(0)
	for i := uint64(0); i < nSessions; i++ {
		if d, err = sr.record(); err != nil {
			return nil, err
		}
		id, timeout := d.varint(), d.int32()
		if d.err != nil {
			return nil, d.err
		}
		if i > 0 && id <= lastID {
			return nil, fmt.Errorf("%w: sessions out of order", ErrCorrupt)
		}
		lastID = id
		t.sessions.ReplaceOrInsert(sessionEntry{id: id, timeout: timeout})
	}
	var (
		acls []*aclEntry
		prev string
		last item
		par  parentCache
	)
	for i := uint64(0); i < nNodes; i++ {
		if d, err = sr.record(); err != nil {
			return nil, err
		}
		path, n := readNode(d, prev, &acls, t)
		if d.err != nil {
			return nil, d.err
		}
		if err := t.load(path, n, i == 0, &last, &par); err != nil {
			return nil, err
		}
		prev = path
	}
	if sr.d.off != len(sr.d.b) {
		return nil, fmt.Errorf("%w: bytes after the last record", ErrCorrupt)
	}
	if err := sr.next(); err != nil {
		return nil, err
	}
	if !sr.end {
		return nil, fmt.Errorf("%w: records after the last znode", ErrCorrupt)
	}
	if t.digest != digest {
		return nil, fmt.Errorf("%w: digest %#x, want %#x", ErrCorrupt, t.digest, digest)
	}
	return t, nil
}

// readNode decodes one znode record.
func readNode(d *decoder, prev string, acls *[]*aclEntry, t *Tree) (string, *node) {
	shared := d.uvarint()
	if d.err == nil && shared > uint64(len(prev)) {
		d.fail("shared prefix %d longer than the previous path", shared)
	}
	suffix := d.bytes(d.uvarint())
	if d.err != nil {
		return "", nil
	}
	path := prev[:shared] + string(suffix)
	n := &node{kind: kind(d.byte())}
	if n.kind > kindTTL {
		d.fail("znode kind %d", n.kind)
	}
	if size := d.uvarint(); size == 0 {
		n.nilData = true
	} else {
		n.data = string(d.bytes(size - 1))
	}
	switch ref := d.uvarint(); {
	case d.err != nil:
	case ref == 0:
		acl := d.acl()
		if d.err == nil {
			e := t.intern(acl)
			*acls = append(*acls, e)
			n.acl = e
		}
	case ref <= uint64(len(*acls)):
		n.acl = (*acls)[ref-1]
	default:
		d.fail("ACL reference %d", ref)
	}
	n.czxid, n.mzxid, n.pzxid = d.varint(), d.varint(), d.varint()
	n.ctime, n.mtime, n.owner = d.varint(), d.varint(), d.varint()
	n.version, n.cversion, n.aversion = d.int32(), d.int32(), d.int32()
	return path, n
}

// errStructure is the loader's complaint about a snapshot's tree.
var errStructure = errors.New("not a well-formed tree")

// parentCache remembers the parent of the last znode loaded: znodes come
// grouped by parent, so most lookups of it are saved.
type parentCache struct {
	path string
	n    *node
}

// load inserts a znode read from a snapshot, checking the structure.
func (t *Tree) load(path string, n *node, first bool, last *item, par *parentCache) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: %w: %s: %q", ErrCorrupt, errStructure, why, path)
	}
	switch n.kind {
	case kindPersistent:
		if n.owner != 0 {
			return bad("persistent znode with an owner")
		}
	case kindEphemeral:
		if n.owner == 0 {
			return bad("ephemeral znode without an owner")
		}
	case kindContainer:
		if n.owner != containerOwner {
			return bad("container with a wrong owner")
		}
	case kindTTL:
		if n.owner&^ttlValueMask != ttlOwnerBits || ttlOf(n.owner) == 0 {
			return bad("TTL znode with a wrong owner")
		}
	}
	if n.acl == nil || len(n.acl.list) == 0 {
		return bad("empty ACL")
	}
	n.seal(path)
	if first {
		if path != "/" {
			return bad("first znode is not the root")
		}
		t.put("/", nil, n)
		return nil
	}
	if reason, _ := pathProblem(path); reason != "" || path == "/" {
		return bad("invalid path")
	}
	parentPath, name, _ := splitPath(path)
	it := item{parent: parentPath, name: name, n: n}
	if last.n != nil && !itemLess(*last, it) {
		return bad("znodes out of order")
	}
	*last = it
	if par.n == nil || par.path != parentPath {
		par.path, par.n = parentPath, t.lookup(parentPath)
	}
	parent := par.n
	if parent == nil {
		return bad("parent missing")
	}
	if parent.kind == kindEphemeral {
		return bad("child of an ephemeral")
	}
	// The loader owns these nodes: none is shared yet, so counting children
	// in place is safe (numChildren is not part of the digest).
	parent.numChildren++
	t.put(path, nil, n)
	return nil
}
