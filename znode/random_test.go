package znode

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// dump describes everything a tree holds, for comparing trees.
func dump(t *Tree) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	line := func(path string, n *node) string {
		return fmt.Sprintf("%s data=%q nil=%v acl=%v kind=%d stat=%+v internal=%d/%d digest=%d",
			path, n.data, n.nilData, n.acl.list, n.kind, n.stat(), n.cversion, n.owner, n.digest)
	}
	out := []string{fmt.Sprintf("zxid=%d digest=%d", t.lastZxid, t.digest), line("/", t.root)}
	t.nodes.Ascend(func(it item) bool {
		out = append(out, line(joinPath(it.parent, it.name), it.n))
		return true
	})
	t.sessions.Ascend(func(s sessionEntry) bool {
		out = append(out, fmt.Sprintf("session %d %d", s.id, s.timeout))
		return true
	})
	t.ephemerals.Ascend(func(k ephKey) bool {
		out = append(out, fmt.Sprintf("ephemeral %d %s", k.owner, k.path))
		return true
	})
	t.containers.Ascend(func(p string) bool { out = append(out, "container "+p); return true })
	t.ttls.Ascend(func(p string) bool { out = append(out, "ttl "+p); return true })
	var acls []string
	for k, e := range t.acls {
		acls = append(acls, fmt.Sprintf("acl %q refs=%d", k, e.refs))
	}
	slices.Sort(acls)
	return append(out, acls...)
}

// workload generates random requests over a small namespace, so that
// creates collide, deletes find children, versions go stale, and sessions
// come and go with their ephemerals.
type workload struct {
	r        *rand.Rand
	tree     *Tree // for cleanup candidates
	now      int64
	sessions []int64
	next     int64
}

func (w *workload) path() string {
	depth := 1 + w.r.Intn(3)
	p := ""
	for i := 0; i < depth; i++ {
		p += "/" + string(rune('a'+w.r.Intn(3)))
	}
	return p
}

func (w *workload) session() int64 {
	if len(w.sessions) == 0 || w.r.Intn(20) == 0 {
		return int64(1 + w.r.Intn(40)) // often unknown
	}
	return w.sessions[w.r.Intn(len(w.sessions))]
}

func (w *workload) data() []byte {
	switch w.r.Intn(4) {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	b := make([]byte, w.r.Intn(20))
	w.r.Read(b)
	return b
}

func (w *workload) acl() []ACL {
	switch w.r.Intn(12) {
	case 0:
		return ReadACL
	case 1:
		return CreatorAllACL
	case 2:
		return []ACL{{PermAll &^ PermDelete, Identity{"world", "anyone"}}}
	case 3:
		return nil
	}
	return OpenACL
}

func (w *workload) auth() Auth {
	if w.r.Intn(3) == 0 {
		return Auth{Identities: []Identity{alice}}
	}
	return Auth{}
}

func (w *workload) version() int32 {
	if w.r.Intn(2) == 0 {
		return -1
	}
	return int32(w.r.Intn(3))
}

func (w *workload) op(inMulti bool) Request {
	switch w.r.Intn(8) {
	case 0, 1, 2:
		return CreateRequest{Path: w.path(), Data: w.data(), ACL: w.acl(), Mode: CreateMode(w.r.Intn(7)), TTL: int64(w.r.Intn(3)) * 1000}
	case 3, 4:
		return DeleteRequest{Path: w.path(), Version: w.version()}
	case 5:
		return SetDataRequest{Path: w.path(), Data: w.data(), Version: w.version()}
	case 6:
		if !inMulti || w.r.Intn(10) == 0 {
			return SetACLRequest{Path: w.path(), ACL: w.acl(), Version: w.version()}
		}
	}
	return CheckRequest{Path: w.path(), Version: w.version()}
}

func (w *workload) request() (int64, Request) {
	switch w.r.Intn(30) {
	case 0:
		w.next++
		id := w.next<<8 | 1
		w.sessions = append(w.sessions, id)
		return id, CreateSessionRequest{Timeout: int32(1000 + w.r.Intn(9000))}
	case 1:
		if len(w.sessions) > 0 {
			i := w.r.Intn(len(w.sessions))
			id := w.sessions[i]
			w.sessions = append(w.sessions[:i], w.sessions[i+1:]...)
			return id, CloseSessionRequest{}
		}
	case 2, 3:
		ops := make([]Request, w.r.Intn(5))
		for i := range ops {
			ops[i] = w.op(true)
		}
		return w.session(), MultiRequest{Ops: ops}
	case 4:
		path := w.path()
		if c := w.tree.CleanupCandidates(w.now, 0); len(c) > 0 && w.r.Intn(4) > 0 {
			path = c[w.r.Intn(len(c))]
		}
		return 0, DeleteContainerRequest{Path: path}
	}
	return w.session(), w.op(false)
}

// TestRandomReplicas applies one random txn stream, prepared with many
// writes in flight, to a leader's tree and to a replica fed the encoded
// txns; their digests agree after every txn and match the leader's
// prediction, and snapshots taken along the way (while writes go on)
// round-trip to the same tree and digest.
func TestRandomReplicas(t *testing.T) {
	for seed := int64(1); seed <= 8; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomReplicas(t, seed, 1500) })
	}
}

