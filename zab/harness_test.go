package zab

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
)

// memLog is a model txn log: records in zxid order, all durable (the
// harness appends a record only when it "persists" it).
type memLog struct {
	recs []Entry
}

func (l *memLog) LastZxid() int64 {
	if len(l.recs) == 0 {
		return 0
	}
	return l.recs[len(l.recs)-1].Zxid
}

func (l *memLog) FirstZxid() int64 {
	if len(l.recs) == 0 {
		return 0
	}
	return l.recs[0].Zxid
}

// Scan hands out each record in one reused buffer, as wal does (data is
// valid only during fn), so a core that keeps it without a copy shows up as
// replicas applying different txns at the same zxid.
func (l *memLog) Scan(after int64, fn func(int64, []byte) error) error {
	i := sort.Search(len(l.recs), func(i int) bool { return l.recs[i].Zxid > after })
	var buf []byte
	for _, r := range l.recs[i:] {
		buf = append(buf[:0], r.Data...)
		if err := fn(r.Zxid, buf); err != nil {
			return err
		}
	}
	return nil
}

func (l *memLog) append(es []Entry) error {
	for _, e := range es {
		if last := l.LastZxid(); e.Zxid <= last {
			return fmt.Errorf("append %s after %s", zx(e.Zxid), zx(last))
		}
		l.recs = append(l.recs, Entry{Zxid: e.Zxid, Data: slices.Clone(e.Data)})
	}
	return nil
}

func (l *memLog) truncateAfter(zxid int64) {
	i := sort.Search(len(l.recs), func(i int) bool { return l.recs[i].Zxid > zxid })
	l.recs = l.recs[:i]
}

// machine is a model state machine: the applied txns in order.
type machine struct {
	applied []Entry
}

func (m *machine) last() int64 {
	if len(m.applied) == 0 {
		return 0
	}
	return m.applied[len(m.applied)-1].Zxid
}

// encode/decode: a snapshot is "zxid=data;zxid=data;...".
func (m *machine) encode() []byte {
	var b strings.Builder
	for _, e := range m.applied {
		fmt.Fprintf(&b, "%d=%s;", e.Zxid, e.Data)
	}
	return []byte(b.String())
}

func decodeMachine(b []byte) (machine, error) {
	var m machine
	for _, part := range strings.Split(string(b), ";") {
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return m, fmt.Errorf("bad snapshot part %q", part)
		}
		z, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			return m, err
		}
		m.applied = append(m.applied, Entry{Zxid: z, Data: []byte(v)})
	}
	return m, nil
}

// peer is one model host: durable state, the core, and its pending I/O.
type peer struct {
	id uint64
	z  *Zab

	// durable
	log           *memLog
	accepted      int64
	current       int64
	snap          machine // the durable snapshot of the state machine
	autoPersist   bool
	unpersisted   []Entry // handed to "disk", not yet durable
	sm            machine // in memory
	snapshotCalls int
}

func (p *peer) Snapshot() (int64, []byte, error) {
	p.snapshotCalls++
	return p.sm.last(), p.sm.encode(), nil
}

// cluster is the model ensemble with a FIFO network per ordered pair.
type cluster struct {
	t       testing.TB
	voters  []uint64
	peers   map[uint64]*peer
	ids     []uint64
	net     map[[2]uint64][]Message
	cfgTmpl Config
	// committed records every applied (zxid, data) across peers: replicas
	// must agree.
	committed map[int64]string
	errs      []string
	cut       map[uint64]bool  // peers whose messages are lost (a partition the transport has not noticed)
	leaders   map[int64]uint64 // established epoch → its leader
	hold      map[uint64]bool  // peers whose Ready is left to accumulate over several inputs
}

