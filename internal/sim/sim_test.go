package sim

import (
	"flag"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	flagSeeds  = flag.Int("sim.seeds", 1000, "how many seeds TestSimSeeds runs")
	flagFirst  = flag.Uint64("sim.first", 1, "the first seed TestSimSeeds runs")
	flagSteps  = flag.Int64("sim.steps", 2000, "steps of faults per seed, before the quiet phase")
	flagSeed   = flag.Uint64("sim.seed", 0, "replay this one seed (with -sim.steps as it ran)")
	flagTrace  = flag.Bool("sim.trace", false, "print the whole trace of each seed run (use with -sim.seed)")
	flagShared = flag.Bool("sim.shared", false, "run every seed with one long-lived zab connection per pair of peers (Options.SharedConns)")
	flagNoPE   = flag.Bool("sim.nopeerepoch", false, "run every seed with a host that never calls election.SetPeerEpoch (Options.SkipPeerEpoch)")
)

// replayCommand is the one command that replays a seed exactly.
func replayCommand(seed uint64, steps int64) string {
	shared := ""
	if *flagShared {
		shared += " -sim.shared"
	}
	if *flagNoPE {
		shared += " -sim.nopeerepoch"
	}
	return fmt.Sprintf("go test ./internal/sim -run 'TestSimSeeds$' -sim.seed=%d -sim.steps=%d%s -sim.trace -v", seed, steps, shared)
}

// TestSimSeeds runs many seeded ensembles under random faults, checking
// every invariant at every step and liveness once the faults stop. A
// failure prints the command that replays it and the end of its trace.
func TestSimSeeds(t *testing.T) {
	seeds := make([]uint64, 0, *flagSeeds)
	if *flagSeed != 0 {
		seeds = append(seeds, *flagSeed)
	} else {
		for i := range *flagSeeds {
			seeds = append(seeds, *flagFirst+uint64(i))
		}
	}
	steps := *flagSteps
	var acked, committed, epochs, crashes, worst atomic.Int64
	t.Run("seeds", func(t *testing.T) {
		for _, seed := range seeds {
			t.Run(fmt.Sprint(seed), func(t *testing.T) {
				t.Parallel()
				opt := RandomOptions(seed)
				opt.SharedConns = *flagShared
				opt.SkipPeerEpoch = *flagNoPE
				if *flagTrace {
					opt.TraceLen = 1 << 20
				}
				c, res, err := Run(opt, steps)
				if *flagTrace && c != nil {
					var b strings.Builder
					c.Trace().Dump(&b)
					t.Log("\n" + b.String())
				}
				if err != nil {
					tail := ""
					if c != nil && !*flagTrace {
						ev := c.Trace().Events()
						tail = strings.Join(ev[max(0, len(ev)-150):], "\n")
					}
					t.Fatalf("%v\n%s\nreplay: %s\n%s", err, opt, replayCommand(seed, steps), tail)
				}
				acked.Add(int64(res.Acked))
				committed.Add(int64(res.Committed))
				epochs.Add(int64(res.Epochs))
				crashes.Add(int64(res.Crashes))
				for w := worst.Load(); res.RecoverTicks > w && !worst.CompareAndSwap(w, res.RecoverTicks); w = worst.Load() {
				}
			})
		}
	})
	t.Logf("%d seeds × %d steps: %d txns committed, %d client writes acknowledged, %d epochs established, %d restarts; slowest recovery %d ticks",
		len(seeds), steps, committed.Load(), acked.Load(), epochs.Load(), crashes.Load(), worst.Load())
}

// TestSeedReplaysExactly shows that a run is a pure function of its
// options: the same seed gives the same trace, event for event, which is
// what makes a printed replay command worth running.
func TestSeedReplaysExactly(t *testing.T) {
	for _, seed := range []uint64{3, 77, 1 << 33} {
		var traces [2][]string
		for i := range traces {
			opt := RandomOptions(seed)
			opt.TraceLen = 1 << 20
			c, _, err := Run(opt, 800)
			require.NoError(t, err)
			traces[i] = c.Trace().Events()
		}
		require.Greater(t, len(traces[0]), 100)
		require.Equal(t, traces[0], traces[1], "seed %d", seed)
	}
}
