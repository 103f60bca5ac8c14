package jute

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func be32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func TestHostileLengths(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
		in   []byte
		want error
	}{
		{"vector count 2^31-1 in a tiny frame", new(GetChildrenResponse), append(be32(1<<31-1), make([]byte, 16)...), ErrTruncated},
		{"ACL count larger than bytes left", new(GetACLResponse), append(be32(100), make([]byte, 12*99)...), ErrTruncated},
		{"buffer length past the end", new(GetDataResponse), append(be32(1000), make([]byte, 999)...), ErrTruncated},
		{"string length past the end", new(SyncRequest), append(be32(5), 'a', 'b'), ErrTruncated},
		{"negative buffer length", new(GetSASLRequest), be32(-2), ErrBadLength},
		{"negative string length", new(SyncRequest), be32(-7), ErrBadLength},
		{"negative vector count", new(GetChildrenResponse), be32(-100), ErrBadLength},
		{"whoAmI count too large", new(WhoAmIResponse), append(be32(1<<30), make([]byte, 64)...), ErrTruncated},
		{"getData inside a multi is decoded (multiRead's op)", new(MultiRequest), append(append([]byte{0, 0, 0, 4, 0, 0xff, 0xff, 0xff, 0xff}, append(be32(1), '/', 0)...), 0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff), nil},
		{"ping inside a multi", new(MultiRequest), []byte{0, 0, 0, 11, 0, 0xff, 0xff, 0xff, 0xff}, ErrBadOp},
		{"unterminated multi", new(MultiRequest), append([]byte{0, 0, 0, 2, 0, 0xff, 0xff, 0xff, 0xff}, append(be32(1), '/', 0, 0, 0, 0)...), ErrTruncated},
		{"unknown result in a multi response", new(MultiResponse), []byte{0, 0, 0, 99, 0, 0, 0, 0, 0}, ErrBadOp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal(tt.in, tt.rec)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

// A count the input cannot hold must be refused before anything is
// allocated for it.
func TestHugeCountDoesNotAllocate(t *testing.T) {
	in := append(be32(1<<31-1), make([]byte, 16)...)
	allocs := testing.AllocsPerRun(100, func() {
		var r GetChildrenResponse
		d := NewDecoder(in)
		r.Decode(d)
		if d.Err() == nil {
			t.Fatal("decoded a vector the input cannot hold")
		}
	})
	// Only the error value itself is allocated.
	assert.LessOrEqual(t, allocs, 4.0)
}

// Decoding the common request records must not allocate beyond the
// values they return.
func TestDecodeAllocations(t *testing.T) {
	in := Marshal(&GetDataRequest{Path: "/some/path", Watch: true})
	var d Decoder
	var r GetDataRequest
	allocs := testing.AllocsPerRun(100, func() {
		d.Reset(in)
		r.Decode(&d)
	})
	assert.Equal(t, 1.0, allocs) // the path string
}

func TestEncoderReuseDoesNotAllocate(t *testing.T) {
	var e Encoder
	r := GetDataResponse{Data: make([]byte, 100), Stat: sampleStat}
	r.Encode(&e)
	allocs := testing.AllocsPerRun(100, func() {
		e.Reset()
		r.Encode(&e)
	})
	assert.Zero(t, allocs)
}
