package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBackoff(t *testing.T) {
	lo, hi := 10*time.Millisecond, 300*time.Millisecond
	tests := []struct {
		failures int
		full     time.Duration // before jitter
	}{
		{1, 10 * time.Millisecond},
		{2, 20 * time.Millisecond},
		{3, 40 * time.Millisecond},
		{5, 160 * time.Millisecond},
		{6, 300 * time.Millisecond},
		{64, 300 * time.Millisecond},
		{1 << 20, 300 * time.Millisecond},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range tests {
		for range 100 {
			d := backoff(tc.failures, lo, hi, rng)
			assert.GreaterOrEqual(t, d, tc.full-tc.full/2, "failures %d", tc.failures)
			assert.LessOrEqual(t, d, tc.full, "failures %d", tc.failures)
		}
	}
	// Seeded: the same seed gives the same waits.
	a, b := rand.New(rand.NewPCG(7, 7)), rand.New(rand.NewPCG(7, 7))
	for i := range 10 {
		assert.Equal(t, backoff(i+1, lo, hi, a), backoff(i+1, lo, hi, b))
	}
	assert.Zero(t, backoff(3, 0, 0, rng))
}

func TestHelloRoundTrip(t *testing.T) {
	tests := []hello{
		{kind: kindConnect, from: 3, to: 1, inc: 99, gen: 7},
		{kind: kindCallMe, from: 1, to: 3, inc: 5, seenInc: 99, seenGen: 7},
		{kind: kindCallMe, from: 1, to: 1 << 63, inc: 1},
	}
	for _, h := range tests {
		got, err := readHello(bytes.NewReader(h.encode()))
		require.NoError(t, err)
		assert.Equal(t, h, got)
	}
	rep, err := readReply(bytes.NewReader(reply{status: statusWillDial, inc: 42}.encode()), statusWillDial)
	require.NoError(t, err)
	assert.Equal(t, reply{status: statusWillDial, inc: 42}, rep)
}

func TestHelloRejects(t *testing.T) {
	good := hello{kind: kindConnect, from: 3, to: 1, inc: 99, gen: 7}.encode()
	mut := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrHandshake},
		{"short", good[:47], ErrHandshake},
		{"magic", mut(func(b []byte) { b[1] = 'X' }), ErrBadMagic},
		{"version", mut(func(b []byte) { binary.BigEndian.PutUint16(b[4:], 2) }), ErrVersion},
		{"flags", mut(func(b []byte) { b[7] = 0x80 }), ErrHandshake},
		{"kind", mut(func(b []byte) { b[6] = 0 }), ErrHandshake},
		{"incarnation", mut(func(b []byte) { binary.BigEndian.PutUint64(b[24:], 0) }), ErrHandshake},
		{"reserved", mut(func(b []byte) { b[47] = 1 }), ErrHandshake},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readHello(bytes.NewReader(tc.data))
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, ErrHandshake)
		})
	}
}

func TestFrameReader(t *testing.T) {
	frame := func(n int, fill byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(n))
		return append(b, bytes.Repeat([]byte{fill}, n)...)
	}
	const max = 3 << 20
	tests := []struct {
		name  string
		data  []byte
		sizes []int // payload sizes read before the error
		want  error
	}{
		{"empty stream", nil, nil, io.EOF},
		{"one", frame(5, 'a'), []int{5}, io.EOF},
		{"heartbeat", frame(0, 0), []int{0}, io.EOF},
		{"slab boundary", append(frame(slabMax, 'a'), frame(slabMax+1, 'b')...), []int{slabMax, slabMax + 1}, io.EOF},
		{"many small", bytes.Repeat(frame(3000, 'c'), 30), repeat(3000, 30), io.EOF},
		{"grows past a step", frame(growStep*2+5, 'd'), []int{growStep*2 + 5}, io.EOF},
		{"exactly max", frame(max, 'e'), []int{max}, io.EOF},
		{"over max", binary.BigEndian.AppendUint32(nil, max+1), nil, ErrFrameTooLarge},
		{"cut header", []byte{0, 0, 1}, nil, io.ErrUnexpectedEOF},
		{"cut small payload", frame(10, 'f')[:8], nil, io.ErrUnexpectedEOF},
		{"cut large payload", frame(growStep+10, 'g')[:growStep+3], nil, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fr := newFrameReader(bytes.NewReader(tc.data), max)
			var payloads [][]byte
			var err error
			for {
				var p []byte
				if p, err = fr.next(); err != nil {
					break
				}
				payloads = append(payloads, p)
			}
			assert.ErrorIs(t, err, tc.want)
			require.Len(t, payloads, len(tc.sizes))
			for i, p := range payloads {
				assert.Len(t, p, tc.sizes[i])
				assert.Equal(t, len(p), cap(p), "a payload must not share capacity with the next")
			}
		})
	}
}

func repeat(v, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// TestPayloadsSurviveLaterReads checks that slab-carved payloads are not
// overwritten by the frames read after them.
func TestPayloadsSurviveLaterReads(t *testing.T) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	for i := range 100 {
		require.NoError(t, writeFrame(w, bytes.Repeat([]byte{byte(i)}, 100+i)))
	}
	require.NoError(t, w.Flush())
	fr := newFrameReader(&buf, 1<<20)
	var got [][]byte
	for range 100 {
		p, err := fr.next()
		require.NoError(t, err)
		got = append(got, p)
	}
	for i, p := range got {
		assert.Equal(t, bytes.Repeat([]byte{byte(i)}, 100+i), p)
	}
}
