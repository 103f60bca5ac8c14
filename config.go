package ensemble

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/wal"
)

// ErrInvalidConfig is matched (errors.Is) by every error Validate and
// ParseZooCfg return for a configuration that cannot run.
var ErrInvalidConfig = errors.New("ensemble: invalid config")

// ConfigError names the setting that is wrong and what is wrong with it.
type ConfigError struct {
	Field   string // the Config field, or the zoo.cfg key when parsing
	Problem string
}

// Error names the setting and the problem.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("ensemble: config %s: %s", e.Field, e.Problem)
}

// Is makes every ConfigError match ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Peer is one server of the ensemble, as a zoo.cfg line
// server.N=host:quorumPort:electionPort[:observer][;clientAddr] describes it.
type Peer struct {
	ID           uint64
	QuorumAddr   string // host:port followers use to reach the leader
	ElectionAddr string // host:port for leader election
	Observer     bool   // observers learn every write but never vote
	ClientAddr   string // optional: where its clients connect, for /zookeeper/config
}

// Config is everything a Node needs. The zero value of a field means its
// default, as listed on the field; DefaultConfig spells them out.
type Config struct {
	// ID is this peer's server id (zoo.cfg's myid), from 1 to 254. It must
	// be one of Peers; a standalone peer (no Peers) defaults to 1.
	ID uint64
	// Peers is the whole ensemble, this peer included. Empty means a
	// standalone peer: an ensemble of one.
	Peers []Peer

	// DataDir holds snapshots and epochs; DataLogDir the txn log
	// (default: DataDir). Put the log on its own disk for low latency.
	DataDir    string
	DataLogDir string

	// TickTime is the basic time unit (default 2s). Session timeouts,
	// election and sync limits are counted in ticks.
	TickTime time.Duration
	// InitLimit is how many ticks a follower may take to connect and sync
	// to a leader (default 10).
	InitLimit int
	// SyncLimit is how many ticks a follower may lag or stay silent before
	// it is dropped (default 5).
	SyncLimit int

	// SnapCount is the number of txns between snapshots (default 100000),
	// randomized per peer between SnapCount/2+1 and SnapCount like
	// ZooKeeper, so peers do not all snapshot at once.
	SnapCount int
	// SnapRetainCount is how many snapshots autopurge keeps (default 3,
	// minimum 3). PurgeInterval is how often it runs; 0 disables it.
	SnapRetainCount int
	PurgeInterval   time.Duration

	// ClientAddr, when set, is where this peer serves the ZooKeeper client
	// protocol (zoo.cfg's clientPortAddress:clientPort).
	ClientAddr string
	// SecureClientAddr, when set with ClientTLS, serves the client protocol
	// over TLS (zoo.cfg's secureClientPort).
	SecureClientAddr string
	ClientTLS        *tls.Config
	// MaxClientCnxns limits concurrent connections per client IP (default
	// 60; negative means unlimited, ZooKeeper's 0).
	MaxClientCnxns int
	// MinSessionTimeout and MaxSessionTimeout clamp the timeouts clients ask
	// for (defaults 2 and 20 ticks).
	MinSessionTimeout time.Duration
	MaxSessionTimeout time.Duration
	// FourLetterWords lists the four-letter words the client port answers
	// (zoo.cfg's 4lw.commands.whitelist; default: srvr). "*" allows all.
	FourLetterWords []string

	// QuorumTLS, when set, secures peer-to-peer traffic (mutual TLS).
	QuorumTLS *tls.Config

	// ContainerCheckInterval is how often the leader looks for empty
	// containers and expired TTL nodes (default 60s), deleting at most
	// ContainerMaxPerMinute per minute (default 10000).
	ContainerCheckInterval time.Duration
	ContainerMaxPerMinute  int
	// SuperDigest is "super:<base64 sha1>", an identity that passes every
	// ACL check (zookeeper.DigestAuthenticationProvider.superDigest).
	SuperDigest string
	// ExtendedTypes enables TTL nodes (zookeeper.extendedTypesEnabled).
	ExtendedTypes bool
	// MaxBuffer is the largest request or znode payload in bytes
	// (jute.maxbuffer; default 1048575).
	MaxBuffer int

	// Logger receives the Node's logs; nil means silent.
	Logger hclog.Logger

	// LogSegmentSize is the size txn log segments are preallocated to
	// (zoo.cfg's preAllocSize, there in KiB; default 64 MiB).
	LogSegmentSize int64

	// FS is the filesystem the txn log and snapshots live on; nil means
	// the operating system's. Tests inject crashes and faults through it
	// (package wal/faultfs).
	FS wal.FS
	// Transport, when set, opens this peer's two peer channels, election
	// and quorum, instead of TCP on the Peers' addresses: transport/mem for
	// tests, or a transport of your own.
	Transport func(id uint64) (election, quorum transport.Transport, err error)

	// maxDiff, when set, is how many txns behind a learner may be and
	// still get a DIFF rather than a SNAP (zab.Config.MaxDiff); tests use
	// it to exercise SNAP sync without millions of txns.
	maxDiff int
}

