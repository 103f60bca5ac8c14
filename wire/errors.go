package wire

import "errors"

// Errors the Server reports. Connection-level problems are logged, not
// returned: a bad client closes only its own connection.
var (
	// ErrServerClosed is returned by Serve after Close, and is the reason
	// given to connections closed by Close.
	ErrServerClosed = errors.New("wire: server closed")
	// ErrInvalidConfig is matched by NewServer's errors for a Config that
	// cannot work.
	ErrInvalidConfig = errors.New("wire: invalid config")
	// ErrBadFrame is why a connection sending a length below 0 or above
	// MaxBuffer, a truncated or malformed record, or an op that is not
	// allowed where it appears was closed.
	ErrBadFrame = errors.New("wire: bad frame")
	// ErrTooManyConnections is why a connection over MaxClientCnxns was
	// refused.
	ErrTooManyConnections = errors.New("wire: too many connections from one address")
	// ErrSlowClient is why a connection whose client stopped reading was
	// closed (too many queued events, or a write past the deadline).
	ErrSlowClient = errors.New("wire: client not reading")
	// ErrSessionClosed is why a connection was closed after its session
	// was closed by the client.
	ErrSessionClosed = errors.New("wire: session closed")
)
