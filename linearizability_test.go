package ensemble

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// registerInput is one operation on a register (a znode's data).
type registerInput struct {
	key   string
	write bool
	value string
}

// registerModel is a set of registers, one per znode, partitioned by key:
// a write sets the data, a read (sync then getData) returns it.
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		for _, op := range history {
			k := op.Input.(registerInput).key
			byKey[k] = append(byKey[k], op)
		}
		var out [][]porcupine.Operation
		for _, ops := range byKey {
			out = append(out, ops)
		}
		return out
	},
	Init: func() interface{} { return "" },
	Step: func(state, input, output interface{}) (bool, interface{}) {
		in := input.(registerInput)
		if in.write {
			return true, in.value
		}
		return output.(string) == state.(string), state
	},
	DescribeOperation: func(input, output interface{}) string {
		in := input.(registerInput)
		if in.write {
			return fmt.Sprintf("set(%s, %q)", in.key, in.value)
		}
		return fmt.Sprintf("get(%s) -> %q", in.key, output)
	},
}

// safeCluster serializes a testCluster's membership changes against the
// workers that pick peers from it.
type safeCluster struct {
	mu sync.Mutex
	cl *testCluster
}

func (s *safeCluster) randomNode(r *rand.Rand) *Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var nodes []*Node
	for _, n := range s.cl.nodes {
		nodes = append(nodes, n)
	}
	if len(nodes) == 0 {
		return nil
	}
	return nodes[r.IntN(len(nodes))]
}

// TestLinearizableUnderFaults runs writes and sync-then-reads from several
// sessions on every peer while the leader is killed and restarted and
// peers are partitioned, and checks the history with porcupine. A write
// whose outcome the client never learned counts as possibly applied, at
// any time after it was sent.
func TestLinearizableUnderFaults(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, nil)
	cl.waitReady(ctx)
	sc := &safeCluster{cl: cl}
	keys := []string{"/lin0", "/lin1", "/lin2"}
	{
		c, err := cl.leader(ctx).NewClient(ctx, ClientOptions{})
		require.NoError(t, err)
		for _, k := range keys {
			_, err := c.Create(ctx, k, nil, znode.Persistent, nil)
			require.NoError(t, err)
		}
		require.NoError(t, c.Close())
	}

	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	const workers = 4
	runFor := 3 * time.Second
	var (
		mu      sync.Mutex
		history []porcupine.Operation
		wg      sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			var c *Client
			seq := 0
			for {
				select {
				case <-stop:
					if c != nil {
						c.Close()
					}
					return
				default:
				}
				if c == nil {
					if c = openSession(ctx, func() *Node { return sc.randomNode(r) }); c == nil {
						continue
					}
				}
				key := keys[r.IntN(len(keys))]
				opCtx, cancel := context.WithTimeout(ctx, 30*testTick)
				if r.IntN(10) < 6 {
					seq++
					in := registerInput{key: key, write: true, value: fmt.Sprintf("w%d-%d", w, seq)}
					call := now()
					_, err := c.Set(opCtx, key, []byte(in.value), -1)
					ret := now()
					if err != nil {
						ret = math.MaxInt64 // may have happened, at any time after call
					}
					mu.Lock()
					history = append(history, porcupine.Operation{ClientId: w, Input: in, Call: call, Output: "", Return: ret})
					mu.Unlock()
					if err != nil {
						c.Close()
						c = nil
					}
				} else {
					in := registerInput{key: key}
					call := now()
					err := c.Sync(opCtx, key)
					var data []byte
					if err == nil {
						data, _, err = c.Get(opCtx, key)
					}
					ret := now()
					if err == nil {
						mu.Lock()
						history = append(history, porcupine.Operation{ClientId: w, Input: in, Call: call, Output: string(data), Return: ret})
						mu.Unlock()
					} else {
						c.Close()
						c = nil
					}
				}
				cancel()
			}
		}(w)
	}

	// Faults: kill and restart the leader, isolate a peer, heal.
	r := rand.New(rand.NewPCG(42, 42))
	deadline := time.Now().Add(runFor)
	for time.Now().Before(deadline) {
		time.Sleep(time.Duration(4+r.IntN(4)) * testTick)
		sc.mu.Lock()
		switch r.IntN(3) {
		case 0:
			var leader uint64
			for id, n := range cl.nodes {
				if n.IsLeader() {
					leader = id
				}
			}
			if leader != 0 && len(cl.nodes) == 3 {
				cl.stop(leader)
				sc.mu.Unlock()
				time.Sleep(time.Duration(2+r.IntN(6)) * testTick)
				sc.mu.Lock()
				cl.start(leader)
			}
		case 1:
			victim := uint64(1 + r.IntN(3))
			cl.quorum.Isolate(victim)
			cl.election.Isolate(victim)
			sc.mu.Unlock()
			time.Sleep(time.Duration(3+r.IntN(6)) * testTick)
			sc.mu.Lock()
			cl.quorum.Heal(victim)
			cl.election.Heal(victim)
		default:
		}
		sc.mu.Unlock()
	}
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	completed := 0
	for _, op := range history {
		if op.Return != math.MaxInt64 {
			completed++
		}
	}
	t.Logf("%d operations, %d with a known outcome", len(history), completed)
	require.Greater(t, completed, 50, "too few operations completed to say anything")
	res := porcupine.CheckOperationsTimeout(registerModel, history, 60*time.Second)
	require.Equal(t, porcupine.Ok, res, "the history is not linearizable")
}
