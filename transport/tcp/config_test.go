package tcp_test

import (
	"context"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/transport/tcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidation(t *testing.T) {
	peers := map[uint64]string{1: "127.0.0.1:0", 2: "127.0.0.1:1"}
	tests := []struct {
		name  string
		cfg   tcp.Config
		field string // named in the error; empty means valid
	}{
		{"defaults", tcp.Config{ID: 1, Peers: peers}, ""},
		{"no listen address", tcp.Config{ID: 3, Peers: peers}, "Listen"},
		{"empty peer address", tcp.Config{ID: 1, Peers: map[uint64]string{1: "127.0.0.1:0", 2: ""}}, "Peers[2]"},
		{"negative max frame", tcp.Config{ID: 1, Peers: peers, MaxFrame: -1}, "MaxFrame"},
		{"max frame over 2^31-1", tcp.Config{ID: 1, Peers: peers, MaxFrame: 1 << 31}, "MaxFrame"},
		{"negative queue", tcp.Config{ID: 1, Peers: peers, QueueSize: -1}, "QueueSize"},
		{"negative buffer", tcp.Config{ID: 1, Peers: peers, EventBuffer: -1}, "EventBuffer"},
		{"negative timeout", tcp.Config{ID: 1, Peers: peers, DialTimeout: -time.Second}, "DialTimeout"},
		{"backoff inverted", tcp.Config{ID: 1, Peers: peers, BackoffMin: time.Second, BackoffMax: time.Millisecond}, "BackoffMin"},
		{"heartbeat not under timeout", tcp.Config{ID: 1, Peers: peers, Heartbeat: time.Second, Timeout: time.Second}, "Heartbeat"},
		{"bad listen address", tcp.Config{ID: 1, Peers: peers, Listen: "not an address"}, "listening"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(tc.cfg.Peers)
			tr, err := tcp.New(context.Background(), tc.cfg)
			assert.Equal(t, before, len(tc.cfg.Peers), "the caller's config was changed")
			if tc.field == "" {
				require.NoError(t, err)
				require.NoError(t, tr.Close())
				return
			}
			require.Error(t, err)
			if tc.field != "listening" {
				assert.ErrorIs(t, err, tcp.ErrConfig)
			}
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}
