package sim

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ensemble-go/ensemble/zab"
)

// scen drives a cluster through a scripted schedule: no random faults, no
// random clients; the script decides every write, crash and cut. A step
// that does not happen in time stops the script with an error.
type scen struct {
	c    *Cluster
	sent []sentMsg // every zab message sent, for assertions
	n    int
}

type sentMsg struct {
	step     int64
	from, to uint64
	m        zab.Message
}

var errScript = errors.New("scenario script failed")

type scriptError struct{ msg string }

func (e *scriptError) Error() string        { return "scenario: " + e.msg }
func (e *scriptError) Is(target error) bool { return target == errScript }

// scenOptions are quiet: fast deterministic network and disks, nothing
// random but the interleaving of simultaneous deliveries.
func scenOptions(voters int) Options {
	return Options{
		Seed: 1, Voters: voters, MaxDelay: 1, FsyncMax: 1, FsyncExact: true,
		ProposeRate: -1, SyncRate: -1, SnapshotRate: -1, PurgeKeep: -1,
	}
}

// runScenario runs script on a fresh cluster with the given host bug and
// returns the first invariant violation or script failure, and the cluster.
func runScenario(opt Options, bug HostBug, trustAcks bool, script func(s *scen)) (c *Cluster, err error) {
	c, err = New(opt)
	if err != nil {
		return nil, err
	}
	c.Bug, c.TrustAcks = bug, trustAcks
	s := &scen{c: c}
	c.OnZab = func(from uint64, m zab.Message) bool {
		s.sent = append(s.sent, sentMsg{step: c.now, from: from, to: m.To, m: m})
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*scriptError)
			if !ok {
				panic(r)
			}
			if c.Err() != nil {
				err = c.Err() // the script stopped because an invariant broke
				return
			}
			err = se
		}
	}()
	script(s)
	if c.Err() != nil {
		return c, c.Err()
	}
	if _, err := c.Settle(c.opt.LivenessTicks()); err != nil {
		return c, err
	}
	return c, nil
}

// scenario runs a named scenario and fails t with its trace on error.
func scenario(t *testing.T, opt Options, script func(s *scen)) *Cluster {
	t.Helper()
	c, err := runScenario(opt, NoBug, false, script)
	if err != nil {
		var b strings.Builder
		if c != nil {
			ev := c.Trace().Events()
			b.WriteString(strings.Join(ev[max(0, len(ev)-200):], "\n"))
		}
		t.Fatalf("%v\nreplay: go test ./internal/sim -run '^%s$' -v\n%s", err, t.Name(), b.String())
	}
	return c
}

func (s *scen) fatalf(format string, args ...any) {
	panic(&scriptError{msg: fmt.Sprintf("step %d: ", s.c.now) + fmt.Sprintf(format, args...)})
}

// until steps until cond holds, for at most ticks ticks.
func (s *scen) until(what string, ticks int64, cond func() bool) {
	end := s.c.now + ticks*s.c.opt.TickEvery
	for !cond() {
		if s.c.Err() != nil {
			s.fatalf("invariant broken waiting for %s", what)
		}
		if s.c.now >= end {
			s.fatalf("%s did not happen within %d ticks", what, ticks)
		}
		s.c.Step()
	}
	if s.c.Err() != nil {
		s.fatalf("invariant broken")
	}
}

// wait steps until cond holds or ticks pass, whichever is first.
func (s *scen) wait(ticks int64, cond func() bool) {
	end := s.c.now + ticks*s.c.opt.TickEvery
	for !cond() && s.c.now < end && s.c.Err() == nil {
		s.c.Step()
	}
	if s.c.Err() != nil {
		s.fatalf("invariant broken")
	}
}

// steps runs n steps.
func (s *scen) steps(n int) {
	for range n {
		s.c.Step()
	}
	if s.c.Err() != nil {
		s.fatalf("invariant broken")
	}
}

// bound is how long a scripted step may take: generous, never hit by a
// live ensemble.
func (s *scen) bound() int64 { return s.c.opt.LivenessTicks() }

// leader waits until an up peer leads and accepts a write, which it
// proposes, and returns its id. The write is acknowledged later like any.
func (s *scen) leader() uint64 {
	var l uint64
	s.until("a leader accepting writes", s.bound(), func() bool {
		l = s.c.Leader()
		if l == 0 {
			return false
		}
		s.n++
		if s.c.Submit(l, fmt.Sprintf("hello%d", s.n)) {
			return true
		}
		s.n--
		return false
	})
	return l
}

// write submits each payload to the current leader (retrying until one
// takes it) and waits until each is acknowledged. It returns their zxids.
func (s *scen) write(data ...string) []int64 {
	var zs []int64
	for _, d := range data {
		s.until("leader takes "+d, s.bound(), func() bool {
			l := s.c.Leader()
			return l != 0 && s.c.Submit(l, d)
		})
		s.until(d+" acknowledged", s.bound(), func() bool { return s.c.payloads[d].acked })
		zs = append(zs, s.c.payloads[d].zxid)
	}
	return zs
}

// propose submits data at peer without waiting for it to commit.
func (s *scen) propose(peer uint64, data string) {
	if !s.c.Submit(peer, data) {
		s.fatalf("peer %d (%s) did not take %s", peer, roleName(s.c.peers[peer].role), data)
	}
}

// appliedBy waits until every listed peer applied zxid.
func (s *scen) appliedBy(zxid int64, peers ...uint64) {
	s.until(fmt.Sprintf("%s applied by %v", zxidString(zxid), peers), s.bound(), func() bool {
		for _, id := range peers {
			if p := s.c.peers[id]; !p.Up || p.SM.Zxid < zxid {
				return false
			}
		}
		return true
	})
}

// others returns every peer id but the given ones.
func (s *scen) others(not ...uint64) []uint64 {
	var out []uint64
	for _, id := range s.c.ids {
		skip := false
		for _, n := range not {
			skip = skip || id == n
		}
		if !skip {
			out = append(out, id)
		}
	}
	return out
}

// isolate cuts id off from every other peer, both ways.
func (s *scen) isolate(id uint64) { s.c.Partition(id) }

// sentTo returns the zab messages of type typ sent to peer since step.
func (s *scen) sentTo(peer uint64, typ zab.MessageType, since int64) []zab.Message {
	var out []zab.Message
	for _, m := range s.sent {
		if m.to == peer && m.m.Type == typ && m.step >= since {
			out = append(out, m.m)
		}
	}
	return out
}

// hasLogged reports whether peer's log holds data at zxid.
func (s *scen) hasLogged(peer uint64, zxid int64, data string) bool {
	d, ok := s.c.peers[peer].Disk.Lookup(zxid)
	return ok && string(d) == data
}

func isNewLeaderAck(m zab.Message) bool {
	return m.Type == zab.Ack && m.Zxid&0xffffffff == 0
}
