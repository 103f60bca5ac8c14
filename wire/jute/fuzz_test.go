package jute

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzRecords are the records FuzzDecode chooses from with its first byte.
var fuzzRecords = []func() Record{
	func() Record { return new(ConnectRequest) },
	func() Record { return new(ConnectResponse) },
	func() Record { return new(RequestHeader) },
	func() Record { return new(ReplyHeader) },
	func() Record { return new(AuthPacket) },
	func() Record { return new(SetWatches) },
	func() Record { return new(SetWatches2) },
	func() Record { return new(WatcherEvent) },
	func() Record { return new(CreateRequest) },
	func() Record { return new(CreateTTLRequest) },
	func() Record { return new(SetACLRequest) },
	func() Record { return new(SetDataRequest) },
	func() Record { return new(ReconfigRequest) },
	func() Record { return new(MultiRequest) },
	func() Record { return new(MultiResponse) },
	func() Record { return new(GetACLResponse) },
	func() Record { return new(GetDataResponse) },
	func() Record { return new(GetChildren2Response) },
	func() Record { return new(WhoAmIResponse) },
	func() Record { return new(Create2Response) },
}

// FuzzDecode feeds arbitrary bytes to a record decoder. Decoding must not
// panic; whatever decodes must encode and decode again to the same value.
func FuzzDecode(f *testing.F) {
	for _, c := range goldenCases {
		for k, mk := range fuzzRecords {
			if reflect.TypeOf(mk()) == reflect.TypeOf(c.rec) {
				f.Add(append([]byte{byte(k)}, unhex(f, c.hex)...))
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		mk := fuzzRecords[int(in[0])%len(fuzzRecords)]
		r := mk()
		d := NewDecoder(in[1:])
		r.Decode(d)
		if d.Err() != nil {
			require.ErrorIs(t, d.Err(), ErrMalformed)
			return
		}
		again := mk()
		require.NoError(t, Unmarshal(Marshal(r), again))
		require.Equal(t, r, again)
	})
}
