package jute

import "github.com/ensemble-go/ensemble/znode"

// CreateRequest creates a node (ops create, create2 and createContainer). Flags is a znode.CreateMode.
type CreateRequest struct {
	Path  string
	Data  []byte
	ACL   []znode.ACL
	Flags znode.CreateMode
}

// Encode implements Record.
func (r *CreateRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	e.ACLs(r.ACL)
	e.Int(int32(r.Flags))
}

// Decode implements Record.
func (r *CreateRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = d.ACLs()
	r.Flags = znode.CreateMode(d.Int())
}

// CreateTTLRequest creates a TTL node (op createTTL); TTL is in milliseconds.
type CreateTTLRequest struct {
	Path  string
	Data  []byte
	ACL   []znode.ACL
	Flags znode.CreateMode
	TTL   int64
}

// Encode implements Record.
func (r *CreateTTLRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	e.ACLs(r.ACL)
	e.Int(int32(r.Flags))
	e.Long(r.TTL)
}

// Decode implements Record.
func (r *CreateTTLRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.ACL = d.ACLs()
	r.Flags = znode.CreateMode(d.Int())
	r.TTL = d.Long()
}

// DeleteRequest deletes a node if its version matches (-1 matches any).
type DeleteRequest struct {
	Path    string
	Version int32
}

// Encode implements Record.
func (r *DeleteRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Int(r.Version)
}

// Decode implements Record.
func (r *DeleteRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Version = d.Int()
}

// ExistsRequest asks for a node's Stat; Watch sets a data or exists watch.
type ExistsRequest struct {
	Path  string
	Watch bool
}

// Encode implements Record.
func (r *ExistsRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Bool(r.Watch)
}

// Decode implements Record.
func (r *ExistsRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Watch = d.Bool()
}

// GetDataRequest reads a node's data and Stat; Watch sets a data watch.
type GetDataRequest struct {
	Path  string
	Watch bool
}

// Encode implements Record.
func (r *GetDataRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Bool(r.Watch)
}

// Decode implements Record.
func (r *GetDataRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Watch = d.Bool()
}

// SetDataRequest replaces a node's data if its version matches (-1 matches any).
type SetDataRequest struct {
	Path    string
	Data    []byte
	Version int32
}

// Encode implements Record.
func (r *SetDataRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Buffer(r.Data)
	e.Int(r.Version)
}

// Decode implements Record.
func (r *SetDataRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Data = d.Buffer()
	r.Version = d.Int()
}

// GetACLRequest reads a node's ACL and Stat.
type GetACLRequest struct {
	Path string
}

// Encode implements Record.
func (r *GetACLRequest) Encode(e *Encoder) {
	e.String(r.Path)
}

// Decode implements Record.
func (r *GetACLRequest) Decode(d *Decoder) {
	r.Path = d.String()
}

// SetACLRequest replaces a node's ACL if its aversion matches (-1 matches any).
type SetACLRequest struct {
	Path    string
	ACL     []znode.ACL
	Version int32
}

// Encode implements Record.
func (r *SetACLRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.ACLs(r.ACL)
	e.Int(r.Version)
}

// Decode implements Record.
func (r *SetACLRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.ACL = d.ACLs()
	r.Version = d.Int()
}

// GetChildrenRequest lists a node's children (op getChildren); Watch sets a child watch.
type GetChildrenRequest struct {
	Path  string
	Watch bool
}

// Encode implements Record.
func (r *GetChildrenRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Bool(r.Watch)
}

// Decode implements Record.
func (r *GetChildrenRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Watch = d.Bool()
}

// GetChildren2Request lists a node's children with its Stat (op getChildren2).
type GetChildren2Request struct {
	Path  string
	Watch bool
}

// Encode implements Record.
func (r *GetChildren2Request) Encode(e *Encoder) {
	e.String(r.Path)
	e.Bool(r.Watch)
}

// Decode implements Record.
func (r *GetChildren2Request) Decode(d *Decoder) {
	r.Path = d.String()
	r.Watch = d.Bool()
}