func newCluster(t testing.TB, voters, observers []uint64, tmpl Config) *cluster {
	c := &cluster{t: t, voters: voters, peers: map[uint64]*peer{}, net: map[[2]uint64][]Message{},
		committed: map[int64]string{}, cfgTmpl: tmpl, cut: map[uint64]bool{}, leaders: map[int64]uint64{}, hold: map[uint64]bool{}}
	c.ids = append(slices.Clone(voters), observers...)
	slices.Sort(c.ids)
	for _, id := range c.ids {
		p := &peer{id: id, log: &memLog{}}
		c.peers[id] = p
		c.start(p)
	}
	return c
}

func (c *cluster) config(p *peer) Config {
	q, err := quorum.NewMajority(c.voters...)
	if err != nil {
		c.t.Fatal(err)
	}
	cfg := c.cfgTmpl
	cfg.ID = p.id
	cfg.Quorum = q
	cfg.Peers = c.ids
	cfg.Log = p.log
	cfg.Snapshots = p
	return cfg
}

// start (re)creates p's core from its durable state.
func (c *cluster) start(p *peer) {
	p.sm = machine{applied: slices.Clone(p.snap.applied)}
	p.unpersisted = nil
	z, err := New(c.config(p), Durable{AcceptedEpoch: p.accepted, CurrentEpoch: p.current, Applied: p.sm.last()})
	if err != nil {
		c.t.Fatalf("peer %d: %v", p.id, err)
	}
	p.z = z
}

func (c *cluster) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.errs = append(c.errs, msg)
	c.t.Errorf("%s", msg)
}

// process carries out p's Ready as a correct host does, and describes it.
func (c *cluster) process(p *peer, w *strings.Builder) {
	if c.hold[p.id] || !p.z.HasReady() {
		return
	}
	rd := p.z.Ready()
	pre := fmt.Sprintf("n%d: ", p.id)
	line := func(format string, args ...any) { w.WriteString(pre + fmt.Sprintf(format, args...) + "\n") }
	if rd.RoleChanged || rd.PhaseChanged {
		line("role %v %v leader=%d", p.z.Role(), p.z.Phase(), p.z.Leader())
	}
	if rd.Err != nil {
		line("err %v", rd.Err)
	}
	// Step 1.
	if rd.AcceptedEpoch != 0 {
		if rd.AcceptedEpoch < p.accepted {
			c.errorf("n%d: accepted epoch goes back from %d to %d", p.id, p.accepted, rd.AcceptedEpoch)
		}
		p.accepted = rd.AcceptedEpoch
		line("store acceptedEpoch=%d", rd.AcceptedEpoch)
	}
	if rd.Snapshot != nil {
		m, err := decodeMachine(rd.Snapshot.Data)
		if err != nil {
			c.errorf("n%d: %v", p.id, err)
		}
		p.sm, p.snap = m, machine{applied: slices.Clone(m.applied)}
		p.log.recs = nil
		line("install snapshot %s (%d txns)", zx(rd.Snapshot.Zxid), len(m.applied))
		c.checkApplied(p, m.applied)
	}
	if rd.TruncateAfter >= 0 {
		p.log.truncateAfter(rd.TruncateAfter)
		line("truncate after %s", zx(rd.TruncateAfter))
	}
	if rd.CurrentEpoch != 0 {
		p.current = rd.CurrentEpoch
		line("store currentEpoch=%d", rd.CurrentEpoch)
	}
	// Step 2.
	if len(rd.Entries) > 0 {
		line("append %s", entries(rd.Entries))
		p.unpersisted = append(p.unpersisted, rd.Entries...)
	}
	// Step 3.
	for _, m := range rd.Messages {
		c.checkSend(p, m)
		line("send %s", msg(m))
		key := [2]uint64{m.From, m.To}
		c.net[key] = append(c.net[key], m)
	}
	// Step 4.
	if len(rd.Committed) > 0 {
		line("apply %s", entries(rd.Committed))
		for _, e := range rd.Committed {
			if e.Zxid <= p.sm.last() {
				c.errorf("n%d: applies %s after %s", p.id, zx(e.Zxid), zx(p.sm.last()))
			}
			p.sm.applied = append(p.sm.applied, e)
		}
		c.checkApplied(p, rd.Committed)
	}
	for _, f := range rd.Requests {
		line("request from %d: %s", f.From, f.Data)
	}
	for _, f := range rd.Liveness {
		line("liveness from %d: %s", f.From, f.Data)
	}
	for _, f := range rd.Revalidates {
		line("revalidate from %d: %s", f.From, f.Data)
	}
	for _, s := range rd.Synced {
		if s.Err != nil {
			line("synced %d: %v", s.ID, s.Err)
		} else {
			line("synced %d at %s", s.ID, zx(s.Zxid))
		}
	}
	if p.autoPersist && len(p.unpersisted) > 0 {
		c.persist(p, -1, w)
	}
}