func randomReplicas(t *testing.T, seed int64, steps int) {
	opts := Options{TTLEnabled: true}
	leader, replica := New(opts), New(opts)
	w := &workload{r: rand.New(rand.NewSource(seed)), tree: leader}
	prep := NewPreparer(leader)
	zxid, now := int64(1)<<32, int64(1_700_000_000_000)
	type pending struct {
		snap *Snapshot
		txns []Txn // applied to the leader after the snapshot
	}
	var snaps []*pending
	var inflight []Txn
	flush := func(n int) {
		for len(inflight) > 0 && n > 0 {
			txn := inflight[0]
			inflight = inflight[1:]
			n--
			b, err := txn.MarshalBinary()
			require.NoError(t, err)
			decoded, err := UnmarshalTxn(b)
			require.NoError(t, err)
			lr, lev := leader.Apply(txn)
			rr, rev := replica.Apply(decoded)
			require.False(t, lr.DigestMismatch, "leader diverged from its prediction at %#x", txn.Header.Zxid)
			require.False(t, rr.DigestMismatch, "replica diverged at %#x", txn.Header.Zxid)
			require.Equal(t, lr, rr)
			require.Equal(t, lev, rev)
			require.Equal(t, leader.Digest(), replica.Digest())
			prep.Applied(txn.Header.Zxid)
			for _, p := range snaps {
				p.txns = append(p.txns, decoded)
			}
			if w.r.Intn(100) == 0 {
				snaps = append(snaps, &pending{snap: leader.Snapshot()})
			}
		}
	}
	for i := 0; i < steps; i++ {
		session, req := w.request()
		zxid++
		now += int64(w.r.Intn(300))
		w.now = now
		txn, err := prep.Prepare(Header{Session: session, Cxid: int32(i), Zxid: zxid, Time: now}, req, w.auth())
		require.NoError(t, err)
		inflight = append(inflight, txn)
		if w.r.Intn(4) == 0 {
			flush(w.r.Intn(len(inflight) + 1))
		}
		if w.r.Intn(200) == 0 {
			// A change of leader: txns in flight are lost.
			inflight = nil
			prep.Reset()
		}
	}
	flush(len(inflight))
	require.Equal(t, dump(leader), dump(replica))
	require.Equal(t, recomputeDigest(leader), leader.Digest())

	// Each snapshot, written after the leader moved on, loads to the tree as
	// it was; replaying the txns after it (and, harmlessly, some before)
	// reaches the leader's tree.
	for _, p := range append(snaps, &pending{snap: leader.Snapshot()}) {
		var buf bytes.Buffer
		_, err := p.snap.WriteTo(&buf)
		require.NoError(t, err)
		loaded, err := ReadSnapshot(&buf, opts)
		require.NoError(t, err)
		require.Equal(t, p.snap.Digest(), loaded.Digest())
		require.Equal(t, p.snap.Zxid(), loaded.LastZxid())
		require.Equal(t, recomputeDigest(loaded), loaded.Digest())
		for _, txn := range p.txns {
			loaded.Apply(txn)
		}
		require.Equal(t, dump(leader), dump(loaded))
	}
}
