package tcp

import "errors"

// Errors of the tcp transport. They appear wrapped inside the errors of
// package transport (a bad frame is a transport.ErrConnectionLost whose cause
// is ErrFrameTooLarge, a rejected handshake a transport.ErrUnreachable whose
// cause is ErrHandshake), so errors.Is matches either level.
var (
	// ErrConfig: the Config is invalid; the message names the field.
	ErrConfig = errors.New("tcp: invalid config")
	// ErrFrameTooLarge: a frame's length prefix exceeds Config.MaxFrame.
	ErrFrameTooLarge = errors.New("tcp: frame too large")
	// ErrHandshake: the connection's first bytes were not a valid handshake
	// for this transport (bad magic or version, unknown or wrong peer id,
	// wrong direction, unexpected reply).
	ErrHandshake = errors.New("tcp: bad handshake")
	// ErrBadMagic: the first bytes are not ensemble's transport magic; the
	// other side speaks another protocol. It wraps ErrHandshake.
	ErrBadMagic = wrapErr(ErrHandshake, "bad magic")
	// ErrVersion: the other side speaks another version of this protocol.
	// It wraps ErrHandshake.
	ErrVersion = wrapErr(ErrHandshake, "unsupported protocol version")
)

// wrappedErr is a sentinel that is also its parent, so errors.Is(ErrBadMagic,
// ErrHandshake) holds without fmt's per-call allocation.
type wrappedErr struct {
	parent error
	msg    string
}

func wrapErr(parent error, msg string) error { return &wrappedErr{parent: parent, msg: msg} }

func (e *wrappedErr) Error() string { return e.parent.Error() + ": " + e.msg }
func (e *wrappedErr) Unwrap() error { return e.parent }
