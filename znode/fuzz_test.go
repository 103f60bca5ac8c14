package znode

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
)

// javaValidatePath is ZooKeeper's PathUtils.validatePath transcribed
// literally onto Java's view of the string (UTF-16 code units of the
// UTF-8 decoding), as the oracle for ValidatePath.
func javaValidatePath(s string) bool {
	chars := utf16.Encode([]rune(s))
	if len(chars) == 0 || chars[0] != '/' {
		return false
	}
	if len(chars) == 1 {
		return true
	}
	if chars[len(chars)-1] == '/' {
		return false
	}
	last := uint16('/')
	for i := 1; i < len(chars); last, i = chars[i], i+1 {
		c := chars[i]
		switch {
		case c == 0:
			return false
		case c == '/' && last == '/':
			return false
		case c == '.' && last == '.':
			if chars[i-2] == '/' && (i+1 == len(chars) || chars[i+1] == '/') {
				return false
			}
		case c == '.':
			if chars[i-1] == '/' && (i+1 == len(chars) || chars[i+1] == '/') {
				return false
			}
		case c > 0 && c <= 0x1f, c >= 0x7f && c <= 0x9f, c >= 0xd800 && c <= 0xf8ff, c >= 0xfff0:
			return false
		}
	}
	return true
}

func FuzzValidatePath(f *testing.F) {
	for _, s := range []string{"/", "/a", "/a/b", "/a/../b", "/./", "/..", "/...", "/a//b", "/a/", "a", "",
		"/\x00", "/\x7f", "/\u0080", "/\ud7ff", "/\ue000", "/\uffef", "/\ufff0", "/\U00010000", "/\xff", "/.a/.b./..c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidatePath(s)
		if javaValidatePath(s) != (err == nil) {
			t.Fatalf("ValidatePath(%q) = %v, ZooKeeper says valid=%v", s, err, javaValidatePath(s))
		}
		if err != nil {
			require.ErrorIs(t, err, ErrBadArguments)
		}
	})
}

func FuzzUnmarshalTxn(f *testing.F) {
	for _, txn := range sampleTxns() {
		b, err := txn.MarshalBinary()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		txn, err := UnmarshalTxn(b)
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		// What decodes re-encodes to the same bytes...
		again, err := txn.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, again)
		// ...and applies without panicking, keeping the digest honest.
		tree := New(Options{TTLEnabled: true})
		if txn.Header.Zxid <= 0 {
			txn.Header.Zxid = 1
		}
		tree.Apply(txn)
		require.Equal(t, recomputeDigest(tree), tree.Digest())
	})
}

// frame wraps a payload in a valid snapshot stream: magic, one chunk and
// the end marker, with correct checksums, so that fuzzing reaches the
// record decoder behind the checksum.
func frame(payload []byte) []byte {
	b := append([]byte{}, snapshotMagic...)
	crc := crc32.Update(0, castagnoli, payload)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	b = binary.BigEndian.AppendUint32(b, crc)
	b = binary.BigEndian.AppendUint32(b, 0)
	return binary.BigEndian.AppendUint32(b, crc)
}

// payloadOf concatenates the chunk payloads of a valid snapshot stream.
func payloadOf(b []byte) []byte {
	var out []byte
	b = b[len(snapshotMagic):]
	for len(b) >= 8 {
		n := binary.BigEndian.Uint32(b)
		out = append(out, b[4:4+n]...)
		b = b[8+n:]
	}
	return out
}

// FuzzReadSnapshot feeds ReadSnapshot raw streams and, with framed set,
// record payloads wrapped in valid checksums.
func FuzzReadSnapshot(f *testing.F) {
	for _, tree := range []*Tree{New(Options{}), richTree(f).tree} {
		var buf bytes.Buffer
		_, err := tree.Snapshot().WriteTo(&buf)
		require.NoError(f, err)
		f.Add(buf.Bytes(), false)
		f.Add(payloadOf(buf.Bytes()), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, framed bool) {
		if framed {
			b = frame(b)
		}
		tree, err := ReadSnapshot(bytes.NewReader(b), Options{})
		if err != nil {
			require.ErrorIs(t, err, ErrCorrupt)
			return
		}
		require.Equal(t, recomputeDigest(tree), tree.Digest())
		var buf bytes.Buffer
		_, err = tree.Snapshot().WriteTo(&buf)
		require.NoError(t, err)
		again, err := ReadSnapshot(&buf, Options{})
		require.NoError(t, err)
		require.Equal(t, dump(tree), dump(again))
	})
}
