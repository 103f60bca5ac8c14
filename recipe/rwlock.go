package recipe

// RWLock is a distributed read-write lock at one path: any number of
// readers hold it together, or one writer alone. It is ZooKeeper's shared
// lock recipe with kazoo's node names (<uuid hex>__rlock__<sequence> for
// readers, __lock__ for writers), so kazoo's ReadLock and WriteLock
// contend with it, and so does NewLock at the same path (a writer).
//
// Contenders queue in order: a reader waits for the writers queued before
// it, a writer for everyone queued before it. A waiting writer therefore
// holds back readers that come after it, and readers cannot starve it.
type RWLock struct {
	c          Client
	path       string
	identifier string
}

// NewRWLock returns the read-write lock at path. identifier is written
// into every contender's node, for Contenders.
func NewRWLock(c Client, path, identifier string) *RWLock {
	return &RWLock{c: c, path: path, identifier: identifier}
}

// Reader returns a new read-side contender: its Lock blocks while a
// writer queued before it holds or waits for the lock.
func (rw *RWLock) Reader() *Lock {
	return newLock(rw.c, rw.path, rw.identifier, kazooReader)
}

// Writer returns a new write-side contender: its Lock blocks while
// anyone queued before it holds or waits for the lock.
func (rw *RWLock) Writer() *Lock {
	return newLock(rw.c, rw.path, rw.identifier, kazooWriter)
}