// CheckVersionRequest checks a node's version (op check), in a multi or alone.
type CheckVersionRequest struct {
	Path    string
	Version int32
}

// Encode implements Record.
func (r *CheckVersionRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Int(r.Version)
}

// Decode implements Record.
func (r *CheckVersionRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Version = d.Int()
}

// SyncRequest asks the server to catch up with the leader before the session's next read.
type SyncRequest struct {
	Path string
}

// Encode implements Record.
func (r *SyncRequest) Encode(e *Encoder) {
	e.String(r.Path)
}

// Decode implements Record.
func (r *SyncRequest) Decode(d *Decoder) {
	r.Path = d.String()
}

// ReconfigRequest changes the ensemble's membership (op reconfig).
type ReconfigRequest struct {
	JoiningServers string
	LeavingServers string
	NewMembers     string
	CurConfigID    int64
}

// Encode implements Record.
func (r *ReconfigRequest) Encode(e *Encoder) {
	e.String(r.JoiningServers)
	e.String(r.LeavingServers)
	e.String(r.NewMembers)
	e.Long(r.CurConfigID)
}

// Decode implements Record.
func (r *ReconfigRequest) Decode(d *Decoder) {
	r.JoiningServers = d.String()
	r.LeavingServers = d.String()
	r.NewMembers = d.String()
	r.CurConfigID = d.Long()
}

// CheckWatchesRequest asks whether the connection has a watch of Type on Path (op checkWatches). Type is a WatcherType.
type CheckWatchesRequest struct {
	Path string
	Type WatcherType
}

// Encode implements Record.
func (r *CheckWatchesRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Int(int32(r.Type))
}

// Decode implements Record.
func (r *CheckWatchesRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Type = WatcherType(d.Int())
}

// RemoveWatchesRequest removes the connection's watches of Type on Path (op removeWatches). Type is a WatcherType.
type RemoveWatchesRequest struct {
	Path string
	Type WatcherType
}

// Encode implements Record.
func (r *RemoveWatchesRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Int(int32(r.Type))
}

// Decode implements Record.
func (r *RemoveWatchesRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Type = WatcherType(d.Int())
}

// GetEphemeralsRequest lists the session's ephemeral nodes whose paths start with PrefixPath.
type GetEphemeralsRequest struct {
	PrefixPath string
}

// Encode implements Record.
func (r *GetEphemeralsRequest) Encode(e *Encoder) {
	e.String(r.PrefixPath)
}

// Decode implements Record.
func (r *GetEphemeralsRequest) Decode(d *Decoder) {
	r.PrefixPath = d.String()
}

// GetAllChildrenNumberRequest counts every descendant of Path.
type GetAllChildrenNumberRequest struct {
	Path string
}

// Encode implements Record.
func (r *GetAllChildrenNumberRequest) Encode(e *Encoder) {
	e.String(r.Path)
}

// Decode implements Record.
func (r *GetAllChildrenNumberRequest) Decode(d *Decoder) {
	r.Path = d.String()
}

// AddWatchRequest sets a persistent or persistent-recursive watch (op addWatch). Mode is an AddWatchMode.
type AddWatchRequest struct {
	Path string
	Mode AddWatchMode
}

// Encode implements Record.
func (r *AddWatchRequest) Encode(e *Encoder) {
	e.String(r.Path)
	e.Int(int32(r.Mode))
}

// Decode implements Record.
func (r *AddWatchRequest) Decode(d *Decoder) {
	r.Path = d.String()
	r.Mode = AddWatchMode(d.Int())
}

// GetSASLRequest carries a SASL token (op sasl).
type GetSASLRequest struct {
	Token []byte
}

// Encode implements Record.
func (r *GetSASLRequest) Encode(e *Encoder) {
	e.Buffer(r.Token)
}

// Decode implements Record.
func (r *GetSASLRequest) Decode(d *Decoder) {
	r.Token = d.Buffer()
}
