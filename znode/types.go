package znode

// Zxids, session ids and times are int64, as they are `long` in ZooKeeper's
// jute records; server ids are uint64.

// Stat is a znode's metadata, field for field ZooKeeper's Stat record.
type Stat struct {
	Czxid          int64 // zxid of the txn that created the node
	Mzxid          int64 // zxid of the txn that last modified the node's data
	Ctime          int64 // creation time, milliseconds since the epoch
	Mtime          int64 // last data modification time, milliseconds since the epoch
	Version        int32 // number of changes to the data
	Cversion       int32 // number of changes to the children
	Aversion       int32 // number of changes to the ACL
	EphemeralOwner int64 // owning session of an ephemeral; an encoded kind for container and TTL nodes; else 0
	DataLength     int32 // length of the data
	NumChildren    int32 // number of children
	Pzxid          int64 // zxid of the txn that last changed the children
}

// Perm is a set of ZooKeeper permissions.
type Perm int32

// Permissions, with ZooKeeper's bit values.
const (
	PermRead   Perm = 1 << 0
	PermWrite  Perm = 1 << 1
	PermCreate Perm = 1 << 2
	PermDelete Perm = 1 << 3
	PermAdmin  Perm = 1 << 4
	PermAll    Perm = PermRead | PermWrite | PermCreate | PermDelete | PermAdmin
)

// Identity is an authenticated principal, or the subject of an ACL entry:
// ZooKeeper's Id record, such as {"world", "anyone"},
// {"digest", "user:base64(sha1(user:password))"} or {"ip", "10.0.0.0/8"}.
type Identity struct {
	Scheme string
	ID     string
}

// ACL is one entry of a znode's access control list.
type ACL struct {
	Perms Perm
	Identity
}

// OpenACL is world:anyone with every permission (ZooDefs.Ids.OPEN_ACL_UNSAFE).
var OpenACL = []ACL{{Perms: PermAll, Identity: Identity{Scheme: "world", ID: "anyone"}}}

// ReadACL is world:anyone with read permission (ZooDefs.Ids.READ_ACL_UNSAFE).
var ReadACL = []ACL{{Perms: PermRead, Identity: Identity{Scheme: "world", ID: "anyone"}}}

// CreatorAllACL gives every permission to the creator's authenticated ids
// (ZooDefs.Ids.CREATOR_ALL_ACL).
var CreatorAllACL = []ACL{{Perms: PermAll, Identity: Identity{Scheme: "auth", ID: ""}}}

// CreateMode is the kind of node a create makes, with ZooKeeper's values.
type CreateMode int32

// Create modes.
const (
	Persistent                  CreateMode = 0
	Ephemeral                   CreateMode = 1
	PersistentSequential        CreateMode = 2
	EphemeralSequential         CreateMode = 3
	Container                   CreateMode = 4
	PersistentWithTTL           CreateMode = 5
	PersistentSequentialWithTTL CreateMode = 6
)

// Valid reports whether m is one of ZooKeeper's create modes.
func (m CreateMode) Valid() bool { return m >= Persistent && m <= PersistentSequentialWithTTL }

// IsEphemeral reports whether nodes of this mode belong to a session.
func (m CreateMode) IsEphemeral() bool { return m == Ephemeral || m == EphemeralSequential }

// IsSequential reports whether the server appends a sequence number.
func (m CreateMode) IsSequential() bool {
	return m == PersistentSequential || m == EphemeralSequential || m == PersistentSequentialWithTTL
}

// IsContainer reports whether m is Container.
func (m CreateMode) IsContainer() bool { return m == Container }

// IsTTL reports whether nodes of this mode expire after a TTL.
func (m CreateMode) IsTTL() bool { return m == PersistentWithTTL || m == PersistentSequentialWithTTL }

// EventType is the type of a watch event, with ZooKeeper's values.
type EventType int32

// Event types.
const (
	EventNone                   EventType = -1
	EventNodeCreated            EventType = 1
	EventNodeDeleted            EventType = 2
	EventNodeDataChanged        EventType = 3
	EventNodeChildrenChanged    EventType = 4
	EventDataWatchRemoved       EventType = 5
	EventChildWatchRemoved      EventType = 6
	EventPersistentWatchRemoved EventType = 7
)

// Event is a change to the tree that watches may be waiting for. Apply
// returns the events a txn fires; the session package routes them to the
// watches that are set.
type Event struct {
	Type EventType
	Path string
	Zxid int64 // the txn that fired it
}
