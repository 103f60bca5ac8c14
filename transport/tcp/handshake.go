package tcp

import (
	"encoding/binary"
	"fmt"
	"io"
)

// The handshake. Connections only ever carry data from the moment both
// sides agree who is who:
//
//	dialer -> acceptor: hello, 48 bytes
//	  magic [4] | version u16 | kind u8 | flags u8 (0) | from u64 | to u64 |
//	  incarnation u64 | a u64 | b u64
//	acceptor -> dialer: reply, 16 bytes
//	  magic [4] | version u16 | status u8 | flags u8 (0) | incarnation u64
//
// All integers are big-endian. The kinds follow ZooKeeper's rule that only
// the larger id keeps a connection: a larger id sends kindConnect and the
// connection carries frames after an accepting reply; a smaller id sends
// kindCallMe, which asks the larger one to connect and is then closed.
//
// An incarnation is a random nonzero number drawn when a transport starts,
// so a restarted peer is told apart from its predecessor. gen numbers the
// connections a larger id makes to one peer. In kindConnect, a is the gen
// and b is zero; in kindCallMe, a and b are the incarnation and gen of the
// last connection the smaller id accepted (zero if none); the larger id uses them to tell a stale request (sent before the
// current connection arrived) from a real loss.
const (
	helloSize = 48
	replySize = 16
	version   = 1

	kindConnect = 1
	kindCallMe  = 2

	statusAccepted = 1
	statusWillDial = 2
)

// magic opens every handshake. Its first byte is not ASCII, so neither
// ZooKeeper's four-letter words nor HTTP nor TLS can be mistaken for it.
var magic = [4]byte{0xE5, 'E', 'N', 'S'}

type hello struct {
	kind     uint8
	from, to uint64
	inc      uint64 // the dialer's incarnation
	gen      uint64 // kindConnect: this connection's number
	seenInc  uint64 // kindCallMe: the larger id's incarnation on the last connection accepted
	seenGen  uint64 // kindCallMe: that connection's gen
}

type reply struct {
	status uint8
	inc    uint64 // the acceptor's incarnation
}

func (h hello) encode() []byte {
	b := make([]byte, helloSize)
	copy(b, magic[:])
	binary.BigEndian.PutUint16(b[4:], version)
	b[6] = h.kind
	binary.BigEndian.PutUint64(b[8:], h.from)
	binary.BigEndian.PutUint64(b[16:], h.to)
	binary.BigEndian.PutUint64(b[24:], h.inc)
	if h.kind == kindConnect {
		binary.BigEndian.PutUint64(b[32:], h.gen)
	} else {
		binary.BigEndian.PutUint64(b[32:], h.seenInc)
		binary.BigEndian.PutUint64(b[40:], h.seenGen)
	}
	return b
}

// checkPreamble validates the magic, version and flags shared by hello and
// reply.
func checkPreamble(b []byte) error {
	if [4]byte(b[:4]) != magic {
		return fmt.Errorf("%w: % x", ErrBadMagic, b[:4])
	}
	if v := binary.BigEndian.Uint16(b[4:]); v != version {
		return fmt.Errorf("%w: %d, want %d", ErrVersion, v, version)
	}
	if b[7] != 0 {
		return fmt.Errorf("%w: flags %#x, want 0", ErrHandshake, b[7])
	}
	return nil
}

// readHello reads and decodes a hello. It checks the encoding only; who may
// connect is the acceptor's decision.
func readHello(r io.Reader) (hello, error) {
	var b [helloSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return hello{}, fmt.Errorf("%w: reading hello: %w", ErrHandshake, err)
	}
	if err := checkPreamble(b[:]); err != nil {
		return hello{}, err
	}
	h := hello{
		kind: b[6],
		from: binary.BigEndian.Uint64(b[8:]),
		to:   binary.BigEndian.Uint64(b[16:]),
		inc:  binary.BigEndian.Uint64(b[24:]),
	}
	a, z := binary.BigEndian.Uint64(b[32:]), binary.BigEndian.Uint64(b[40:])
	switch h.kind {
	case kindConnect:
		if z != 0 {
			return hello{}, fmt.Errorf("%w: nonzero reserved word", ErrHandshake)
		}
		h.gen = a
	case kindCallMe:
		h.seenInc, h.seenGen = a, z
	default:
		return hello{}, fmt.Errorf("%w: kind %d", ErrHandshake, h.kind)
	}
	if h.inc == 0 {
		return hello{}, fmt.Errorf("%w: zero incarnation", ErrHandshake)
	}
	return h, nil
}

func (r reply) encode() []byte {
	b := make([]byte, replySize)
	copy(b, magic[:])
	binary.BigEndian.PutUint16(b[4:], version)
	b[6] = r.status
	binary.BigEndian.PutUint64(b[8:], r.inc)
	return b
}

// readReply reads a reply and checks it has the status the dialer expects.
func readReply(r io.Reader, want uint8) (reply, error) {
	var b [replySize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return reply{}, fmt.Errorf("%w: reading reply: %w", ErrHandshake, err)
	}
	if err := checkPreamble(b[:]); err != nil {
		return reply{}, err
	}
	rep := reply{status: b[6], inc: binary.BigEndian.Uint64(b[8:])}
	if rep.status != want {
		return reply{}, fmt.Errorf("%w: reply status %d, want %d", ErrHandshake, rep.status, want)
	}
	if rep.inc == 0 {
		return reply{}, fmt.Errorf("%w: zero incarnation in reply", ErrHandshake)
	}
	return rep, nil
}
