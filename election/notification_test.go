package election

import (
	"encoding/hex"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotificationRoundTrip(t *testing.T) {
	for _, n := range []Notification{
		{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: 0x1_0000_0005, PeerEpoch: 1}, ElectionEpoch: 4},
		{From: 2, To: 1, State: Leading, Vote: Vote{Leader: 2}, ElectionEpoch: 0},
		{From: 5, To: 1, State: Observing, Vote: observerVote, ElectionEpoch: math.MaxInt64},
		{From: NoLeader - 1, To: 0, State: Following, Vote: Vote{Leader: NoLeader - 1, Zxid: -1, PeerEpoch: -1}, ElectionEpoch: 1},
	} {
		b, err := n.MarshalBinary()
		require.NoError(t, err)
		require.Len(t, b, WireSize)
		got, err := UnmarshalNotification(b)
		require.NoError(t, err)
		assert.Equal(t, n, got)
	}
}

// The first 36 bytes are ZooKeeper's buildMsg layout; an observer's vote
// carries ZooKeeper's Long.MIN_VALUE fields.
func TestNotificationGoldenBytes(t *testing.T) {
	n := Notification{From: 7, To: 1, State: Observing, Vote: observerVote, ElectionEpoch: 0x0102030405060708}
	b, err := n.MarshalBinary()
	require.NoError(t, err)
	want := "00000003" + // state OBSERVING
		"8000000000000000" + // leader Long.MIN_VALUE
		"8000000000000000" + // zxid
		"0102030405060708" + // electionEpoch
		"8000000000000000" + // peerEpoch
		"454e0001" + // ensemble's format version
		"0000000000000007" + // from
		"0000000000000001" // to
	assert.Equal(t, want, hex.EncodeToString(b))

	buf := make([]byte, 0, 2*WireSize)
	buf, err = n.AppendBinary(buf)
	require.NoError(t, err)
	buf, err = n.AppendBinary(buf)
	require.NoError(t, err)
	assert.Equal(t, want+want, hex.EncodeToString(buf))
}

func TestUnmarshalNotificationRejects(t *testing.T) {
	good, err := Notification{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3}, ElectionEpoch: 1}.MarshalBinary()
	require.NoError(t, err)
	with := func(off int, bytes ...byte) []byte {
		b := append([]byte(nil), good...)
		copy(b[off:], bytes)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		msg  string
	}{
		{"empty", nil, "0 bytes"},
		{"ZooKeeper 3.4.6 length", good[:40], "40 bytes"},
		{"truncated", good[:WireSize-1], "55 bytes"},
		{"trailing byte", append(append([]byte(nil), good...), 0), "57 bytes"},
		{"ZooKeeper's version 2", with(36, 0, 0, 0, 2), "version 0x2"},
		{"unknown state", with(0, 0, 0, 0, 4), "unknown state 4"},
		{"negative state", with(0, 0xff, 0xff, 0xff, 0xff), "unknown state -1"},
		{"negative leader", with(4, 0x80, 0, 0, 0, 0, 0, 0, 1), "leader id"},
		{"negative sender", with(40, 0x80), "sender"},
		{"negative receiver", with(48, 0xff), "receiver"},
		{"negative election epoch", with(20, 0xff), "negative election epoch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := UnmarshalNotification(tt.b)
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, Notification{}, n)
		})
	}
}

func TestMarshalRejectsWhatUnmarshalRejects(t *testing.T) {
	for _, n := range []Notification{
		{State: State(7)},
		{From: NoLeader},
		{Vote: Vote{Leader: NoLeader + 1}},
		{ElectionEpoch: -1},
	} {
		_, err := n.MarshalBinary()
		assert.ErrorIs(t, err, ErrMalformed, "%+v", n)
	}
}

func FuzzUnmarshalNotification(f *testing.F) {
	for _, n := range []Notification{
		{From: 1, To: 2, State: Looking, Vote: Vote{Leader: 3, Zxid: 5, PeerEpoch: 1}, ElectionEpoch: 4},
		{From: 5, To: 1, State: Observing, Vote: observerVote, ElectionEpoch: 9},
	} {
		b, err := n.MarshalBinary()
		require.NoError(f, err)
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add(make([]byte, 40))
	f.Add(make([]byte, WireSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := UnmarshalNotification(b)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		// What decodes encodes back to the same bytes.
		out, err := n.MarshalBinary()
		require.NoError(t, err)
		require.Equal(t, b, out)
	})
}