// checkApplied: every replica applies the same txn at the same zxid, in
// order and without holes.
func (c *cluster) checkApplied(p *peer, es []Entry) {
	for _, e := range es {
		if d, ok := c.committed[e.Zxid]; ok && d != string(e.Data) {
			c.errorf("n%d: applies %s=%q, another replica applied %q", p.id, zx(e.Zxid), e.Data, d)
		}
		c.committed[e.Zxid] = string(e.Data)
	}
	for i := 1; i < len(p.sm.applied); i++ {
		if !follows(p.sm.applied[i-1].Zxid, p.sm.applied[i].Zxid) {
			c.errorf("n%d: state machine has %s after %s", p.id, zx(p.sm.applied[i].Zxid), zx(p.sm.applied[i-1].Zxid))
		}
	}
}

// checkSend checks the durability rules at the moment a message leaves.
func (c *cluster) checkSend(p *peer, m Message) {
	switch m.Type {
	case LeaderInfo:
		if p.accepted < m.Epoch {
			c.errorf("n%d: LEADERINFO for epoch %d leaves before it is stored (accepted %d)", p.id, m.Epoch, p.accepted)
		}
	case AckEpoch:
		if p.accepted == 0 {
			c.errorf("n%d: ACKEPOCH without an accepted epoch", p.id)
		}
	case Ack:
		if CounterOf(m.Zxid) == 0 { // NEWLEADER's ACK
			if p.current != EpochOf(m.Zxid) {
				c.errorf("n%d: ACK of NEWLEADER %s with current epoch %d stored", p.id, zx(m.Zxid), p.current)
			}
			if ln := p.z.ln; ln != nil && p.log.LastZxid() < ln.syncPoint && p.sm.last() < ln.syncPoint {
				c.errorf("n%d: ACK of NEWLEADER before the synced history up to %s is durable (log ends at %s)", p.id, zx(ln.syncPoint), zx(p.log.LastZxid()))
			}
			return
		}
		if ok, _ := p.logHas(m.Zxid); !ok {
			c.errorf("n%d: ACK %s before it is durable", p.id, zx(m.Zxid))
		}
	}
}

func (p *peer) logHas(zxid int64) (bool, error) {
	for _, r := range p.log.recs {
		if r.Zxid == zxid {
			return true, nil
		}
	}
	return false, nil
}

// persist makes p's unpersisted records durable, up to upto (-1: all).
func (c *cluster) persist(p *peer, upto int64, w *strings.Builder) {
	n := len(p.unpersisted)
	if upto >= 0 {
		n = sort.Search(len(p.unpersisted), func(i int) bool { return p.unpersisted[i].Zxid > upto })
	}
	if n == 0 {
		return
	}
	batch := p.unpersisted[:n]
	p.unpersisted = p.unpersisted[n:]
	if err := p.log.append(batch); err != nil {
		c.errorf("n%d: %v", p.id, err)
	}
	p.z.Persisted(batch[len(batch)-1].Zxid)
	c.process(p, w)
}

// processAll handles every peer's Ready, in id order.
func (c *cluster) processAll(w *strings.Builder) {
	for _, id := range c.ids {
		c.process(c.peers[id], w)
	}
}

