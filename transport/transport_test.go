package transport_test

import (
	"errors"
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/stretchr/testify/assert"
)

func TestEventStrings(t *testing.T) {
	tests := []struct {
		ev   transport.Event
		want string
	}{
		{transport.Event{Kind: transport.Connected, Peer: 3}, "connected to 3"},
		{transport.Event{Kind: transport.Message, Peer: 3, Payload: []byte("abc")}, "message from 3 (3 bytes)"},
		{transport.Event{Kind: transport.Disconnected, Peer: 3, Err: errors.New("boom")}, "disconnected from 3: boom"},
		{transport.Event{Kind: 9, Peer: 3}, "kind(9) to 3"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.ev.String())
	}
}
