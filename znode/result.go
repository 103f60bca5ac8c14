package znode

// Result is what applying one txn did, for the client's server to reply
// with. For a multi, Ops has one entry per op, exactly as ZooKeeper's
// MultiResponse: on failure, the ops before the failing one report an
// error result with code OK, the failing op its error, and the ops after it
// ErrRuntimeInconsistency.
type Result struct {
	Zxid    int64
	Session int64 // the txn's Header.ClientID
	Cxid    int32
	// Type is the txn's type: the request's op, or OpError for a single
	// request that failed.
	Type OpCode
	// Code is OK, or the error; for a multi, the failing op's error.
	Code Code
	// Path is the created znode's path (with its sequential suffix), or the
	// path the op was on.
	Path string
	// Stat is the znode's Stat after a create, setData or setACL.
	Stat Stat
	// Ops are a multi's per-op results.
	Ops []OpResult
	// Skipped is set when the txn's zxid was not after LastZxid: a replay
	// over a snapshot that already contains it. Nothing was changed.
	Skipped bool
	// DigestMismatch is set when the txn carried a digest and the tree's
	// digest after applying it differs: this replica has diverged.
	DigestMismatch bool
}

// Err returns nil if the txn succeeded, else its Code.
func (r Result) Err() error {
	if r.Code == OK {
		return nil
	}
	return r.Code
}

// OpResult is the outcome of one op of a multi. Type is the op's type, or
// OpError for an error result (ZooKeeper's ErrorResult), whose Code may be
// OK for an op before the failing one.
type OpResult struct {
	Type OpCode
	Code Code
	Path string
	Stat Stat
}
