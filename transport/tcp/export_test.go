package tcp

// LiveGoroutines reports how many goroutines t is running; zero after Close.
func LiveGoroutines(t *Transport) int64 { return t.live.Load() }

// Handshake encoding, for tests that play a peer by hand.
const (
	HelloSize      = helloSize
	ReplySize      = replySize
	KindConnect    = kindConnect
	KindCallMe     = kindCallMe
	StatusAccepted = statusAccepted
	StatusWillDial = statusWillDial
)

// Hello encodes a hello as a peer would send it.
func Hello(kind uint8, from, to, inc, gen uint64) []byte {
	h := hello{kind: kind, from: from, to: to, inc: inc}
	if kind == kindConnect {
		h.gen = gen
	}
	return h.encode()
}

// Reply encodes a reply as an acceptor would send it.
func Reply(status uint8, inc uint64) []byte { return reply{status: status, inc: inc}.encode() }
