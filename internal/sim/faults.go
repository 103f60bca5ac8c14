package sim

import (
	"github.com/ensemble-go/ensemble/zab"
)

// Crash stops peer id as a power cut would: its volatile state and its
// messages in flight are gone, its peers see their connections to it
// break, and its disk keeps what was synced plus, by chance, some of what
// was only written (torn says whether the last of those is half written).
func (c *Cluster) Crash(id uint64, keepUnsynced int, torn bool) {
	p := c.peers[id]
	if !p.Up {
		return
	}
	c.log(event{peer: id, what: "CRASH", zxid: p.Disk.DurableZxid(), n: int64(p.Disk.Unsynced()), note: map[bool]string{true: "torn"}[torn]})
	p.Up = false
	p.pausedUntil = 0
	p.el, p.zab = nil, nil
	p.role = zab.Looking
	p.fsyncs = nil
	p.SM = Chain{}
	p.Disk.Crash(keepUnsynced, torn)
	c.net.Crash(id, c.delay())
}

// CrashRandomly crashes id keeping a random part of its unsynced log.
func (c *Cluster) CrashRandomly(id uint64) {
	p := c.peers[id]
	keep := 0
	if u := p.Disk.Unsynced(); u > 0 {
		keep = c.rng.IntN(u + 1)
	}
	c.Crash(id, keep, c.rng.Float64() < c.opt.Faults.Torn)
}

// Restart brings peer id back from its disk: the state machine is its
// snapshot, the log what survived (a torn tail cut), the epochs as stored.
func (c *Cluster) Restart(id uint64) {
	p := c.peers[id]
	if p.Up || c.err != nil {
		return
	}
	cut := p.Disk.Recover()
	p.SM = p.Disk.Snap
	p.incarnation++
	c.log(event{peer: id, what: "RESTART", zxid: p.Disk.LastZxid(), n: int64(cut), note: "snapshot " + p.SM.String()})
	if err := c.check.Reset(id, p.SM, "restart"); err != nil {
		c.setErr(err)
		return
	}
	if err := c.start(p); err != nil {
		c.setErr(err)
	}
	c.runDeferred()
}

// Pause stalls peer id's process for steps steps: it neither ticks nor
// receives, its fsyncs complete only when it resumes, and then it finds the
// world moved on (a long GC pause of a leader is ZooKeeper's classic).
func (c *Cluster) Pause(id uint64, steps int64) {
	p := c.peers[id]
	if !p.Up {
		return
	}
	p.pausedUntil = c.now + steps
	c.log(event{peer: id, what: "PAUSE", n: steps})
}

// Block cuts the direction from → to (see Network).
func (c *Cluster) Block(from, to uint64) {
	c.log(event{peer: from, what: "cut", other: to})
	c.net.Block(from, to, true)
}

// Partition cuts every link between the given group and the rest.
func (c *Cluster) Partition(group ...uint64) {
	in := map[uint64]bool{}
	for _, id := range group {
		in[id] = true
	}
	for _, a := range c.ids {
		for _, b := range c.ids {
			if in[a] != in[b] {
				c.net.Block(a, b, true)
			}
		}
	}
	c.log(event{what: "partition", note: idsString(group)})
}

// Heal removes every cut and every slowness.
func (c *Cluster) Heal() {
	c.net.HealAll()
	c.maxDelay = c.opt.MaxDelay
	for _, id := range c.ids {
		c.peers[id].diskLatency = c.opt.FsyncMax
	}
	c.log(event{what: "heal"})
}

// BreakConn breaks the zab connection a–b; both sides are told.
func (c *Cluster) BreakConn(a, b uint64) {
	c.log(event{peer: a, what: "break", other: b})
	c.net.Break(a, b, true, true, c.delay())
}

// SetDiskLatency makes peer id's fsyncs take up to steps.
func (c *Cluster) SetDiskLatency(id uint64, steps int64) { c.peers[id].diskLatency = max(1, steps) }

// Leader returns the running peer (up, not paused) whose role is Leading,
// if exactly one is; 0 otherwise. Its epoch may not be established yet.
func (c *Cluster) Leader() uint64 {
	var l uint64
	for _, id := range c.ids {
		p := c.peers[id]
		if p.Up && !p.Paused(c.now) && p.role == zab.Leading {
			if l != 0 {
				return 0
			}
			l = id
		}
	}
	return l
}

func idsString(ids []uint64) string {
	b := []byte{'{'}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, byte('0'+id%10))
	}
	return string(append(b, '}'))
}

// injectFaults draws this step's faults.
func (c *Cluster) injectFaults() {
	f := c.opt.Faults
	r := c.rng.Float64
	pick := func() *Peer { return c.peers[c.ids[c.rng.IntN(len(c.ids))]] }
	if r() < f.Crash {
		if p := pick(); p.Up {
			c.CrashRandomly(p.ID)
		}
	}
	if r() < f.Restart {
		if p := pick(); !p.Up {
			c.Restart(p.ID)
		}
	}
	if r() < f.CrashAll {
		for _, id := range c.ids {
			c.CrashRandomly(id)
		}
	}
	if r() < f.Partition {
		var g []uint64
		for _, id := range c.ids {
			if c.rng.IntN(2) == 0 {
				g = append(g, id)
			}
		}
		c.Partition(g...)
	}
	if r() < f.OneWay {
		a, b := pick(), pick()
		if a != b {
			c.Block(a.ID, b.ID)
		}
	}
	if r() < f.Isolate {
		if l := c.Leader(); l != 0 {
			c.Partition(l)
		}
	}
	if r() < f.Heal {
		c.Heal()
	}
	if r() < f.Break {
		a, b := pick(), pick()
		if a != b && c.net.Open(a.ID, b.ID) {
			c.BreakConn(a.ID, b.ID)
		}
	}
	if r() < f.Pause {
		p := pick()
		if l := c.Leader(); l != 0 && c.rng.IntN(2) == 0 {
			p = c.peers[l]
		}
		c.Pause(p.ID, 10+c.rng.Int64N(200))
	}
	if r() < f.SlowDisk {
		p := pick()
		c.SetDiskLatency(p.ID, 10+c.rng.Int64N(80))
		c.log(event{peer: p.ID, what: "slowdisk", n: p.diskLatency})
	}
	if r() < f.Spike {
		c.maxDelay = 5 + c.rng.Int64N(40)
		c.log(event{what: "spike", n: c.maxDelay})
	}
}

// maybeCrashInSync crashes a peer just after it handled a protocol message,
// now and then: the windows ZooKeeper's data-loss bugs lived in (between
// NEWLEADER and its ACK, between a quorum of ACKs and the COMMITs) are too
// narrow for crashes at random steps to hit often. Sync messages get the
// full CrashInSync rate, the busier broadcast messages a tenth of it.
func (c *Cluster) maybeCrashInSync(p *Peer, m zab.Message) {
	if !c.faultsOn || c.opt.Faults.CrashInSync == 0 || !p.Up {
		return
	}
	rate := c.opt.Faults.CrashInSync
	switch m.Type {
	case zab.NewLeader, zab.UpToDate, zab.Diff, zab.Trunc, zab.Snap, zab.LeaderInfo, zab.AckEpoch, zab.FollowerInfo:
	case zab.Ack, zab.Proposal, zab.Commit, zab.Inform:
		rate /= 10
	default:
		return
	}
	if c.rng.Float64() < rate {
		c.log(event{peer: p.ID, what: "crash-on", typ: int32(m.Type), note: zabTypeName(int32(m.Type))})
		c.CrashRandomly(p.ID)
	}
}
