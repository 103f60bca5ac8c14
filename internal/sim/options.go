package sim

import (
	"fmt"
	"math/rand/v2"
)

// Options shape one simulated run. Zero values take the defaults listed on
// each field; RandomOptions draws a varied set from a seed.
type Options struct {
	Seed      uint64
	Voters    int // default 3
	Observers int

	// Time. A step is the simulation's smallest unit; every peer ticks once
	// every TickEvery steps, each at its own phase.
	TickEvery int64 // default 4
	// ClockDrift lets each peer's clock run up to this many steps per tick
	// faster or slower than TickEvery: timeouts fire at different times on
	// different peers, as they do on real machines.
	ClockDrift int64
	MaxDelay   int64 // a message takes 1..MaxDelay steps (default 3)
	FsyncMax   int64 // an fsync takes 1..FsyncMax steps (default 3)
	// FsyncExact makes every fsync take exactly the disk's latency, for
	// scripts that need to know what is durable when.
	FsyncExact bool

	// The cores' settings, in ticks.
	FinalizeWait   int // default 2
	ResendInterval int // default 4
	InitLimit      int // default 10
	SyncLimit      int // default 5
	PingInterval   int // default 1
	MaxDiff        int // default 50

	// Workload and housekeeping, as chances per step (per peer and tick for
	// snapshots).
	ProposeRate  float64 // a client write (default 0.3)
	SyncRate     float64 // a client sync (default 0.02)
	SnapshotRate float64 // the host snapshots its state machine (default 0.02)
	PurgeKeep    int     // log records kept behind a snapshot when purging; -1 never purges (default 20)

	// Faults: see Faults. The zero value injects none.
	Faults Faults

	TraceLen int // events kept for the failure report (default 400)

	// SharedConns models a transport with one long-lived zab connection per
	// pair of peers, as DESIGN.md sketches transport/tcp, instead of one per
	// role session as ZooKeeper has (a learner connects to its leader; a
	// peer that changes role closes them). With it any peer may open a
	// connection, none waits for a leader to listen, and a role change
	// closes nothing, so messages of an old session reach the new one.
	// Zab as written needs per-session connections (see the package
	// documentation), so RandomOptions leaves this off; -sim.shared turns it
	// on for every seed.
	SharedConns bool

	// SkipPeerEpoch makes the host never call election.SetPeerEpoch, which
	// the election documents as optional. It is not: peers that decided in
	// different rounds then answer a joining peer with votes of different
	// epochs, and it can never decide (-sim.nopeerepoch shows the seeds).
	SkipPeerEpoch bool
}

// Faults says how often each fault strikes while faults are on, as a
// chance per step.
type Faults struct {
	Crash        float64 // crash a peer (restarted later by Restart)
	Restart      float64 // restart a crashed peer
	Torn         float64 // share of crashes that leave a torn last record
	Partition    float64 // split the peers in two
	OneWay       float64 // cut one direction between two peers
	Isolate      float64 // cut the leader off from everyone
	Heal         float64 // heal every cut
	Break        float64 // break one zab connection
	SlowDisk     float64 // make a peer's fsyncs slow until healed
	Pause        float64 // stall a peer's process (the leader half the time) for 10 to 210 steps
	Spike        float64 // make messages slow until healed
	CrashAll     float64 // crash every peer at once, restarting them later
	CrashInSync  float64 // crash a peer just after a sync message reaches it (a tenth of it for ACK, PROPOSAL, COMMIT)
	ElectionLoss float64 // share of election notifications lost
}

func (o *Options) setDefaults() {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defi(&o.Voters, 3)
	def(&o.TickEvery, 4)
	def(&o.MaxDelay, 3)
	def(&o.FsyncMax, 3)
	defi(&o.FinalizeWait, 2)
	defi(&o.ResendInterval, 4)
	defi(&o.InitLimit, 10)
	defi(&o.SyncLimit, 5)
	defi(&o.PingInterval, 1)
	defi(&o.MaxDiff, 50)
	deff(&o.ProposeRate, 0.3)
	deff(&o.SyncRate, 0.02)
	deff(&o.SnapshotRate, 0.02)
	defi(&o.PurgeKeep, 20)
	defi(&o.TraceLen, 400)
}

// RandomOptions draws a run's shape from seed: ensemble size, observers,
// latencies, limits and fault rates all vary, so many seeds cover many
// kinds of ensemble.
func RandomOptions(seed uint64) Options {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	o := Options{Seed: seed}
	o.Voters = []int{3, 3, 5, 5, 1, 3}[r.IntN(6)]
	o.Observers = []int{0, 0, 1, 2}[r.IntN(4)]
	o.TickEvery = 4
	o.MaxDelay = 1 + r.Int64N(4)
	o.FsyncMax = 1 + r.Int64N(6)
	o.FinalizeWait = 1 + r.IntN(3)
	o.ResendInterval = 2 + r.IntN(4)
	o.InitLimit = 8 + r.IntN(8)
	o.SyncLimit = 4 + r.IntN(4)
	o.PingInterval = 1 + r.IntN(2)
	o.MaxDiff = []int{2, 5, 50, 1000}[r.IntN(4)]
	o.ProposeRate = []float64{0.05, 0.2, 0.5}[r.IntN(3)]
	o.SyncRate = 0.02
	o.SnapshotRate = []float64{0.005, 0.02, 0.1}[r.IntN(3)]
	o.PurgeKeep = []int{-1, 0, 3, 20}[r.IntN(4)]
	_ = r.IntN(3) // was SharedConns; still drawn so that seeds keep their shapes
	scale := []float64{0.3, 1, 2}[r.IntN(3)]
	o.Faults = Faults{
		Crash:        0.004 * scale,
		Restart:      0.01,
		Torn:         0.5,
		Partition:    0.002 * scale,
		OneWay:       0.002 * scale,
		Isolate:      0.001 * scale,
		Heal:         0.006,
		Break:        0.003 * scale,
		SlowDisk:     0.001 * scale,
		Pause:        0.002 * scale,
		Spike:        0.001 * scale,
		CrashAll:     0.0003 * scale,
		CrashInSync:  0.05 * scale,
		ElectionLoss: []float64{0, 0.02, 0.1}[r.IntN(3)],
	}
	o.ClockDrift = []int64{0, 1}[r.IntN(2)]
	return o
}

// String summarises the shape of a run for reports.
func (o Options) String() string {
	return fmt.Sprintf("seed %d: %d voters + %d observers, delay ≤%d, fsync ≤%d, maxDiff %d, initLimit %d, syncLimit %d, propose %.2f, snapshot %.3f, purgeKeep %d, sharedConns %v",
		o.Seed, o.Voters, o.Observers, o.MaxDelay, o.FsyncMax, o.MaxDiff, o.InitLimit, o.SyncLimit, o.ProposeRate, o.SnapshotRate, o.PurgeKeep, o.SharedConns)
}
