package zab

import (
	"testing"

	"github.com/ensemble-go/ensemble/quorum"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// standalone returns an established leader of an ensemble of one.
func standalone(t *testing.T) *Zab {
	q, err := quorum.NewMajority(1)
	require.NoError(t, err)
	z, err := New(Config{ID: 1, Quorum: q, Peers: []uint64{1}, InitLimit: 5, SyncLimit: 3, PingInterval: 1,
		Log: &memLog{}, Snapshots: nopSnapshots{}}, Durable{})
	require.NoError(t, err)
	z.Lead()
	rd := z.Ready()
	require.Equal(t, Broadcast, z.Phase())
	require.Equal(t, int64(1), rd.AcceptedEpoch)
	require.Equal(t, int64(1), rd.CurrentEpoch)
	return z
}

func TestCallsOutOfRole(t *testing.T) {
	z, err := New(validConfig(t), Durable{})
	require.NoError(t, err)
	_, err = z.Propose([]byte("x"))
	assert.ErrorIs(t, err, ErrNotLeader)
	assert.ErrorIs(t, z.Forward([]byte("x")), ErrNoLeader)
	assert.ErrorIs(t, z.Revalidate([]byte("x")), ErrNoLeader)
	assert.ErrorIs(t, z.AnswerRevalidate(2, []byte("x")), ErrNotLeader)
	z.Sync(3)
	assert.Equal(t, []SyncDone{{ID: 3, Err: ErrNoLeader}}, z.Ready().Synced)

	z.Lead() // discovery: nobody answered yet
	_, err = z.Propose([]byte("x"))
	assert.ErrorIs(t, err, ErrNotReady)
	assert.ErrorIs(t, z.Forward([]byte("x")), ErrNotReady)
	assert.ErrorIs(t, z.AnswerRevalidate(2, []byte("x")), ErrNotReady)
	z.Sync(4)
	assert.Equal(t, []SyncDone{{ID: 4, Err: ErrNotReady}}, z.Ready().Synced)

	z.Follow(2)
	assert.ErrorIs(t, z.Forward([]byte("x")), ErrNotReady)
	assert.ErrorIs(t, z.Revalidate([]byte("x")), ErrNotReady)
	_, err = z.Propose([]byte("x"))
	assert.ErrorIs(t, err, ErrNotLeader)
}

func TestRoleRequests(t *testing.T) {
	tests := []struct {
		name   string
		do     func(z *Zab)
		role   Role
		leader uint64
	}{
		{"lead", func(z *Zab) { z.Lead() }, Leading, 1},
		{"follow", func(z *Zab) { z.Follow(2) }, Following, 2},
		{"observe", func(z *Zab) { z.Observe(3) }, Observing, 3},
		{"follow itself", func(z *Zab) { z.Follow(1) }, Looking, 0},
		{"follow a stranger", func(z *Zab) { z.Follow(7) }, Looking, 0},
		{"disconnected from the leader", func(z *Zab) { z.Follow(2); z.Disconnected(2) }, Looking, 0},
		{"disconnected from another peer", func(z *Zab) { z.Follow(2); z.Disconnected(3) }, Following, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := New(validConfig(t), Durable{})
			require.NoError(t, err)
			tt.do(z)
			assert.Equal(t, tt.role, z.Role())
			assert.Equal(t, tt.leader, z.Leader())
			assert.True(t, z.Ready().RoleChanged)
			assert.False(t, z.HasReady(), "Ready clears the pending output")
		})
	}
}

func TestNonVoterCannotLeadAndObservesWhenAskedToFollow(t *testing.T) {
	cfg := validConfig(t)
	cfg.ID = 4 // in Peers, not a voter
	z, err := New(cfg, Durable{})
	require.NoError(t, err)
	z.Lead()
	assert.Equal(t, Looking, z.Role())
	assert.ErrorIs(t, z.Ready().Err, ErrInvalidConfig)
	z.Follow(1)
	assert.Equal(t, Observing, z.Role())
	rd := z.Ready()
	require.Len(t, rd.Messages, 1)
	assert.Equal(t, ObserverInfo, rd.Messages[0].Type)
}

func TestStepIgnoresMisaddressedMessages(t *testing.T) {
	z, err := New(validConfig(t), Durable{})
	require.NoError(t, err)
	z.Lead()
	z.Ready()
	for _, m := range []Message{
		{Type: FollowerInfo, From: 2, To: 3}, // not for us
		{Type: FollowerInfo, From: 8, To: 1}, // not a peer
		{Type: FollowerInfo, From: 1, To: 1}, // from ourselves
		{Type: AckEpoch, From: 2, To: 1},     // no FOLLOWERINFO first
		{Type: Ack, From: 3, To: 1, Zxid: 1}, // unknown learner
	} {
		z.Step(m)
	}
	assert.False(t, z.HasReady())
	assert.Equal(t, Discovery, z.Phase())
}

func TestZxidCounterExhaustionForcesANewEpoch(t *testing.T) {
	z := standalone(t)
	// Pretend the epoch has used almost all of its counter.
	last := MakeZxid(1, 0xfffffffd)
	z.lastZxid, z.persisted, z.committed, z.applied, z.tailBase = last, last, last, last, last
	zxid, err := z.Propose([]byte("a"))
	require.NoError(t, err)
	assert.Equal(t, MakeZxid(1, 0xfffffffe), zxid)
	_, err = z.Propose([]byte("b"))
	assert.ErrorIs(t, err, ErrZxidExhausted)
	assert.Equal(t, Looking, z.Role())
	rd := z.Ready()
	assert.ErrorIs(t, rd.Err, ErrZxidExhausted)
	assert.True(t, rd.RoleChanged)
	// A new epoch starts the counter again.
	z.Persisted(MakeZxid(1, 0xfffffffe))
	z.Lead()
	z.Ready()
	zxid, err = z.Propose([]byte("c"))
	require.NoError(t, err)
	assert.Equal(t, MakeZxid(2, 1), zxid)
}

