package znode

// Txn is one replicated change, complete and idempotent: the leader's
// Preparer builds it, zab replicates it, wal logs it, and every replica's
// Tree.Apply applies it to reach the same tree. Its records mirror
// ZooKeeper's (zookeeper.jute, module org.apache.zookeeper.txn) field for
// field, so a codec can speak ZooKeeper's own log format; MarshalBinary is
// ensemble's own compact encoding of the same information.
type Txn struct {
	Header TxnHeader
	// Body is one of the *…Txn types below, as Header.Type says: *CreateTxn
	// for OpCreate and OpCreate2, *CreateTTLTxn, *CreateContainerTxn,
	// *DeleteTxn for OpDelete and OpDeleteContainer, *SetDataTxn,
	// *SetACLTxn, *CheckVersionTxn, *CreateSessionTxn, *CloseSessionTxn,
	// *ErrorTxn for OpError, *MultiTxn.
	Body TxnBody
	// Digest is the tree digest expected after applying the txn, as the
	// leader computed it (ZooKeeper's TxnDigest). Version 0 means none.
	Digest TxnDigest
}

// TxnHeader is ZooKeeper's TxnHeader.
type TxnHeader struct {
	ClientID int64 // the session that made the request
	Cxid     int32 // the client's request id
	Zxid     int64
	Time     int64 // milliseconds since the epoch, from the leader's clock
	Type     OpCode
}

// TxnDigest is ZooKeeper's TxnDigest: the digest of the whole tree after
// the txn, and the version of the digest function (DigestVersion).
type TxnDigest struct {
	Version    int32
	TreeDigest uint64
}

// DigestVersion is the version of the tree digest function. It is
// ZooKeeper's (DigestCalculator.DIGEST_VERSION), because the function is
// ZooKeeper's: the same tree has the same digest here and there.
const DigestVersion int32 = 2

// TxnBody is the record of a txn: one of the *…Txn types of this package.
type TxnBody interface {
	isTxnBody()
}

// CreateTxn is ZooKeeper's CreateTxn: a persistent or ephemeral znode.
// ParentCVersion is the parent's count of child creations after this one;
// the sequential suffix, if any, is already in Path.
type CreateTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	Ephemeral      bool // owned by Header.ClientID
	ParentCVersion int32
}

// CreateTTLTxn is ZooKeeper's CreateTTLTxn.
type CreateTTLTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	ParentCVersion int32
	TTL            int64 // milliseconds
}

// CreateContainerTxn is ZooKeeper's CreateContainerTxn.
type CreateContainerTxn struct {
	Path           string
	Data           []byte
	ACL            []ACL
	ParentCVersion int32
}

// DeleteTxn is ZooKeeper's DeleteTxn (for delete and deleteContainer).
type DeleteTxn struct {
	Path string
}

// SetDataTxn is ZooKeeper's SetDataTxn; Version is the new data version.
type SetDataTxn struct {
	Path    string
	Data    []byte
	Version int32
}

// SetACLTxn is ZooKeeper's SetACLTxn; Version is the new ACL version.
type SetACLTxn struct {
	Path    string
	ACL     []ACL
	Version int32
}

// CheckVersionTxn is ZooKeeper's CheckVersionTxn. Like ZooKeeper it records
// the checked version plus one, and applying it changes nothing.
type CheckVersionTxn struct {
	Path    string
	Version int32
}

// CreateSessionTxn is ZooKeeper's CreateSessionTxn: the session
// Header.ClientID is live with this timeout (milliseconds).
type CreateSessionTxn struct {
	TimeOut int32
}

// CloseSessionTxn is ZooKeeper's CloseSessionTxn: the session
// Header.ClientID ends and its ephemerals, listed by the leader at prepare
// time (including those still in flight), are deleted.
type CloseSessionTxn struct {
	Paths2Delete []string
}

// ErrorTxn is ZooKeeper's ErrorTxn: a request that failed validation. It
// changes nothing but still takes a zxid, so its reply is ordered with the
// session's other writes.
type ErrorTxn struct {
	Err Code
}

// MultiTxn is ZooKeeper's MultiTxn. If any sub-txn is an error, none is
// applied.
type MultiTxn struct {
	Txns []SubTxn
}

// SubTxn is one op of a MultiTxn (ZooKeeper's Txn record): its type and
// record. Body is *CreateTxn, *CreateTTLTxn, *CreateContainerTxn,
// *DeleteTxn, *SetDataTxn, *CheckVersionTxn or *ErrorTxn.
type SubTxn struct {
	Type OpCode
	Body TxnBody
}

func (*CreateTxn) isTxnBody()          {}
func (*CreateTTLTxn) isTxnBody()       {}
func (*CreateContainerTxn) isTxnBody() {}
func (*DeleteTxn) isTxnBody()          {}
func (*SetDataTxn) isTxnBody()         {}
func (*SetACLTxn) isTxnBody()          {}
func (*CheckVersionTxn) isTxnBody()    {}
func (*CreateSessionTxn) isTxnBody()   {}
func (*CloseSessionTxn) isTxnBody()    {}
func (*ErrorTxn) isTxnBody()           {}
func (*MultiTxn) isTxnBody()           {}
