package wire

import (
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Defaults, as in Apache ZooKeeper where it has one.
const (
	DefaultMaxBuffer        = 0xfffff          // jute.maxbuffer
	DefaultMaxClientCnxns   = 60               // maxClientCnxns
	DefaultTickTime         = 2 * time.Second  // tickTime
	DefaultHandshakeTimeout = 10 * time.Second // zookeeper.nio.sessionlessCnxnTimeout
	DefaultMaxOutstanding   = 1000             // globalOutstandingLimit, here per connection
	DefaultMaxQueuedEvents  = 100000           // events waiting for a slow client
	DefaultVersion          = "3.8.0-ensemble"
)

// Config configures a Server. The zero value of a field means its default.
type Config struct {
	// MaxBuffer is the largest request frame in bytes (jute.maxbuffer);
	// a larger or negative length closes the connection.
	MaxBuffer int
	// MaxClientCnxns limits concurrent connections from one IP address
	// (default 60; negative means unlimited, ZooKeeper's 0).
	MaxClientCnxns int
	// TickTime is the server's tick (default 2s); the session timeout
	// bounds default to 2 and 20 ticks.
	TickTime time.Duration
	// MinSessionTimeout and MaxSessionTimeout clamp the timeout a client
	// asks for.
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	// FourLetterWords is the 4lw.commands.whitelist: the words answered
	// (default: srvr only); "*" allows every word. Other words get
	// ZooKeeper's "is not executed because it is not in the whitelist".
	FourLetterWords []string
	// SuperDigest is "super:<base64 sha1>": a client whose digest
	// credential matches it also gets the identity super (ZooKeeper's
	// zookeeper.DigestAuthenticationProvider.superDigest).
	SuperDigest string
	// HandshakeTimeout is how long a new connection may take to send its
	// ConnectRequest or four-letter word (default 10s).
	HandshakeTimeout time.Duration
	// MaxOutstanding is how many requests one connection may have in
	// flight before the server stops reading from it (default 1000).
	MaxOutstanding int
	// MaxQueuedEvents is how many watch events may wait for a client that
	// does not read; past it the connection is closed (default 100000).
	MaxQueuedEvents int
	// Version is the version srvr, stat, mntr and envi print (default
	// "3.8.0-ensemble"). It must match [A-Za-z0-9.-]+ so that parsers of
	// ZooKeeper's srvr header accept it.
	Version string
	// Logger receives one line per connection closed for a bad reason;
	// nil means silent.
	Logger hclog.Logger
}

// withDefaults returns a copy of c with defaults filled in; the caller's
// Config is not changed.
func (c Config) withDefaults() Config {
	if c.MaxBuffer == 0 {
		c.MaxBuffer = DefaultMaxBuffer
	}
	if c.MaxClientCnxns == 0 {
		c.MaxClientCnxns = DefaultMaxClientCnxns
	}
	if c.TickTime == 0 {
		c.TickTime = DefaultTickTime
	}
	if c.MinSessionTimeout == 0 {
		c.MinSessionTimeout = 2 * c.TickTime
	}
	if c.MaxSessionTimeout == 0 {
		c.MaxSessionTimeout = 20 * c.TickTime
	}
	if c.FourLetterWords == nil {
		c.FourLetterWords = []string{"srvr"}
	}
	c.FourLetterWords = slices.Clone(c.FourLetterWords)
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.MaxOutstanding == 0 {
		c.MaxOutstanding = DefaultMaxOutstanding
	}
	if c.MaxQueuedEvents == 0 {
		c.MaxQueuedEvents = DefaultMaxQueuedEvents
	}
	if c.Version == "" {
		c.Version = DefaultVersion
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	return c
}

// validate reports the first setting that cannot work.
func (c Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, fmt.Sprintf(format, args...))
	}
	switch {
	case c.MaxBuffer < 1024:
		return bad("MaxBuffer", "must be at least 1024 bytes, got %d", c.MaxBuffer)
	case c.TickTime < time.Millisecond:
		return bad("TickTime", "must be at least 1ms, got %v", c.TickTime)
	case c.MinSessionTimeout < time.Millisecond:
		return bad("MinSessionTimeout", "must be at least 1ms, got %v", c.MinSessionTimeout)
	case c.MinSessionTimeout > c.MaxSessionTimeout:
		return bad("MinSessionTimeout", "%v is above MaxSessionTimeout %v", c.MinSessionTimeout, c.MaxSessionTimeout)
	case c.MaxSessionTimeout.Milliseconds() > 1<<31-1:
		return bad("MaxSessionTimeout", "%v does not fit in a 32-bit millisecond count", c.MaxSessionTimeout)
	case c.HandshakeTimeout < 0:
		return bad("HandshakeTimeout", "must not be negative, got %v", c.HandshakeTimeout)
	case c.MaxOutstanding < 1:
		return bad("MaxOutstanding", "must be at least 1, got %d", c.MaxOutstanding)
	case c.MaxQueuedEvents < 1:
		return bad("MaxQueuedEvents", "must be at least 1, got %d", c.MaxQueuedEvents)
	case !validVersion(c.Version):
		return bad("Version", "must match [A-Za-z0-9.-]+, got %q", c.Version)
	}
	for _, w := range c.FourLetterWords {
		if w != "*" && !knownWord(w) {
			return bad("FourLetterWords", "unknown word %q", w)
		}
	}
	return nil
}

func validVersion(v string) bool {
	if v == "" {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// clampTimeout applies the session timeout bounds to a requested timeout
// in milliseconds, as ZooKeeperServer.processConnectRequest does.
func (c Config) clampTimeout(ms int32) int32 {
	lo, hi := int32(c.MinSessionTimeout.Milliseconds()), int32(c.MaxSessionTimeout.Milliseconds())
	return min(max(ms, lo), hi)
}
