package zab

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestScenarios runs testdata/*.txt: one file per tricky case, driving a
// leader and learners by hand. Run with -rewrite to regenerate the expected
// output (then read the diff: it is the test).
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			var s scenario
			runDD(t, f, func(t *testing.T, cmd string) string { return s.run(t, cmd) })
		})
	}
}

type scenario struct {
	c *cluster
}

// args splits "cmd a b k=v" into positional and keyed arguments.
func parseArgs(cmd string) (string, []string, map[string]string) {
	fields := strings.Fields(cmd)
	kv := map[string]string{}
	var pos []string
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			kv[k] = v
		} else {
			pos = append(pos, f)
		}
	}
	return fields[0], pos, kv
}

func parseIDs(t *testing.T, s string) []uint64 {
	var ids []uint64
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseUint(f, 10, 64)
		require.NoError(t, err, "id %q", f)
		ids = append(ids, id)
	}
	return ids
}

func parseZxid(t *testing.T, s string) int64 {
	e, c, ok := strings.Cut(s, ":")
	if !ok {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err, "zxid %q", s)
		return n
	}
	ep, err := strconv.ParseInt(e, 10, 64)
	require.NoError(t, err, "zxid %q", s)
	cn, err := strconv.ParseUint(c, 10, 32)
	require.NoError(t, err, "zxid %q", s)
	return MakeZxid(ep, uint32(cn))
}

// parseLog reads "1:1-1:5,2:1-2:3" into records carrying "t<zxid>".
func parseLog(t *testing.T, s string) []Entry {
	var es []Entry
	for _, r := range strings.Split(s, ",") {
		if r == "" {
			continue
		}
		a, b, ok := strings.Cut(r, "-")
		if !ok {
			b = a
		}
		from, to := parseZxid(t, a), parseZxid(t, b)
		require.Equal(t, EpochOf(from), EpochOf(to), "range %q spans epochs", r)
		for z := from; z <= to; z++ {
			es = append(es, Entry{Zxid: z, Data: []byte("t" + zx(z))})
		}
	}
	return es
}

func intArg(t *testing.T, kv map[string]string, k string, def int) int {
	v, ok := kv[k]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	require.NoError(t, err, "%s=%q", k, v)
	return n
}

func (s *scenario) peersArg(t *testing.T, pos []string, i int) []*peer {
	require.Greater(t, len(pos), i, "missing peer ids")
	if pos[i] == "all" {
		var ps []*peer
		for _, id := range s.c.ids {
			ps = append(ps, s.c.peers[id])
		}
		return ps
	}
	var ps []*peer
	for _, id := range parseIDs(t, pos[i]) {
		p := s.c.peers[id]
		require.NotNil(t, p, "no peer %d", id)
		ps = append(ps, p)
	}
	return ps
}

func (s *scenario) run(t *testing.T, cmd string) string {
	name, pos, kv := parseArgs(cmd)
	var w strings.Builder
	c := s.c
	if name != "cluster" {
		require.NotNil(t, c, "no cluster yet")
		c.t = t
	}
	switch name {
	case "cluster":
		tmpl := Config{
			InitLimit:    intArg(t, kv, "init", 10),
			SyncLimit:    intArg(t, kv, "sync", 5),
			PingInterval: intArg(t, kv, "ping", 2),
			MaxDiff:      intArg(t, kv, "maxdiff", 0),
		}
		s.c = newCluster(t, parseIDs(t, kv["voters"]), parseIDs(t, kv["observers"]), tmpl)
		if kv["autopersist"] == "true" {
			for _, p := range s.c.peers {
				p.autoPersist = true
			}
		}
		return ""
	case "state":
		// state <ids> accepted=E current=E log=ranges snap=Z: replace the
		// durable state and restart.
		for _, p := range s.peersArg(t, pos, 0) {
			p.accepted = int64(intArg(t, kv, "accepted", 0))
			p.current = int64(intArg(t, kv, "current", 0))
			p.log = &memLog{recs: parseLog(t, kv["log"])}
			p.snap = machine{}
			if v, ok := kv["snap"]; ok {
				upto := parseZxid(t, v)
				for _, r := range parseLog(t, kv["snapof"]+","+kv["log"]) {
					if r.Zxid <= upto {
						p.snap.applied = append(p.snap.applied, r)
					}
				}
				if kv["purge"] == "true" {
					p.log.truncateBefore(upto)
				}
			}
			// A snapshot holds committed txns only: replicas must keep them.
			c.checkApplied(p, p.snap.applied)
			c.start(p)
		}
	case "lead":
		for _, p := range s.peersArg(t, pos, 0) {
			p.z.Lead()
		}
	case "follow", "observe":
		leader := parseIDs(t, pos[1])[0]
		for _, p := range s.peersArg(t, pos, 0) {
			if name == "follow" {
				p.z.Follow(leader)
			} else {
				p.z.Observe(leader)
			}
		}
	case "elect":
		// elect L: L leads, every other peer follows (voters) or observes.
		leader := parseIDs(t, pos[0])[0]
		c.peers[leader].z.Lead()
		c.process(c.peers[leader], &w)
		for _, id := range c.ids {
			if id == leader {
				continue
			}
			if slices.Contains(c.voters, id) {
				c.peers[id].z.Follow(leader)
			} else {
				c.peers[id].z.Observe(leader)
			}
		}
	case "deliver":
		var types []MessageType
		for _, tn := range strings.Split(kv["type"], ",") {
			if tn == "" {
				continue
			}
			found := false
			for mt, n := range messageTypeNames {
				if n == tn {
					types, found = append(types, mt), true
				}
			}
			require.True(t, found, "unknown message type %q", tn)
		}
		var from, to uint64
		if v, ok := kv["from"]; ok {
			from = parseIDs(t, v)[0]
		}
		if v, ok := kv["to"]; ok {
			to = parseIDs(t, v)[0]
		}
		for range intArg(t, kv, "rounds", 1) {
			c.deliver(from, to, types, intArg(t, kv, "n", 0), &w)
		}
	case "inject":
		// inject from=A to=B type=T [zxid=Z] [epoch=E] [id=N] [data=D]:
		// a crafted message, as a faulty or malicious peer would send.
		m := Message{From: parseIDs(t, kv["from"])[0], To: parseIDs(t, kv["to"])[0]}
		for mt, n := range messageTypeNames {
			if n == kv["type"] {
				m.Type = mt
			}
		}
		require.True(t, m.Type.Valid(), "type %q", kv["type"])
		if v, ok := kv["zxid"]; ok {
			m.Zxid = parseZxid(t, v)
		}
		m.Epoch = int64(intArg(t, kv, "epoch", 0))
		m.ID = uint64(intArg(t, kv, "id", 0))
		if v, ok := kv["data"]; ok {
			m.Data = []byte(v)
		}
		c.peers[m.To].z.Step(m)
	case "stabilize":
		c.stabilize(&w)
	case "cut", "heal":
		// cut <ids>: every message to or from them is lost until heal.
		for _, p := range s.peersArg(t, pos, 0) {
			c.cut[p.id] = name == "cut"
		}
		if name == "cut" {
			for key := range c.net {
				if c.cut[key[0]] || c.cut[key[1]] {
					delete(c.net, key)
				}
			}
		}
	case "run":
		// run ticks=N: N times, tick every peer then stabilize.
		for range intArg(t, kv, "ticks", 1) {
			for _, id := range c.ids {
				c.peers[id].z.Tick()
				c.process(c.peers[id], &w)
			}
			c.stabilize(&w)
		}
	case "tick":
		for range intArg(t, kv, "n", 1) {
			for _, p := range s.peersArg(t, pos, 0) {
				p.z.Tick()
				c.process(p, &w)
			}
		}
	case "persist":
		upto := int64(-1)
		if v, ok := kv["upto"]; ok {
			upto = parseZxid(t, v)
		}
		for _, p := range s.peersArg(t, pos, 0) {
			c.persist(p, upto, &w)
		}
	case "autopersist":
		on := len(pos) < 2 || pos[1] == "on"
		for _, p := range s.peersArg(t, pos, 0) {
			p.autoPersist = on
			if on {
				c.persist(p, -1, &w)
			}
		}
	case "propose":
		p := s.peersArg(t, pos, 0)[0]
		for range intArg(t, kv, "n", 1) {
			data := kv["data"]
			if data == "" {
				data = "t" + zx(p.nextZxid())
			}
			zxid, err := p.z.Propose([]byte(data))
			if err != nil {
				fmt.Fprintf(&w, "n%d: propose: %v\n", p.id, err)
			} else if data != "t"+zx(zxid) {
				fmt.Fprintf(&w, "n%d: proposed %s\n", p.id, zx(zxid))
			}
			c.process(p, &w)
		}
	case "forward", "revalidate", "liveness":
		p := s.peersArg(t, pos, 0)[0]
		var err error
		switch name {
		case "forward":
			err = p.z.Forward([]byte(pos[1]))
		case "revalidate":
			err = p.z.Revalidate([]byte(pos[1]))
		default:
			p.z.SetLiveness([]byte(pos[1]))
		}
		if err != nil {
			fmt.Fprintf(&w, "n%d: %s: %v\n", p.id, name, err)
		}
	case "answer-revalidate":
		p := s.peersArg(t, pos, 0)[0]
		if err := p.z.AnswerRevalidate(parseIDs(t, kv["to"])[0], []byte(pos[1])); err != nil {
			fmt.Fprintf(&w, "n%d: %s: %v\n", p.id, name, err)
		}
	case "sync":
		p := s.peersArg(t, pos, 0)[0]
		p.z.Sync(uint64(intArg(t, kv, "id", 1)))
	case "snapshot":
		for _, p := range s.peersArg(t, pos, 0) {
			p.snap = machine{applied: slices.Clone(p.sm.applied)}
		}
	case "crash":
		// The process dies: unpersisted records and the in-memory state
		// machine are lost, its connections break, and it restarts from
		// disk in the Looking role.
		for _, p := range s.peersArg(t, pos, 0) {
			c.disconnectAll(p.id, &w)
			c.start(p)
			fmt.Fprintf(&w, "n%d: restarted: %s\n", p.id, status(p))
		}
	case "disconnect":
		a, b := parseIDs(t, pos[0])[0], parseIDs(t, pos[1])[0]
		c.disconnect(a, b, &w)
	case "show":
		for _, p := range s.peersArg(t, pos, 0) {
			fmt.Fprintf(&w, "n%d: %s\n", p.id, status(p))
		}
	case "net":
		for _, a := range c.ids {
			for _, b := range c.ids {
				for _, m := range c.net[[2]uint64{a, b}] {
					fmt.Fprintf(&w, "%s\n", msg(m))
				}
			}
		}
	default:
		t.Fatalf("unknown command %q", name)
	}
	c.processAll(&w)
	c.checkLeaders()
	return w.String()
}

// nextZxid predicts the zxid of the leader's next proposal, so generated txns
// can carry their own zxid as data.
func (p *peer) nextZxid() int64 {
	z := p.z
	if z.ld == nil || z.ld.newEpoch == 0 {
		return 0
	}
	if EpochOf(z.lastZxid) == z.ld.newEpoch {
		return z.lastZxid + 1
	}
	return MakeZxid(z.ld.newEpoch, 1)
}

func (c *cluster) disconnect(a, b uint64, w *strings.Builder) {
	delete(c.net, [2]uint64{a, b})
	delete(c.net, [2]uint64{b, a})
	c.peers[a].z.Disconnected(b)
	c.process(c.peers[a], w)
	c.peers[b].z.Disconnected(a)
	c.process(c.peers[b], w)
}

func (c *cluster) disconnectAll(id uint64, w *strings.Builder) {
	for _, o := range c.ids {
		if o == id {
			continue
		}
		delete(c.net, [2]uint64{id, o})
		delete(c.net, [2]uint64{o, id})
		c.peers[o].z.Disconnected(id)
		c.process(c.peers[o], w)
	}
}

func status(p *peer) string {
	z := p.z
	s := fmt.Sprintf("%v %v leader=%d epochs=%d/%d last=%s persisted=%s committed=%s applied=%s",
		z.role, z.phase, z.leader, z.acceptedEpoch, z.currentEpoch, zx(z.lastZxid), zx(z.persisted), zx(z.committed), zx(z.applied))
	s += fmt.Sprintf(" | disk: epochs=%d/%d log=[%s] snap=%s sm=%s", p.accepted, p.current, entries(p.log.recs), zx(p.snap.last()), zx(p.sm.last()))
	return s
}
