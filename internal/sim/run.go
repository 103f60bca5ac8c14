package sim

import (
	"errors"
	"fmt"

	"github.com/ensemble-go/ensemble/zab"
)

// Result summarises a run that kept every invariant.
type Result struct {
	Steps        int64 // steps run, the quiet phase included
	Committed    int   // txns in the committed history
	Acked        int   // client writes acknowledged
	Epochs       int   // epochs a leader established
	Crashes      int   // restarts
	RecoverTicks int64 // ticks from the end of faults to the probe applied everywhere
}

// LivenessTicks is the bound, in ticks, within which an ensemble whose
// faults have stopped must establish a leader and commit a new write on
// every peer: a few full rounds of election, discovery and sync.
func (o Options) LivenessTicks() int64 {
	round := int64(o.InitLimit + o.SyncLimit + 2*o.ResendInterval + o.FinalizeWait)
	return 4*round + 20
}

// Run simulates one seed: faults for steps steps, then every fault healed
// and every peer restarted, then the liveness check. It returns the
// cluster (for its trace) and the first violation.
func Run(opt Options, steps int64) (*Cluster, Result, error) {
	c, err := New(opt)
	if err != nil {
		return nil, Result{}, err
	}
	res, err := c.Run(steps)
	return c, res, err
}

// Run is Run on an existing cluster.
func (c *Cluster) Run(steps int64) (Result, error) {
	c.faultsOn = true
	for c.now < steps && c.err == nil {
		c.Step()
	}
	c.faultsOn = false
	if c.err != nil {
		return Result{}, c.err
	}
	ticks, err := c.Settle(c.opt.LivenessTicks())
	res := Result{Steps: c.now, Committed: c.check.Len(), Acked: c.acked, Epochs: len(c.check.Leaders()), RecoverTicks: ticks}
	for _, id := range c.ids {
		res.Crashes += c.peers[id].incarnation
	}
	return res, err
}

// Settle heals every fault, restarts every crashed peer and then requires
// liveness: within bound ticks a leader is established, a new write
// commits, and every peer applies it. It also checks that every write a
// client was told is committed is in every peer's state. It returns how
// many ticks that took.
func (c *Cluster) Settle(bound int64) (int64, error) {
	c.Heal()
	for _, id := range c.ids {
		c.peers[id].pausedUntil = 0
		c.Restart(id)
	}
	start := c.Ticks()
	probe := fmt.Sprintf("probe@%d", c.now)
	submitted := false
	var by *Peer
	var byIncarnation int
	for c.err == nil {
		if c.Ticks()-start > bound {
			w := c.payloads[probe]
			state := ""
			for _, id := range c.ids {
				p := c.peers[id]
				state += fmt.Sprintf(" p%d:%s/%s", id, roleName(p.role), zxidString(p.SM.Zxid))
			}
			c.setErr(&Violation{Rule: RuleLiveness, Step: c.now, Msg: fmt.Sprintf(
				"no new write committed everywhere within %d ticks of the faults stopping (probe submitted %v, acked %v;%s)",
				bound, submitted, w != nil && w.acked, state)})
			break
		}
		if submitted && !c.payloads[probe].acked && (!by.Up || by.role != zab.Leading || by.incarnation != byIncarnation) {
			// Its leader fell before committing it: uncommitted, it may be
			// gone for good, as a client would be told by a timeout. Retry.
			probe = fmt.Sprintf("probe@%d", c.now)
			submitted = false
		}
		if !submitted && c.now%c.opt.TickEvery == 0 {
			if l := c.Leader(); l != 0 {
				submitted = c.Submit(l, probe)
				by, byIncarnation = c.peers[l], c.peers[l].incarnation
			}
		}
		if w := c.payloads[probe]; w != nil && w.acked && c.allApplied(w.zxid) {
			break
		}
		c.Step()
	}
	if c.err != nil {
		return 0, c.err
	}
	for d, w := range c.payloads {
		if !w.acked {
			continue
		}
		if got, ok := c.check.Data(w.zxid); !ok || got != d {
			c.setErr(&Violation{Rule: RuleAcknowledgedIn, Step: c.now, Msg: fmt.Sprintf("acknowledged %q at %s, history has %q", d, zxidString(w.zxid), got)})
			return 0, c.err
		}
	}
	if err := c.checkLogs(); err != nil {
		c.setErr(err)
		return 0, err
	}
	return c.Ticks() - start, nil
}

// checkLogs checks that every peer's log agrees with the committed history
// up to what the peer applied: an uncommitted txn left below that point
// (one a TRUNC should have cut) is a corrupt history that a later leader
// would commit.
func (c *Cluster) checkLogs() error {
	for _, id := range c.ids {
		p := c.peers[id]
		err := p.Disk.Scan(0, func(z int64, data []byte) error {
			if z > p.SM.Zxid {
				return errStopScan
			}
			if got, ok := c.check.Data(z); !ok || got != string(data) {
				return &Violation{Rule: RuleNoLoss, Peer: id, Step: c.now, Msg: fmt.Sprintf(
					"log holds %q at %s below its applied %s, but the committed history has %q there",
					data, zxidString(z), zxidString(p.SM.Zxid), got)}
			}
			return nil
		})
		if err != nil && err != errStopScan {
			return err
		}
	}
	return nil
}

var errStopScan = errors.New("stop")

// allApplied reports whether every peer applied zxid.
func (c *Cluster) allApplied(zxid int64) bool {
	for _, id := range c.ids {
		if p := c.peers[id]; !p.Up || p.SM.Zxid < zxid {
			return false
		}
	}
	return true
}