func TestPersistedBeyondTheHistoryIsClamped(t *testing.T) {
	z := standalone(t)
	zxid, err := z.Propose([]byte("a"))
	require.NoError(t, err)
	z.Persisted(zxid + 10)
	assert.Equal(t, zxid, z.Status().Persisted)
	rd := z.Ready()
	require.Len(t, rd.Committed, 1)
	assert.Equal(t, []byte("a"), rd.Committed[0].Data)
}

func TestForwardOnTheLeaderComesBackAsARequest(t *testing.T) {
	z := standalone(t)
	require.NoError(t, z.Forward([]byte("w")))
	assert.Equal(t, []Forwarded{{From: 1, Data: []byte("w")}}, z.Ready().Requests)
}

func TestStatus(t *testing.T) {
	z := standalone(t)
	_, err := z.Propose([]byte("a"))
	require.NoError(t, err)
	s := z.Status()
	assert.Equal(t, Status{ID: 1, Role: Leading, Phase: Broadcast, Leader: 1, AcceptedEpoch: 1, CurrentEpoch: 1,
		LastZxid: MakeZxid(1, 1)}, s)
	assert.Equal(t, MakeZxid(1, 1), z.LastZxid())
	assert.Equal(t, int64(1), z.CurrentEpoch())
	assert.Equal(t, int64(1), z.AcceptedEpoch())
}

func TestRoleAndPhaseNames(t *testing.T) {
	assert.Equal(t, "LOOKING", Looking.String())
	assert.Equal(t, "OBSERVING", Observing.String())
	assert.Equal(t, "Role(9)", Role(9).String())
	assert.Equal(t, "broadcast", Broadcast.String())
	assert.Equal(t, "Phase(9)", Phase(9).String())
}

// A Log whose Scan fails: the core reports ErrLog and does not apply.
type failingLog struct{ memLog }

func (l *failingLog) Scan(int64, func(int64, []byte) error) error { return assert.AnError }

func TestLogReadErrorsAreReported(t *testing.T) {
	q, err := quorum.NewMajority(1)
	require.NoError(t, err)
	log := &failingLog{memLog{recs: []Entry{{Zxid: MakeZxid(1, 1), Data: []byte("x")}}}}
	z, err := New(Config{ID: 1, Quorum: q, Peers: []uint64{1}, InitLimit: 5, SyncLimit: 3, PingInterval: 1,
		Log: log, Snapshots: nopSnapshots{}}, Durable{AcceptedEpoch: 1, CurrentEpoch: 1})
	require.NoError(t, err)
	z.Lead() // establishes, then must apply 1:1 from the log
	rd := z.Ready()
	assert.ErrorIs(t, rd.Err, ErrLog)
	assert.Empty(t, rd.Committed)
	assert.Equal(t, Looking, z.Role())
}

// A host may let several inputs pile up before it takes the Ready. Txns
// committed in that batch and a SNAP that arrives later in it must not both
// be handed over: step 1 installs the snapshot, which already holds them,
// and step 4 would apply them a second time on top of it.
func TestSnapshotSupersedesPendingCommits(t *testing.T) {
	cfg := validConfig(t)
	cfg.ID = 2
	log := &memLog{}
	cfg.Log = log
	z, err := New(cfg, Durable{AcceptedEpoch: 1, CurrentEpoch: 1})
	require.NoError(t, err)
	// Follow 1 through to broadcast, with 1:1 and 1:2 durable.
	z.Follow(1)
	for _, m := range []Message{
		{Type: LeaderInfo, Epoch: 2, Zxid: MakeZxid(2, 0)},
		{Type: Diff},
		{Type: Proposal, Zxid: MakeZxid(1, 1), Data: []byte("a")},
		{Type: Proposal, Zxid: MakeZxid(1, 2), Data: []byte("b")},
		{Type: NewLeader, Zxid: MakeZxid(2, 0)},
	} {
		m.From, m.To = 1, 2
		z.Step(m)
	}
	rd := z.Ready()
	log.recs = append(log.recs, rd.Entries...)
	z.Persisted(MakeZxid(1, 2))
	z.Step(Message{Type: UpToDate, From: 1, To: 2})
	z.Ready()
	require.Equal(t, Broadcast, z.Phase())

	// One batch: 1:1 and 1:2 commit; the leader is lost; 3 leads and
	// sends a SNAP at 1:2.
	z.Step(Message{Type: Commit, From: 1, To: 2, Zxid: MakeZxid(1, 2)})
	z.Disconnected(1)
	z.Follow(3)
	z.Step(Message{Type: LeaderInfo, From: 3, To: 2, Epoch: 3, Zxid: MakeZxid(3, 0)})
	z.Step(Message{Type: Snap, From: 3, To: 2, Zxid: MakeZxid(1, 2), Data: []byte("a,b")})
	rd = z.Ready()
	require.NotNil(t, rd.Snapshot)
	assert.Equal(t, MakeZxid(1, 2), rd.Snapshot.Zxid)
	assert.Empty(t, rd.Committed, "the snapshot holds them")
	assert.Equal(t, MakeZxid(1, 2), z.Status().Applied)
}
