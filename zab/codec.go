package zab

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Framing: every field big-endian, in order
//
//	int32 type | uint64 from | uint64 to | int64 zxid | int64 epoch | uint64 id | int32 len | len bytes of data
//
// with len -1 for nil data (as jute encodes a null buffer). The caller's
// transport frames the whole message (a length prefix); this is the body.
const headerSize = 4 + 8 + 8 + 8 + 8 + 8 + 4

// MaxDataSize bounds Message.Data on the wire. SNAP carries a whole state
// machine, so it is large; the transport should bound frames as it needs.
const MaxDataSize = math.MaxInt32

// MarshalBinary encodes m. It fails only for an unknown type or oversized
// data.
func (m Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, headerSize+len(m.Data)))
}

// AppendBinary appends m's encoding to b, so a transport can reuse buffers.
func (m Message) AppendBinary(b []byte) ([]byte, error) {
	if !m.Type.Valid() {
		return b, fmt.Errorf("%w: unknown type %d", ErrMalformedMessage, m.Type)
	}
	if len(m.Data) > MaxDataSize {
		return b, fmt.Errorf("%w: data of %d bytes", ErrMalformedMessage, len(m.Data))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(m.Type))
	b = binary.BigEndian.AppendUint64(b, m.From)
	b = binary.BigEndian.AppendUint64(b, m.To)
	b = binary.BigEndian.AppendUint64(b, uint64(m.Zxid))
	b = binary.BigEndian.AppendUint64(b, uint64(m.Epoch))
	b = binary.BigEndian.AppendUint64(b, m.ID)
	if m.Data == nil {
		b = binary.BigEndian.AppendUint32(b, math.MaxUint32) // -1
		return b, nil
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.Data)))
	return append(b, m.Data...), nil
}

// UnmarshalMessage decodes a message encoded by MarshalBinary. It never
// panics: bad input is an error matching ErrMalformedMessage. The returned
// Data aliases b.
func UnmarshalMessage(b []byte) (Message, error) {
	if len(b) < headerSize {
		return Message{}, fmt.Errorf("%w: %d bytes, want at least %d", ErrMalformedMessage, len(b), headerSize)
	}
	m := Message{
		Type:  MessageType(int32(binary.BigEndian.Uint32(b[0:]))),
		From:  binary.BigEndian.Uint64(b[4:]),
		To:    binary.BigEndian.Uint64(b[12:]),
		Zxid:  int64(binary.BigEndian.Uint64(b[20:])),
		Epoch: int64(binary.BigEndian.Uint64(b[28:])),
		ID:    binary.BigEndian.Uint64(b[36:]),
	}
	if !m.Type.Valid() {
		return Message{}, fmt.Errorf("%w: unknown type %d", ErrMalformedMessage, m.Type)
	}
	n := int32(binary.BigEndian.Uint32(b[44:]))
	rest := b[headerSize:]
	switch {
	case n == -1:
		if len(rest) != 0 {
			return Message{}, fmt.Errorf("%w: %d trailing bytes after nil data", ErrMalformedMessage, len(rest))
		}
	case n < -1:
		return Message{}, fmt.Errorf("%w: data length %d", ErrMalformedMessage, n)
	case int(n) != len(rest):
		return Message{}, fmt.Errorf("%w: data length %d, but %d bytes follow", ErrMalformedMessage, n, len(rest))
	default:
		m.Data = rest[:n:n]
	}
	return m, nil
}
