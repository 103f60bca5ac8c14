package mem_test

import (
	"testing"

	"github.com/ensemble-go/ensemble/transport"
	"github.com/ensemble-go/ensemble/transport/mem"
	"github.com/ensemble-go/ensemble/transport/transporttest"
	"github.com/stretchr/testify/require"
)

type harness struct{ n *mem.Network }

func (h harness) Start(t testing.TB, id uint64) transport.Transport { return h.n.Endpoint(id) }

func TestConformance(t *testing.T) {
	transporttest.Run(t, func(t *testing.T, ids []uint64) transporttest.Harness {
		return harness{newNetwork(t, mem.Options{IDs: ids})}
	})
}

// newNetwork makes a network that, at cleanup, is closed and checked to
// have stopped all its goroutines.
func newNetwork(t *testing.T, opts mem.Options) *mem.Network {
	n := mem.NewNetwork(opts)
	t.Cleanup(func() {
		require.NoError(t, n.Close())
		require.Zero(t, mem.LiveGoroutines(n), "goroutines left after Close")
	})
	return n
}
