package election

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewRejectsBadConfig(t *testing.T) {
	q, err := quorum.NewMajority(1, 2, 3)
	require.NoError(t, err)
	good := Config{ID: 1, Quorum: q, Peers: []uint64{3, 1, 2, 4}, FinalizeWait: 2, ResendInterval: 4}
	tests := []struct {
		name   string
		change func(*Config)
		field  string
	}{
		{"no quorum", func(c *Config) { c.Quorum = nil }, "Quorum"},
		{"id out of range", func(c *Config) { c.ID = NoLeader }, "ID"},
		{"peer out of range", func(c *Config) { c.Peers = append(c.Peers, NoLeader+1) }, "Peers"},
		{"duplicate peer", func(c *Config) { c.Peers = append(c.Peers, 2) }, "Peers"},
		{"id not a peer", func(c *Config) { c.ID = 9 }, "Peers"},
		{"voter not a peer", func(c *Config) { c.Peers = []uint64{1, 2} }, "Peers"},
		{"negative finalize wait", func(c *Config) { c.FinalizeWait = -1 }, "FinalizeWait"},
		{"no resend", func(c *Config) { c.ResendInterval = 0 }, "ResendInterval"},
		{"backoff below base", func(c *Config) { c.MaxResendInterval = 3 }, "MaxResendInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			cfg.Peers = append([]uint64(nil), good.Peers...)
			tt.change(&cfg)
			e, err := New(cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.field)
			assert.Nil(t, e)
		})
	}

	peers := append([]uint64(nil), good.Peers...)
	cfg := good
	cfg.Peers = peers
	e, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, []uint64{3, 1, 2, 4}, peers, "New changed the caller's slice")
	peers[0] = 99 // and does not keep it
	e.Start(1, 1)
	var to []uint64
	for _, m := range e.Ready().Messages {
		to = append(to, m.To)
	}
	assert.Equal(t, []uint64{2, 3}, to, "a voter broadcasts to the other voters")
}
