package sim

import (
	"fmt"

	"github.com/ensemble-go/ensemble/zab"
)

// clients plays the clients for one step: now and then a write with a
// unique payload, or a sync, to a random live peer.
func (c *Cluster) clients() {
	if c.rng.Float64() < c.opt.ProposeRate {
		p := c.peers[c.ids[c.rng.IntN(len(c.ids))]]
		c.nextWrite++
		c.Submit(p.ID, fmt.Sprintf("w%d", c.nextWrite))
	}
	if c.rng.Float64() < c.opt.SyncRate {
		c.SyncAt(c.ids[c.rng.IntN(len(c.ids))])
	}
}

// SyncAt is a client's sync at peer id. Its answer (if any) is checked to
// cover every write committed before now. It reports whether the peer took
// it.
func (c *Cluster) SyncAt(id uint64) bool {
	p := c.peers[id]
	if !p.Up || p.Paused(c.now) || p.role == zab.Looking || c.err != nil {
		return false
	}
	c.nextSync++
	c.syncs[c.nextSync] = c.check.Committed()
	c.log(event{peer: id, what: "sync", n: int64(c.nextSync), zxid: c.check.Committed()})
	p.zab.Sync(c.nextSync)
	c.drive(p)
	c.runDeferred()
	return true
}

// SyncsAnswered is how many syncs were answered (with or without error).
func (c *Cluster) SyncsAnswered() int { return c.syncsDone }

// Submit is a client write to peer id: proposed there if it leads,
// forwarded to its leader if it learns. It reports whether the peer took
// it; the write is acknowledged once that peer applies it.
func (c *Cluster) Submit(id uint64, data string) bool {
	p := c.peers[id]
	if !p.Up || p.Paused(c.now) || c.err != nil {
		return false
	}
	if _, dup := c.payloads[data]; dup {
		c.setErr(fmt.Errorf("sim: payload %q submitted twice", data))
		return false
	}
	ok := false
	switch p.role {
	case zab.Leading:
		ok = c.propose(p, []byte(data))
	case zab.Following, zab.Observing:
		ok = p.zab.Forward([]byte(data)) == nil
	}
	if ok {
		c.payloads[data] = &payload{by: id}
		c.log(event{peer: id, what: "submit", note: data})
	}
	c.drive(p)
	c.runDeferred()
	return ok
}

// propose is the leader taking a write (a client's, or one a learner
// forwarded). A zxid it hands out is proof that it established its epoch.
func (c *Cluster) propose(p *Peer, data []byte) bool {
	z, err := p.zab.Propose(data)
	if err != nil {
		return false
	}
	if err := c.check.Established(p.ID, z>>32); err != nil {
		c.setErr(err)
		return false
	}
	c.log(event{peer: p.ID, what: "propose", zxid: z, note: string(data)})
	return true
}

// Acknowledged returns the payloads clients were told are committed, with
// their zxids.
func (c *Cluster) Acknowledged() map[string]int64 {
	out := map[string]int64{}
	for d, w := range c.payloads {
		if w.acked {
			out[d] = w.zxid
		}
	}
	return out
}