// Defaults, as in Apache ZooKeeper.
const (
	DefaultTickTime               = 2 * time.Second
	DefaultInitLimit              = 10
	DefaultSyncLimit              = 5
	DefaultSnapCount              = 100000
	DefaultSnapRetainCount        = 3
	DefaultMaxClientCnxns         = 60
	DefaultContainerCheckInterval = time.Minute
	DefaultContainerMaxPerMinute  = 10000
	DefaultMaxBuffer              = 0xfffff
)

// DefaultConfig returns a standalone configuration with every default
// spelled out. Set at least DataDir.
func DefaultConfig() Config {
	return Config{
		ID:                     1,
		TickTime:               DefaultTickTime,
		InitLimit:              DefaultInitLimit,
		SyncLimit:              DefaultSyncLimit,
		SnapCount:              DefaultSnapCount,
		SnapRetainCount:        DefaultSnapRetainCount,
		MaxClientCnxns:         DefaultMaxClientCnxns,
		MinSessionTimeout:      2 * DefaultTickTime,
		MaxSessionTimeout:      20 * DefaultTickTime,
		FourLetterWords:        []string{"srvr"},
		ContainerCheckInterval: DefaultContainerCheckInterval,
		ContainerMaxPerMinute:  DefaultContainerMaxPerMinute,
		MaxBuffer:              DefaultMaxBuffer,
	}
}

// withDefaults returns a copy of c with every zero field set to its
// default. The caller's Config is never changed.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ID == 0 && len(c.Peers) == 0 {
		c.ID = d.ID
	}
	if c.TickTime == 0 {
		c.TickTime = d.TickTime
	}
	if c.InitLimit == 0 {
		c.InitLimit = d.InitLimit
	}
	if c.SyncLimit == 0 {
		c.SyncLimit = d.SyncLimit
	}
	if c.SnapCount == 0 {
		c.SnapCount = d.SnapCount
	}
	if c.SnapRetainCount == 0 {
		c.SnapRetainCount = d.SnapRetainCount
	}
	if c.MaxClientCnxns == 0 {
		c.MaxClientCnxns = d.MaxClientCnxns
	}
	if c.MinSessionTimeout == 0 {
		c.MinSessionTimeout = 2 * c.TickTime
	}
	if c.MaxSessionTimeout == 0 {
		c.MaxSessionTimeout = 20 * c.TickTime
	}
	if c.FourLetterWords == nil {
		c.FourLetterWords = d.FourLetterWords
	}
	if c.ContainerCheckInterval == 0 {
		c.ContainerCheckInterval = d.ContainerCheckInterval
	}
	if c.ContainerMaxPerMinute == 0 {
		c.ContainerMaxPerMinute = d.ContainerMaxPerMinute
	}
	if c.MaxBuffer == 0 {
		c.MaxBuffer = d.MaxBuffer
	}
	if c.DataLogDir == "" {
		c.DataLogDir = c.DataDir
	}
	if c.Logger == nil {
		c.Logger = hclog.NewNullLogger()
	}
	c.Peers = slices.Clone(c.Peers)
	c.FourLetterWords = slices.Clone(c.FourLetterWords)
	return c
}

// Validate reports the first problem that would stop a Node from running
// with c, after defaults are applied, as a *ConfigError matching
// ErrInvalidConfig. It does not change c.
func (c Config) Validate() error {
	_, err := c.validated()
	return err
}

