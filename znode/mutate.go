package znode

// The changes a txn makes are written once, here, against a store: the
// Tree applies them to itself, and the Preparer applies them to its overlay
// of changes in flight. Both therefore compute the same Stats and the same
// digest, which is what lets the leader put the expected digest in each
// txn for the replicas to check.

// store is what the mutations read and write.
type store interface {
	lookup(path string) *node
	put(path string, old, n *node)
	intern(acl []ACL) *aclEntry
	session(id int64) (timeout int32, live bool)
	putSession(id int64, timeout int32, live bool)
	// ephemeralsOf lists a session's ephemerals that a closeSession txn
	// did not name; the overlay has none, as prepare names them all.
	ephemeralsOf(session int64) []string
}

// undo is one change of a multi, to roll it back.
type undo struct {
	path   string
	old, n *node
}

// events collects the watch events of a txn; nil collects nothing.
type events struct {
	list []Event
	zxid int64
}

func (e *events) add(typ EventType, path string) {
	if e != nil {
		e.list = append(e.list, Event{Type: typ, Path: path, Zxid: e.zxid})
	}
}

// applyOp applies one txn record and returns its outcome. It never panics:
// a record that does not fit its type is ErrMarshallingError.
func applyOp(s store, hdr TxnHeader, typ OpCode, body TxnBody, ev *events) OpResult {
	r := OpResult{Type: typ}
	switch typ {
	case OpCreate, OpCreate2:
		b, ok := body.(*CreateTxn)
		if !ok {
			break
		}
		k, owner := kindPersistent, int64(0)
		if b.Ephemeral && hdr.ClientID != 0 {
			k, owner = kindEphemeral, hdr.ClientID
		}
		r.Path = b.Path
		r.Stat, r.Code = create(s, hdr, b.Path, b.Data, b.ACL, k, owner, b.ParentCVersion, ev)
		return r
	case OpCreateTTL:
		b, ok := body.(*CreateTTLTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		if b.TTL <= 0 || b.TTL > MaxTTL {
			r.Code = ErrBadArguments
			return r
		}
		r.Stat, r.Code = create(s, hdr, b.Path, b.Data, b.ACL, kindTTL, ttlOwner(b.TTL), b.ParentCVersion, ev)
		return r
	case OpCreateContainer:
		b, ok := body.(*CreateContainerTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		r.Stat, r.Code = create(s, hdr, b.Path, b.Data, b.ACL, kindContainer, containerOwner, b.ParentCVersion, ev)
		return r
	case OpDelete, OpDeleteContainer:
		b, ok := body.(*DeleteTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		r.Code = remove(s, hdr.Zxid, b.Path, ev)
		return r
	case OpSetData:
		b, ok := body.(*SetDataTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		r.Stat, r.Code = setData(s, hdr, b.Path, b.Data, b.Version, ev)
		return r
	case OpSetACL:
		b, ok := body.(*SetACLTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		r.Stat, r.Code = setACL(s, b.Path, b.ACL, b.Version)
		return r
	case OpCheck:
		b, ok := body.(*CheckVersionTxn)
		if !ok {
			break
		}
		r.Path = b.Path
		return r
	case OpError:
		b, ok := body.(*ErrorTxn)
		if !ok {
			break
		}
		r.Code = b.Err
		return r
	case OpCreateSession:
		b, ok := body.(*CreateSessionTxn)
		if !ok {
			break
		}
		s.putSession(hdr.ClientID, b.TimeOut, true)
		return r
	case OpCloseSession:
		b, ok := body.(*CloseSessionTxn)
		if !ok {
			break
		}
		closeSession(s, hdr, b.Paths2Delete, ev)
		return r
	}
	r.Code = ErrMarshallingError
	return r
}

// create adds a znode as ZooKeeper's DataTree.createNode does. The
// parent's cversion (its count of child creations) becomes parentCVersion,
// and its pzxid the txn's zxid, only if that raises it; -1 means "one
// more".
func create(s store, hdr TxnHeader, path string, data []byte, acl []ACL, k kind, owner int64, parentCVersion int32, ev *events) (Stat, Code) {
	if path == "/" {
		return Stat{}, ErrNodeExists
	}
	if reason, _ := pathProblem(path); reason != "" {
		return Stat{}, ErrBadArguments
	}
	if len(acl) == 0 {
		return Stat{}, ErrInvalidACL
	}
	parentPath, _, _ := splitPath(path)
	parent := s.lookup(parentPath)
	if parent == nil {
		return Stat{}, ErrNoNode
	}
	if s.lookup(path) != nil {
		return Stat{}, ErrNodeExists
	}
	if parent.kind == kindEphemeral {
		return Stat{}, ErrNoChildrenForEphemerals
	}
	np := parent.clone()
	if parentCVersion == -1 {
		parentCVersion = parent.cversion + 1
	}
	if parentCVersion > parent.cversion {
		np.cversion = parentCVersion
		np.pzxid = hdr.Zxid
	}
	np.numChildren++
	s.put(parentPath, parent, np.seal(parentPath))
	n := &node{
		data:    string(data),
		nilData: data == nil,
		acl:     s.intern(acl),
		czxid:   hdr.Zxid,
		mzxid:   hdr.Zxid,
		pzxid:   hdr.Zxid,
		ctime:   hdr.Time,
		mtime:   hdr.Time,
		owner:   owner,
		kind:    k,
	}
	s.put(path, nil, n.seal(path))
	ev.add(EventNodeCreated, path)
	ev.add(EventNodeChildrenChanged, parentPath)
	return n.stat(), OK
}

// remove deletes a znode as ZooKeeper's DataTree.deleteNode does: the
// parent's pzxid rises to the txn's zxid and its cversion (creations) is
// unchanged. Unlike ZooKeeper, a znode with children is refused, so no
// txn can orphan part of the tree.
func remove(s store, zxid int64, path string, ev *events) Code {
	if isSpecialPath(path) {
		return ErrBadArguments
	}
	parentPath, _, ok := splitPath(path)
	if !ok {
		return ErrBadArguments
	}
	n := s.lookup(path)
	if n == nil {
		return ErrNoNode
	}
	if n.numChildren > 0 {
		return ErrNotEmpty
	}
	parent := s.lookup(parentPath)
	if parent == nil {
		return ErrNoNode
	}
	np := parent.clone()
	np.numChildren--
	if zxid > np.pzxid {
		np.pzxid = zxid
	}
	s.put(parentPath, parent, np.seal(parentPath))
	s.put(path, n, nil)
	ev.add(EventNodeDeleted, path)
	ev.add(EventNodeChildrenChanged, parentPath)
	return OK
}

// setData replaces a znode's data; version is the new data version.
func setData(s store, hdr TxnHeader, path string, data []byte, version int32, ev *events) (Stat, Code) {
	n := s.lookup(path)
	if n == nil {
		return Stat{}, ErrNoNode
	}
	nn := n.clone()
	nn.data = string(data)
	nn.nilData = data == nil
	nn.mtime = hdr.Time
	nn.mzxid = hdr.Zxid
	nn.version = version
	s.put(path, n, nn.seal(path))
	ev.add(EventNodeDataChanged, path)
	return nn.stat(), OK
}

// setACL replaces a znode's ACL; version is the new ACL version. It fires
// no event, as in ZooKeeper.
func setACL(s store, path string, acl []ACL, version int32) (Stat, Code) {
	if len(acl) == 0 {
		return Stat{}, ErrInvalidACL
	}
	n := s.lookup(path)
	if n == nil {
		return Stat{}, ErrNoNode
	}
	nn := n.clone()
	nn.acl = s.intern(acl)
	nn.aversion = version
	s.put(path, n, nn.seal(path))
	return nn.stat(), OK
}

// closeSession ends a session: the listed paths that are still its
// ephemerals are deleted, then any other ephemeral it still owns (as
// ZooKeeper's killSession does), then the session.
func closeSession(s store, hdr TxnHeader, paths []string, ev *events) {
	session := hdr.ClientID
	for _, p := range paths {
		if n := s.lookup(p); n != nil && n.kind == kindEphemeral && n.owner == session {
			remove(s, hdr.Zxid, p, ev)
		}
	}
	for _, p := range s.ephemeralsOf(session) {
		remove(s, hdr.Zxid, p, ev)
	}
	s.putSession(session, 0, false)
}
