package zab

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMessageRoundTrip(t *testing.T) {
	tests := []Message{
		{Type: Proposal, From: 1, To: 2, Zxid: MakeZxid(3, 7), Data: []byte("txn")},
		{Type: Ack, From: 2, To: 1, Zxid: MakeZxid(3, 7)},
		{Type: AckEpoch, From: 2, To: 1, Zxid: MakeZxid(2, 9), Epoch: -1},
		{Type: Ping, From: 2, To: 1, ID: 42, Data: []byte{}},
		{Type: Snap, From: 1, To: 3, Zxid: MakeZxid(1, 1), Data: bytes.Repeat([]byte{0xff}, 1000)},
		{Type: Sync, From: 1, To: 3, ID: 1<<64 - 1, Zxid: -1},
	}
	for _, m := range tests {
		t.Run(m.Type.String(), func(t *testing.T) {
			b, err := m.MarshalBinary()
			require.NoError(t, err)
			got, err := UnmarshalMessage(b)
			require.NoError(t, err)
			assert.Equal(t, m, got)
			// nil and empty data stay distinct, as in jute.
			assert.Equal(t, m.Data == nil, got.Data == nil)
		})
	}
}

func TestAppendBinaryAppends(t *testing.T) {
	m := Message{Type: Commit, From: 1, To: 2, Zxid: 5}
	b, err := m.AppendBinary([]byte("prefix"))
	require.NoError(t, err)
	require.Equal(t, "prefix", string(b[:6]))
	got, err := UnmarshalMessage(b[6:])
	require.NoError(t, err)
	assert.Equal(t, m, got)
}

func TestUnmarshalMessageRejects(t *testing.T) {
	good, err := Message{Type: Proposal, From: 1, To: 2, Zxid: 1, Data: []byte("abc")}.MarshalBinary()
	require.NoError(t, err)
	withType := func(typ uint32) []byte {
		b := bytes.Clone(good)
		b[0], b[1], b[2], b[3] = byte(typ>>24), byte(typ>>16), byte(typ>>8), byte(typ)
		return b
	}
	withLen := func(n uint32) []byte {
		b := bytes.Clone(good)
		b[44], b[45], b[46], b[47] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
		return b
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short header", good[:headerSize-1]},
		{"unknown type 9", withType(9)},
		{"unknown type 0", withType(0)},
		{"negative type", withType(0xffffffff)},
		{"truncated data", good[:len(good)-1]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"length -2", withLen(0xfffffffe)},
		{"nil data with trailing bytes", withLen(0xffffffff)},
		{"huge length", withLen(0x7fffffff)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := UnmarshalMessage(tt.b)
			assert.ErrorIs(t, err, ErrMalformedMessage)
		})
	}
}

func TestMarshalRejectsUnknownType(t *testing.T) {
	_, err := Message{Type: 99}.MarshalBinary()
	assert.ErrorIs(t, err, ErrMalformedMessage)
}

func TestMessageTypeNames(t *testing.T) {
	// The numeric values are ZooKeeper's QuorumPacket types.
	want := map[MessageType]int32{
		Request: 1, Proposal: 2, Ack: 3, Commit: 4, Ping: 5, Revalidate: 6, Sync: 7, Inform: 8,
		NewLeader: 10, FollowerInfo: 11, UpToDate: 12, Diff: 13, Trunc: 14, Snap: 15,
		ObserverInfo: 16, LeaderInfo: 17, AckEpoch: 18,
	}
	for mt, v := range want {
		assert.Equal(t, v, int32(mt), mt.String())
		assert.True(t, mt.Valid())
	}
	assert.Equal(t, "PROPOSAL", Proposal.String())
	assert.Equal(t, "MessageType(9)", MessageType(9).String())
	assert.False(t, MessageType(9).Valid())
}

// FuzzUnmarshalMessage: decoding never panics, and whatever decodes
// re-encodes to the same bytes.
func FuzzUnmarshalMessage(f *testing.F) {
	for _, m := range []Message{
		{Type: Proposal, From: 1, To: 2, Zxid: MakeZxid(1, 1), Data: []byte("x")},
		{Type: AckEpoch, From: 2, To: 1, Epoch: -1},
		{Type: Snap, Data: []byte{}},
	} {
		b, err := m.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add(make([]byte, headerSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalMessage(b)
		if err != nil {
			return
		}
		again, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", m, err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, again)
		}
	})
}