// deliver hands each queued message matching the filters to its receiver,
// keeping FIFO per pair: a pair stops at the first message that does not
// match. Only messages queued before the call are delivered.
func (c *cluster) deliver(from, to uint64, types []MessageType, limit int, w *strings.Builder) int {
	n := 0
	for _, a := range c.ids {
		for _, b := range c.ids {
			if (from != 0 && a != from) || (to != 0 && b != to) {
				continue
			}
			key := [2]uint64{a, b}
			q := c.net[key]
			c.net[key] = nil
			if c.cut[a] || c.cut[b] {
				c.net[key] = nil // lost
				continue
			}
			i := 0
			for ; i < len(q); i++ {
				if (len(types) > 0 && !slices.Contains(types, q[i].Type)) || (limit > 0 && i >= limit) {
					break
				}
				c.peers[b].z.Step(q[i])
				n++
				c.process(c.peers[b], w)
			}
			c.net[key] = append(q[i:], c.net[key]...)
		}
	}
	return n
}

// stabilize delivers until no message is left.
func (c *cluster) stabilize(w *strings.Builder) {
	for i := 0; ; i++ {
		c.processAll(w)
		if c.deliver(0, 0, nil, 0, w) == 0 {
			return
		}
		if i > 10000 {
			c.t.Fatal("stabilize: messages never stop")
		}
	}
}

func zx(z int64) string {
	if z < 0 {
		return strconv.FormatInt(z, 10)
	}
	return fmt.Sprintf("%d:%d", EpochOf(z), CounterOf(z))
}

func entries(es []Entry) string {
	var parts []string
	for i := 0; i < len(es); i++ {
		// Compress runs: 1:1..1:5 when there is no data worth showing.
		j := i
		for j+1 < len(es) && follows(es[j].Zxid, es[j+1].Zxid) && EpochOf(es[j+1].Zxid) == EpochOf(es[i].Zxid) && defaultData(es[j+1]) && defaultData(es[i]) {
			j++
		}
		if j > i+1 {
			parts = append(parts, zx(es[i].Zxid)+".."+zx(es[j].Zxid))
			i = j
			continue
		}
		if defaultData(es[i]) {
			parts = append(parts, zx(es[i].Zxid))
		} else {
			parts = append(parts, fmt.Sprintf("%s=%s", zx(es[i].Zxid), es[i].Data))
		}
	}
	return strings.Join(parts, " ")
}

// defaultData: the harness's generated txns carry their own zxid as data.
func defaultData(e Entry) bool { return string(e.Data) == "t"+zx(e.Zxid) }

func msg(m Message) string {
	s := fmt.Sprintf("%d->%d %v", m.From, m.To, m.Type)
	switch m.Type {
	case FollowerInfo, ObserverInfo, LeaderInfo:
		s += fmt.Sprintf(" epoch=%d", m.Epoch)
	case AckEpoch:
		s += fmt.Sprintf(" epoch=%d last=%s", m.Epoch, zx(m.Zxid))
	case Ping:
		s += fmt.Sprintf(" round=%d", m.ID)
		if len(m.Data) > 0 {
			s += fmt.Sprintf(" data=%s", m.Data)
		}
		return s
	case Sync:
		s += fmt.Sprintf(" id=%d", m.ID)
		if m.Zxid != 0 {
			s += " zxid=" + zx(m.Zxid)
		}
		return s
	case Snap:
		s += fmt.Sprintf(" %s (%d bytes)", zx(m.Zxid), len(m.Data))
		return s
	case Request, Revalidate:
		return s + fmt.Sprintf(" data=%s", m.Data)
	default:
		s += " " + zx(m.Zxid)
	}
	if len(m.Data) > 0 && m.Type != Snap {
		if d := string(m.Data); d != "t"+zx(m.Zxid) {
			s += "=" + d
		}
	}
	return s
}

// truncateBefore drops records at or below zxid (a purge after a snapshot).
func (l *memLog) truncateBefore(zxid int64) {
	i := sort.Search(len(l.recs), func(i int) bool { return l.recs[i].Zxid > zxid })
	l.recs = slices.Clone(l.recs[i:])
}
