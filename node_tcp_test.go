package ensemble

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// TestTCPEnsembleServesThroughEveryPeerRestart runs three peers over
// transport/tcp on 127.0.0.1 and kills and restarts each in turn while a
// writer keeps writing through the others. Every write that was
// acknowledged must be on every peer at the end.
func TestTCPEnsembleServesThroughEveryPeerRestart(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, useTCP)
	cl.waitReady(ctx)

	var (
		mu    sync.Mutex
		acked []string
	)
	for round, victim := range []uint64{1, 2, 3, 1, 2, 3} {
		// A writer on a peer that stays up.
		var writerNode *Node
		for id, n := range cl.nodes {
			if id != victim {
				writerNode = n
				break
			}
		}
		c, err := writerNode.NewClient(ctx, ClientOptions{})
		require.NoError(t, err)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := fmt.Sprintf("/r%d-%d", round, i)
				wctx, cancel := context.WithTimeout(ctx, 40*testTick)
				_, err := c.Create(wctx, p, nil, znode.Persistent, nil)
				cancel()
				if err == nil {
					mu.Lock()
					acked = append(acked, p)
					mu.Unlock()
				} else {
					time.Sleep(testTick / 5)
				}
			}
		}()
		time.Sleep(5 * testTick)
		cl.stop(victim)
		time.Sleep(10 * testTick)
		cl.start(victim)
		cl.waitReady(ctx)
		time.Sleep(5 * testTick)
		close(stop)
		wg.Wait()
		c.Close()
	}

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d acknowledged writes", len(acked))
	requireAllHave(t, ctx, cl, acked)
}