// validated applies defaults and checks every rule, field by field and
// across fields.
func (c Config) validated() (Config, error) {
	c = c.withDefaults()
	bad := func(field, format string, args ...any) (Config, error) {
		return Config{}, &ConfigError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if c.DataDir == "" {
		return bad("DataDir", "must be set")
	}
	if c.TickTime < time.Millisecond {
		return bad("TickTime", "must be at least 1ms, got %v", c.TickTime)
	}
	if c.InitLimit < 1 {
		return bad("InitLimit", "must be at least 1 tick, got %d", c.InitLimit)
	}
	if c.SyncLimit < 1 {
		return bad("SyncLimit", "must be at least 1 tick, got %d", c.SyncLimit)
	}
	if c.SnapCount < 2 {
		return bad("SnapCount", "must be at least 2, got %d", c.SnapCount)
	}
	if c.SnapRetainCount < 3 {
		return bad("SnapRetainCount", "must be at least 3, got %d", c.SnapRetainCount)
	}
	if c.PurgeInterval < 0 {
		return bad("PurgeInterval", "must not be negative, got %v", c.PurgeInterval)
	}
	if c.MinSessionTimeout > c.MaxSessionTimeout {
		return bad("MinSessionTimeout", "%v is above MaxSessionTimeout %v", c.MinSessionTimeout, c.MaxSessionTimeout)
	}
	if c.MinSessionTimeout < c.TickTime {
		return bad("MinSessionTimeout", "%v is below one tick (%v)", c.MinSessionTimeout, c.TickTime)
	}
	if c.MaxBuffer < 1024 {
		return bad("MaxBuffer", "must be at least 1024 bytes, got %d", c.MaxBuffer)
	}
	if c.ContainerCheckInterval < 0 {
		return bad("ContainerCheckInterval", "must not be negative, got %v", c.ContainerCheckInterval)
	}
	if c.ContainerMaxPerMinute < 1 {
		return bad("ContainerMaxPerMinute", "must be at least 1, got %d", c.ContainerMaxPerMinute)
	}
	if c.SuperDigest != "" {
		user, hash, ok := strings.Cut(c.SuperDigest, ":")
		if !ok || user == "" || hash == "" {
			return bad("SuperDigest", "must be user:base64hash, got %q", c.SuperDigest)
		}
	}
	for _, addr := range []struct{ field, addr string }{
		{"ClientAddr", c.ClientAddr}, {"SecureClientAddr", c.SecureClientAddr},
	} {
		if addr.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(addr.addr); err != nil {
			return bad(addr.field, "must be host:port, got %q", addr.addr)
		}
	}
	if c.SecureClientAddr != "" && c.ClientTLS == nil {
		return bad("ClientTLS", "must be set when SecureClientAddr is")
	}
	for _, w := range c.FourLetterWords {
		if len(w) != 4 && w != "*" {
			return bad("FourLetterWords", "%q is not a four-letter word", w)
		}
	}
	if len(c.Peers) == 0 {
		if c.ID < 1 || c.ID > maxServerID {
			return bad("ID", "must be from 1 to %d, got %d", maxServerID, c.ID)
		}
		return c, nil
	}
	return c, c.validatePeers()
}

// validatePeers checks the ensemble membership.
func (c Config) validatePeers() error {
	seen := map[uint64]bool{}
	addrs := map[string]uint64{}
	voters, self := 0, false
	for i, p := range c.Peers {
		field := fmt.Sprintf("Peers[%d]", i)
		if p.ID < 1 || p.ID > maxServerID {
			return &ConfigError{field + ".ID", fmt.Sprintf("must be from 1 to %d (session ids carry it in their top byte, and 255 marks TTL nodes), got %d", maxServerID, p.ID)}
		}
		if seen[p.ID] {
			return &ConfigError{field + ".ID", fmt.Sprintf("server %d listed twice", p.ID)}
		}
		seen[p.ID] = true
		for _, a := range []struct{ name, addr string }{
			{".QuorumAddr", p.QuorumAddr}, {".ElectionAddr", p.ElectionAddr},
		} {
			if _, _, err := net.SplitHostPort(a.addr); err != nil {
				return &ConfigError{field + a.name, fmt.Sprintf("must be host:port, got %q", a.addr)}
			}
			if other, dup := addrs[a.addr]; dup {
				return &ConfigError{field + a.name, fmt.Sprintf("%s is also used by server %d", a.addr, other)}
			}
			addrs[a.addr] = p.ID
		}
		if !p.Observer {
			voters++
		}
		if p.ID == c.ID {
			self = true
		}
	}
	if !self {
		return &ConfigError{"ID", fmt.Sprintf("server %d is not among Peers", c.ID)}
	}
	if voters == 0 {
		return &ConfigError{"Peers", "has no voters (every peer is an observer)"}
	}
	return nil
}

// maxServerID is the largest server id: a session id carries its server's
// id in the top byte, and 0xff there marks a TTL node's owner.
const maxServerID = 254

// fourLetterWords are the words the client port answers. A whitelist may
// name others (ZooKeeper's dirs, hash, ...), as an unchanged zoo.cfg does:
// they are accepted and never answered.
var fourLetterWords = []string{
	"ruok", "srvr", "stat", "mntr", "conf", "cons", "envi", "wchs", "wchc",
	"wchp", "dump", "isro", "crst", "srst",
}

// voters returns the ids of the voting peers; a standalone peer is its own
// single voter.
func (c Config) voters() []uint64 {
	if len(c.Peers) == 0 {
		return []uint64{c.ID}
	}
	var v []uint64
	for _, p := range c.Peers {
		if !p.Observer {
			v = append(v, p.ID)
		}
	}
	return v
}

// peerIDs returns every peer id, observers included.
func (c Config) peerIDs() []uint64 {
	if len(c.Peers) == 0 {
		return []uint64{c.ID}
	}
	ids := make([]uint64, len(c.Peers))
	for i, p := range c.Peers {
		ids[i] = p.ID
	}
	return ids
}
