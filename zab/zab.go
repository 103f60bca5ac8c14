package zab

// Zab is one peer's Zab core. It is not safe for concurrent use: the host
// calls it from one goroutine.
type Zab struct {
	cfg Config
	rd  Ready
}

// New returns a core for the peer described by cfg, starting from the
// durable state d, in the Looking role.
func New(cfg Config, d Durable) (*Zab, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Zab{cfg: cfg, rd: Ready{TruncateAfter: -1}}, nil
}

// Lead starts leading, after an election chose this peer.
func (z *Zab) Lead() {}

// Follow starts following leader, after an election chose it.
func (z *Zab) Follow(leader uint64) {}

// Observe starts observing leader.
func (z *Zab) Observe(leader uint64) {}

// Step processes a message from a peer (m.To must be this peer).
func (z *Zab) Step(m Message) {}

// Tick advances the core's clock by one tick.
func (z *Zab) Tick() {}

// Disconnected tells the core that the transport's connection to peer broke.
func (z *Zab) Disconnected(peer uint64) {}

// Persisted tells the core that every Ready.Entries entry up to zxid is durable.
func (z *Zab) Persisted(zxid int64) {}

// Propose proposes a txn (leader, broadcast phase only) and returns its zxid.
func (z *Zab) Propose(data []byte) (int64, error) { return 0, ErrNotLeader }

// Forward sends a write to the leader as a REQUEST.
func (z *Zab) Forward(data []byte) error { return ErrNoLeader }

// SetLiveness sets the payload of the learner's next PING reply.
func (z *Zab) SetLiveness(data []byte) {}

// Sync starts a linearizable barrier; its answer comes in Ready.Synced.
func (z *Zab) Sync(id uint64) {}

// Role returns the peer's role.
func (z *Zab) Role() Role { return Looking }

// Leader returns the leader's id, or 0 if there is none.
func (z *Zab) Leader() uint64 { return 0 }

// Ready returns and clears the pending output.
func (z *Zab) Ready() Ready {
	rd := z.rd
	z.rd = Ready{TruncateAfter: -1}
	return rd
}
