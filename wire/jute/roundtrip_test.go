package jute

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// newLike returns a new zero record of r's type.
func newLike(r Record) Record {
	return reflect.New(reflect.TypeOf(r).Elem()).Interface().(Record)
}

func TestGoldenDecodeRoundTrip(t *testing.T) {
	for _, tt := range goldenCases {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.hex)
			got := newLike(tt.rec)
			require.NoError(t, Unmarshal(b, got))
			assert.Equal(t, tt.rec, got)
			assert.Equal(t, b, Marshal(got))
		})
	}
}

// Every proper prefix of a record must fail to decode with ErrTruncated,
// never panic, except where the record's last field is optional.
func TestTruncatedPrefixesFail(t *testing.T) {
	for _, tt := range goldenCases {
		t.Run(tt.name, func(t *testing.T) {
			b := unhex(t, tt.hex)
			optionalTail := 0
			switch r := tt.rec.(type) {
			case *ConnectRequest:
				if r.HasReadOnly {
					optionalTail = 1
				}
			case *ConnectResponse:
				if r.HasReadOnly {
					optionalTail = 1
				}
			}
			for n := 0; n < len(b)-optionalTail; n++ {
				err := Unmarshal(b[:n], newLike(tt.rec))
				require.Errorf(t, err, "prefix of %d bytes", n)
				assert.ErrorIs(t, err, ErrMalformed)
				assert.Truef(t, errors.Is(err, ErrTruncated) || errors.Is(err, ErrTrailing), "prefix %d: %v", n, err)
			}
		})
	}
}

func TestTrailingBytes(t *testing.T) {
	b := append(Marshal(&SyncRequest{Path: "/"}), 0)
	assert.ErrorIs(t, Unmarshal(b, new(SyncRequest)), ErrTrailing)

	// The lenient Decoder, as the server uses it, reads the record and
	// leaves the byte.
	d := NewDecoder(b)
	var r SyncRequest
	r.Decode(d)
	require.NoError(t, d.Err())
	assert.Equal(t, "/", r.Path)
	assert.Equal(t, 1, d.Remaining())
}

func TestConnectRequestOptionalReadOnly(t *testing.T) {
	without := Marshal(&ConnectRequest{TimeOut: 1, Passwd: []byte{}})
	var r ConnectRequest
	require.NoError(t, Unmarshal(without, &r))
	assert.False(t, r.HasReadOnly)
	assert.False(t, r.ReadOnly)

	require.NoError(t, Unmarshal(append(without, 1), &r))
	assert.True(t, r.HasReadOnly)
	assert.True(t, r.ReadOnly)

	// Java's readBoolean treats any non-zero byte as true.
	require.NoError(t, Unmarshal(append(without, 7), &r))
	assert.True(t, r.ReadOnly)
}

func TestNullsAndEmpties(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		read func(d *Decoder) any
		want any
	}{
		{"null buffer", []byte{0xff, 0xff, 0xff, 0xff}, func(d *Decoder) any { return d.Buffer() }, []byte(nil)},
		{"empty buffer", []byte{0, 0, 0, 0}, func(d *Decoder) any { return d.Buffer() }, []byte{}},
		{"null string", []byte{0xff, 0xff, 0xff, 0xff}, func(d *Decoder) any { return d.String() }, ""},
		{"null strings", []byte{0xff, 0xff, 0xff, 0xff}, func(d *Decoder) any { return d.Strings() }, []string(nil)},
		{"empty strings", []byte{0, 0, 0, 0}, func(d *Decoder) any { return d.Strings() }, []string{}},
		{"null ACLs", []byte{0xff, 0xff, 0xff, 0xff}, func(d *Decoder) any { return d.ACLs() }, []znode.ACL(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.in)
			got := tt.read(d)
			require.NoError(t, d.Err())
			assert.Equal(t, tt.want, got)
			assert.Zero(t, d.Remaining())
		})
	}
}
