package ensemble

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/ensemble-go/ensemble/wal/faultfs"
	"github.com/ensemble-go/ensemble/znode"
)

// crashPeer cuts the power of peer id: whatever its disk had not synced is
// lost (with a torn last write), and the Node dies on its next disk access.
func (c *testCluster) crashPeer(id uint64, fs *faultfs.FS, rng *rand.Rand) {
	c.t.Helper()
	fs.CrashTorn(rng)
	if n := c.nodes[id]; n != nil {
		n.Close() // reports the disk failure; the peer is down either way
		delete(c.nodes, id)
	}
	fs.Restart()
}

// TestCrashesLoseNoAcknowledgedWrite crashes peers on a fault-injecting
// disk (unsynced writes lost, last write torn) while a writer keeps going:
// one peer at a time, then the whole ensemble at once, the schedule that
// lost committed txns in ZooKeeper (ZOOKEEPER-3911). Every acknowledged
// write must survive, on every peer.
func TestCrashesLoseNoAcknowledgedWrite(t *testing.T) {
	ctx := testContext(t)
	disks := map[uint64]*faultfs.FS{1: faultfs.New(), 2: faultfs.New(), 3: faultfs.New()}
	for _, d := range disks {
		// A disk whose fsync takes a while, as real ones do: it widens the
		// window in which a write is on the disk but not yet durable, which
		// is where acknowledging too early would lose it.
		d.SetFault(func(op faultfs.Op) error {
			if op.Kind == faultfs.OpSync {
				time.Sleep(2 * time.Millisecond)
			}
			return nil
		})
	}
	cl := newTestCluster(t, 3, 0, func(c *Config) {
		c.FS = disks[c.ID]
		c.DataDir = "/data"
		c.SnapCount = 40 // snapshots happen between the crashes too
	})
	cl.waitReady(ctx)
	rng := rand.New(rand.NewSource(1))

	var (
		mu    sync.Mutex
		acked []string
	)
	// Writers keep sessions on random peers and write concurrently, so
	// that at any crash several acknowledged writes are recent.
	write := func(round, w int, stop <-chan struct{}) {
		var c *Client
		defer func() {
			if c != nil {
				c.Close()
			}
		}()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if c == nil {
				if c = openSession(ctx, cl.anyNode); c == nil {
					continue
				}
			}
			cctx, cancel := context.WithTimeout(ctx, 20*testTick)
			p := fmt.Sprintf("/c%d-%d-%d", round, w, i)
			_, err := c.Create(cctx, p, []byte("v"), znode.Persistent, nil)
			cancel()
			if err == nil {
				mu.Lock()
				acked = append(acked, p)
				mu.Unlock()
				continue
			}
			c.Close()
			c = nil
		}
	}

	schedule := [][]uint64{{1}, {2}, {3}, {1, 2, 3}, {2, 3}}
	for round, victims := range schedule {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() { defer wg.Done(); write(round, w, stop) }()
		}
		time.Sleep(6 * testTick)
		cl.mu.Lock()
		for _, id := range victims {
			if len(victims) == 3 {
				disks[id].Crash() // a power cut: nothing unsynced survives
				cl.nodes[id].Close()
				delete(cl.nodes, id)
				disks[id].Restart()
				continue
			}
			cl.crashPeer(id, disks[id], rng)
		}
		cl.mu.Unlock()
		time.Sleep(4 * testTick)
		cl.mu.Lock()
		for _, id := range victims {
			cl.start(id)
		}
		cl.mu.Unlock()
		cl.waitReady(ctx)
		time.Sleep(4 * testTick)
		close(stop)
		wg.Wait()
	}

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d acknowledged writes across %d crash rounds", len(acked), len(schedule))
	requireAllHave(t, ctx, cl, acked)
}
