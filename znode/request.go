package znode

// Request is a write that the leader's Preparer turns into a txn: what wire
// decodes from a client's packet, or what the in-process client builds.
// Reads are not requests; they are Tree methods.
//
// The concrete types are the *Request structs of this package, as values or
// pointers. Prepare keeps no reference to a request after it returns, except
// that a txn may share the request's Data and ACL slices: do not modify them
// while the txn is in use.
type Request interface {
	// Op is the ZooKeeper op code the request stands for.
	Op() OpCode
	isRequest()
}

// CreateRequest creates a znode (ZooKeeper's create, create2,
// createContainer and createTTL).
//
// TTL is read only for the TTL modes, where it must be in (0, MaxTTL]
// milliseconds; ZooKeeper rejects a createTTL op whose mode is not a TTL mode
// with BadArguments, and wire should do the same before building the request.
type CreateRequest struct {
	Path string
	Data []byte
	ACL  []ACL
	Mode CreateMode
	TTL  int64
}

// DeleteRequest deletes a znode if its data version is Version, or whatever
// its version when Version is -1.
type DeleteRequest struct {
	Path    string
	Version int32
}

// SetDataRequest replaces a znode's data if its data version is Version, or
// whatever its version when Version is -1.
type SetDataRequest struct {
	Path    string
	Data    []byte
	Version int32
}

// SetACLRequest replaces a znode's ACL if its ACL version (aversion) is
// Version, or whatever it is when Version is -1.
type SetACLRequest struct {
	Path    string
	ACL     []ACL
	Version int32
}

// CheckRequest succeeds if the znode exists and its data version is Version
// (any version when -1). It is allowed alone and inside a multi; alone it is
// still a txn, as in ZooKeeper 3.8.
type CheckRequest struct {
	Path    string
	Version int32
}

// MultiRequest is ZooKeeper's multi: its ops (CreateRequest, DeleteRequest,
// SetDataRequest and CheckRequest) succeed or fail together as one txn.
type MultiRequest struct {
	Ops []Request
}

// CreateSessionRequest registers the session of the Header as live, with its
// negotiated timeout in milliseconds. The session's id is Header.Session,
// chosen by the session tracker. ZooKeeper's CreateSessionTxn carries no
// password: every server derives it from the session id, so neither does
// this.
type CreateSessionRequest struct {
	Timeout int32
}

// CloseSessionRequest ends the session of the Header and deletes its
// ephemeral znodes, whether the client asked or the session expired.
type CloseSessionRequest struct{}

// DeleteContainerRequest deletes an empty container or expired TTL znode on
// behalf of the leader's periodic check (see Tree.CleanupCandidates). It is
// re-checked at prepare time, so a node that gained a child or was touched
// since it was chosen survives.
type DeleteContainerRequest struct {
	Path string
}

// Op returns OpCreateContainer for Container, OpCreateTTL for the TTL modes
// and OpCreate otherwise.
func (r CreateRequest) Op() OpCode {
	switch {
	case r.Mode.IsContainer():
		return OpCreateContainer
	case r.Mode.IsTTL():
		return OpCreateTTL
	}
	return OpCreate
}

// Op returns OpDelete.
func (DeleteRequest) Op() OpCode { return OpDelete }

// Op returns OpSetData.
func (SetDataRequest) Op() OpCode { return OpSetData }

// Op returns OpSetACL.
func (SetACLRequest) Op() OpCode { return OpSetACL }

// Op returns OpCheck.
func (CheckRequest) Op() OpCode { return OpCheck }

// Op returns OpMulti.
func (MultiRequest) Op() OpCode { return OpMulti }

// Op returns OpCreateSession.
func (CreateSessionRequest) Op() OpCode { return OpCreateSession }

// Op returns OpCloseSession.
func (CloseSessionRequest) Op() OpCode { return OpCloseSession }

// Op returns OpDeleteContainer.
func (DeleteContainerRequest) Op() OpCode { return OpDeleteContainer }

func (CreateRequest) isRequest()          {}
func (DeleteRequest) isRequest()          {}
func (SetDataRequest) isRequest()         {}
func (SetACLRequest) isRequest()          {}
func (CheckRequest) isRequest()           {}
func (MultiRequest) isRequest()           {}
func (CreateSessionRequest) isRequest()   {}
func (CloseSessionRequest) isRequest()    {}
func (DeleteContainerRequest) isRequest() {}
