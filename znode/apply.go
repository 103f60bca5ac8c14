package znode

// Apply applies a txn and returns its result and the watch events it
// fires, in order. It is deterministic: replicas that apply the same txns
// in the same order reach the same tree, Stats and digest.
//
// The events are ZooKeeper's: create fires NodeCreated on the path and
// NodeChildrenChanged on the parent; delete fires NodeDeleted on the path
// (which ZooKeeper also delivers to the path's child watches) and
// NodeChildrenChanged on the parent; setData fires NodeDataChanged; setACL,
// check and the session txns fire nothing except the deletions of a
// closeSession.
//
// A txn whose zxid is not after LastZxid is skipped (Result.Skipped):
// snapshots here are exact, so replaying the log over one starts with txns
// it already holds, and skipping them is what keeps the replay harmless
// (compare ZooKeeper's ZOOKEEPER-3249 and 3127, where fuzzy snapshots made
// such replays revert cversion and pzxid). Every other txn, a failed one
// included, advances LastZxid.
//
// Apply never panics on a txn that does not make sense (a record of the
// wrong type, a path that is not valid, a znode that is missing): that op
// fails with an error code, on every replica alike. A multi is all or
// nothing: if any op fails, the ops before it are rolled back.
func (t *Tree) Apply(txn Txn) (Result, []Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := txn.Header
	res := Result{Zxid: h.Zxid, Session: h.ClientID, Cxid: h.Cxid, Type: h.Type}
	if h.Zxid <= t.lastZxid {
		res.Skipped = true
		return res, nil
	}
	ev := &events{zxid: h.Zxid}
	if h.Type == OpMulti {
		t.applyMulti(h, txn.Body, &res, ev)
	} else {
		r := applyOp(t, h, h.Type, txn.Body, ev)
		res.Code, res.Path, res.Stat = r.Code, r.Path, r.Stat
	}
	t.lastZxid = h.Zxid
	if txn.Digest.Version == DigestVersion && txn.Digest.TreeDigest != t.digest {
		res.DigestMismatch = true
	}
	return res, ev.list
}

// applyMulti applies a MultiTxn as ZooKeeper's DataTree.processTxn does: if
// any op is an error, none is applied, and the ops report OK before the
// first error and ErrRuntimeInconsistency after it.
func (t *Tree) applyMulti(h TxnHeader, body TxnBody, res *Result, ev *events) {
	m, ok := body.(*MultiTxn)
	if !ok {
		res.Code = ErrMarshallingError
		return
	}
	res.Ops = make([]OpResult, len(m.Txns))
	failedAt := -1
	for i, sub := range m.Txns {
		if sub.Type == OpError {
			failedAt = i
			break
		}
	}
	if failedAt < 0 {
		t.journaling, t.journal = true, t.journal[:0]
		for i, sub := range m.Txns {
			if !allowedInMulti(sub.Type) {
				res.Ops[i] = OpResult{Type: sub.Type, Code: ErrMarshallingError}
			} else {
				res.Ops[i] = applyOp(t, h, sub.Type, sub.Body, ev)
			}
			if res.Ops[i].Code != OK {
				failedAt = i
				t.rollback()
				ev.list = ev.list[:0]
				break
			}
		}
		t.journaling = false
		clear(t.journal)
		t.journal = t.journal[:0]
		if failedAt < 0 {
			return
		}
	}
	// The failed shape: each op is an error result.
	code := OK
	for i, sub := range m.Txns {
		c := OK
		switch {
		case i == failedAt:
			if e, ok := sub.Body.(*ErrorTxn); ok && sub.Type == OpError {
				c = e.Err
			} else {
				c = res.Ops[i].Code
			}
		case i > failedAt:
			c = ErrRuntimeInconsistency
			if e, ok := sub.Body.(*ErrorTxn); ok && sub.Type == OpError {
				c = e.Err
			}
		}
		res.Ops[i] = OpResult{Type: OpError, Code: c}
		if code == OK {
			code = c
		}
	}
	res.Code = code
}

// rollback undoes the journaled changes of a multi, newest first.
func (t *Tree) rollback() {
	t.journaling = false
	for i := len(t.journal) - 1; i >= 0; i-- {
		u := t.journal[i]
		t.put(u.path, u.n, u.old)
	}
}

// allowedInMulti reports the op types a MultiTxn may hold.
func allowedInMulti(op OpCode) bool {
	switch op {
	case OpCreate, OpCreate2, OpCreateTTL, OpCreateContainer, OpDelete, OpSetData, OpCheck, OpError:
		return true
	}
	return false
}

// session implements store.
func (t *Tree) session(id int64) (int32, bool) {
	s, ok := t.sessions.Get(sessionEntry{id: id})
	return s.timeout, ok
}

// putSession implements store.
func (t *Tree) putSession(id int64, timeout int32, live bool) {
	if live {
		t.sessions.ReplaceOrInsert(sessionEntry{id: id, timeout: timeout})
	} else {
		t.sessions.Delete(sessionEntry{id: id})
	}
}

// ephemeralsOf implements store.
func (t *Tree) ephemeralsOf(session int64) []string {
	var out []string
	t.ephemerals.AscendGreaterOrEqual(ephKey{owner: session}, func(k ephKey) bool {
		if k.owner != session {
			return false
		}
		out = append(out, k.path)
		return true
	})
	return out
}

var _ store = (*Tree)(nil)
