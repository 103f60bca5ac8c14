package zab

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type nopSnapshots struct{}

func (nopSnapshots) Snapshot() (int64, []byte, error) { return 0, nil, nil }

func validConfig(t *testing.T) Config {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	return Config{ID: 1, Quorum: q, Peers: []uint64{1, 2, 3, 4}, InitLimit: 10, SyncLimit: 5, PingInterval: 2,
		Log: &memLog{}, Snapshots: nopSnapshots{}}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"zero id", func(c *Config) { c.ID = 0 }},
		{"no quorum", func(c *Config) { c.Quorum = nil }},
		{"no log", func(c *Config) { c.Log = nil }},
		{"no snapshots", func(c *Config) { c.Snapshots = nil }},
		{"init limit 0", func(c *Config) { c.InitLimit = 0 }},
		{"ping interval 0", func(c *Config) { c.PingInterval = 0 }},
		{"sync limit not above ping interval", func(c *Config) { c.SyncLimit = 2 }},
		{"negative max diff", func(c *Config) { c.MaxDiff = -1 }},
		{"id not in peers", func(c *Config) { c.Peers = []uint64{2, 3} }},
		{"peer 0", func(c *Config) { c.Peers = []uint64{1, 2, 3, 0} }},
		{"peer twice", func(c *Config) { c.Peers = []uint64{1, 2, 3, 2} }},
		{"voter not in peers", func(c *Config) { c.Peers = []uint64{1, 2} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig(t)
			tt.change(&cfg)
			_, err := New(cfg, Durable{})
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
	z, err := New(validConfig(t), Durable{})
	require.NoError(t, err)
	assert.Equal(t, Looking, z.Role())
	assert.Equal(t, DefaultMaxDiff, z.maxDiff)
}

func TestNewDoesNotChangeTheCallersConfig(t *testing.T) {
	cfg := validConfig(t)
	peers := cfg.Peers
	z, err := New(cfg, Durable{})
	require.NoError(t, err)
	peers[0] = 99
	assert.True(t, z.isPeer(1), "the core keeps its own copy of Peers")
}

func TestNewRejectsInconsistentDurableState(t *testing.T) {
	log := func(zs ...int64) *memLog {
		l := &memLog{}
		for _, z := range zs {
			l.recs = append(l.recs, Entry{Zxid: z})
		}
		return l
	}
	tests := []struct {
		name string
		log  *memLog
		d    Durable
		ok   bool
	}{
		{"empty", log(), Durable{}, true},
		{"log and epochs", log(MakeZxid(1, 1), MakeZxid(1, 2)), Durable{AcceptedEpoch: 2, CurrentEpoch: 1}, true},
		{"snapshot inside the log", log(MakeZxid(1, 1), MakeZxid(1, 2)), Durable{AcceptedEpoch: 1, CurrentEpoch: 1, Applied: MakeZxid(1, 1)}, true},
		{"log right after the snapshot", log(MakeZxid(1, 3)), Durable{AcceptedEpoch: 1, CurrentEpoch: 1, Applied: MakeZxid(1, 2)}, true},
		{"snapshot only", log(), Durable{AcceptedEpoch: 1, Applied: MakeZxid(1, 5)}, true},
		{"current above accepted", log(), Durable{AcceptedEpoch: 1, CurrentEpoch: 2}, false},
		{"negative", log(), Durable{Applied: -1}, false},
		{"log beyond accepted epoch", log(MakeZxid(3, 1)), Durable{AcceptedEpoch: 2, CurrentEpoch: 2}, false},
		{"log ends before applied", log(MakeZxid(1, 1)), Durable{AcceptedEpoch: 1, Applied: MakeZxid(1, 2)}, false},
		{"hole after applied", log(MakeZxid(1, 5)), Durable{AcceptedEpoch: 1, Applied: MakeZxid(1, 2)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig(t)
			cfg.Log = tt.log
			_, err := New(cfg, tt.d)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrInconsistentState)
			}
		})
	}
}

func TestFollows(t *testing.T) {
	tests := []struct {
		prev, next int64
		want       bool
	}{
		{0, MakeZxid(1, 1), true},
		{MakeZxid(1, 1), MakeZxid(1, 2), true},
		{MakeZxid(1, 5), MakeZxid(3, 1), true},
		{MakeZxid(1, 1), MakeZxid(1, 3), false}, // a hole (ZOOKEEPER-4925)
		{MakeZxid(1, 5), MakeZxid(2, 2), false}, // an epoch must start at 1
		{MakeZxid(2, 1), MakeZxid(1, 2), false}, // backwards
		{MakeZxid(1, 1), MakeZxid(1, 1), false},
		{MakeZxid(1, 0xffffffff), MakeZxid(2, 0), false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, follows(tt.prev, tt.next), "%s then %s", zx(tt.prev), zx(tt.next))
	}
	assert.Equal(t, int64(3), EpochOf(MakeZxid(3, 9)))
	assert.Equal(t, uint32(9), CounterOf(MakeZxid(3, 9)))
	assert.Equal(t, uint32(0xfffffffe), CounterOf(MakeZxid(1, 0xfffffffe)))
}
