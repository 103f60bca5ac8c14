package session

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTouchSet(t *testing.T) {
	s := NewTouchSet()
	assert.Empty(t, s.Touched(), "nothing touched yet")

	s.Touch(1, 4000)
	s.Touch(2, 6000)
	s.Touch(1, 5000) // the latest timeout wins, as in ZooKeeper's touch table
	s.Touch(3, 4000)
	s.Forget(3) // its closeSession was applied
	assert.Equal(t, 2, s.Len())
	assert.Equal(t, map[int64]int32{1: 5000, 2: 6000}, s.Touched())

	assert.Equal(t, 0, s.Len(), "Touched clears the set")
	assert.Empty(t, s.Touched(), "a second ping carries nothing new")
	s.Touch(2, 6000)
	assert.Equal(t, map[int64]int32{2: 6000}, s.Touched())
}

func TestTouchesRoundTrip(t *testing.T) {
	server := func(sid uint64, n int) map[int64]int32 {
		g, err := NewIDGenerator(sid, 1_700_000_000_000)
		require.NoError(t, err)
		m := make(map[int64]int32, n)
		for i := range n {
			m[g.Next()] = int32(4000 + i%3*2000)
		}
		return m
	}
	tests := []struct {
		name    string
		touches map[int64]int32
	}{
		{"empty", map[int64]int32{}},
		{"one", map[int64]int32{0x0101234567890000: 30000}},
		{"negative ids, from servers 128 and up", map[int64]int32{-1: 1, math.MinInt64: 2, -2 << 56: 3, 5: 4}},
		{"extreme ids and timeouts", map[int64]int32{math.MaxInt64: math.MaxInt32, math.MinInt64: math.MinInt32, 0: 0}},
		{"a server's sessions", server(3, 1000)},
		{"sessions of several servers", func() map[int64]int32 {
			m := server(1, 100)
			for id, to := range server(200, 100) {
				m[id] = to
			}
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendTouches([]byte("prefix"), tt.touches)
			require.Equal(t, "prefix", string(b[:6]), "appends")
			got, err := DecodeTouches(b[6:])
			require.NoError(t, err)
			assert.Equal(t, tt.touches, got)
		})
	}
}

func TestTouchesAreCompact(t *testing.T) {
	g, err := NewIDGenerator(3, 1_700_000_000_000)
	require.NoError(t, err)
	m := make(map[int64]int32)
	for range 1000 {
		m[g.Next()] = 30000
	}
	b := AppendTouches(nil, m)
	// ZooKeeper's PING spends 12 bytes per session (a long and an int).
	assert.Less(t, len(b), 5*len(m), "%d bytes for %d sessions", len(b), len(m))
}

func TestTouchesEncodingIsDeterministic(t *testing.T) {
	m := map[int64]int32{}
	for i := range int64(200) {
		m[i*7919-500] = int32(i)
	}
	first := AppendTouches(nil, m)
	for range 20 {
		assert.Equal(t, first, AppendTouches(nil, m), "map order must not leak into the bytes")
	}
}

func TestDecodeTouchesRejectsCorruptInput(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
	}{
		{"nil", nil},
		{"unknown version", []byte{2, 0}},
		{"version only", []byte{1}},
		{"count overflows a varint", []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"count larger than the input can hold", []byte{1, 3, 1, 1, 2, 2}},
		{"huge count in a short input", []byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"truncated id", []byte{1, 1, 0x80, 0x80}},
		{"truncated timeout", []byte{1, 1, 5, 0x80}},
		{"missing timeout", []byte{1, 2, 5, 2, 1, 0x80}},
		{"repeated id", []byte{1, 2, 5, 2, 0, 2}},
		{"id past 2^64", []byte{1, 2,
			0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 2,
			0x02, 2}},
		{"timeout above int32", []byte{1, 1, 5, 0x80, 0x80, 0x80, 0x80, 0x10}},
		{"timeout below int32", []byte{1, 1, 5, 0x81, 0x80, 0x80, 0x80, 0x10}},
		{"trailing bytes", []byte{1, 1, 5, 2, 0}},
		{"trailing bytes after an empty set", []byte{1, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeTouches(tt.in)
			require.ErrorIs(t, err, ErrCorruptTouches)
			assert.Nil(t, got)
		})
	}
}

func FuzzDecodeTouches(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 5, 2})
	f.Add(AppendTouches(nil, map[int64]int32{-1: 1, 0x0101234567890000: 30000, 0x0101234567890001: 30000}))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeTouches(b)
		if err != nil {
			require.ErrorIs(t, err, ErrCorruptTouches)
			require.Nil(t, m)
			return
		}
		// What decodes re-encodes to a canonical form that decodes to the
		// same set, and is never longer than the input.
		again := AppendTouches(nil, m)
		require.LessOrEqual(t, len(again), len(b))
		m2, err := DecodeTouches(again)
		require.NoError(t, err)
		require.Equal(t, m, m2)
	})
}
