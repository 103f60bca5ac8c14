package jute

import "github.com/ensemble-go/ensemble/znode"

// ConnectRequest opens or resumes a session: the first frame a client
// sends. ReadOnly is a trailing byte that clients such as go-zookeeper/zk
// and ZooKeeper 3.3 never send; HasReadOnly records whether it was there,
// because ZooKeeper 3.8 (with ZOOKEEPER-4814) echoes it only when sent.
type ConnectRequest struct {
	ProtocolVersion int32
	LastZxidSeen    int64
	TimeOut         int32 // requested session timeout, milliseconds
	SessionID       int64 // 0 asks for a new session
	Passwd          []byte
	ReadOnly        bool
	HasReadOnly     bool
}

// Encode implements Record.
func (r *ConnectRequest) Encode(e *Encoder) {
	e.Int(r.ProtocolVersion)
	e.Long(r.LastZxidSeen)
	e.Int(r.TimeOut)
	e.Long(r.SessionID)
	e.Buffer(r.Passwd)
	if r.HasReadOnly {
		e.Bool(r.ReadOnly)
	}
}

// Decode implements Record. The readOnly byte is read only if present.
func (r *ConnectRequest) Decode(d *Decoder) {
	r.ProtocolVersion = d.Int()
	r.LastZxidSeen = d.Long()
	r.TimeOut = d.Int()
	r.SessionID = d.Long()
	r.Passwd = d.Buffer()
	r.HasReadOnly = d.Err() == nil && d.Remaining() > 0
	r.ReadOnly = r.HasReadOnly && d.Bool()
}

// ConnectResponse answers a ConnectRequest. A refused (expired or
// unknown) session is TimeOut 0, SessionID 0 and a zero password.
type ConnectResponse struct {
	ProtocolVersion int32
	TimeOut         int32 // negotiated session timeout, milliseconds
	SessionID       int64
	Passwd          []byte
	ReadOnly        bool
	HasReadOnly     bool // write the trailing readOnly byte
}

// Encode implements Record.
func (r *ConnectResponse) Encode(e *Encoder) {
	e.Int(r.ProtocolVersion)
	e.Int(r.TimeOut)
	e.Long(r.SessionID)
	e.Buffer(r.Passwd)
	if r.HasReadOnly {
		e.Bool(r.ReadOnly)
	}
}

// Decode implements Record. The readOnly byte is read only if present.
func (r *ConnectResponse) Decode(d *Decoder) {
	r.ProtocolVersion = d.Int()
	r.TimeOut = d.Int()
	r.SessionID = d.Long()
	r.Passwd = d.Buffer()
	r.HasReadOnly = d.Err() == nil && d.Remaining() > 0
	r.ReadOnly = r.HasReadOnly && d.Bool()
}

// RequestHeader starts every request after the handshake.
type RequestHeader struct {
	Xid  int32
	Type znode.OpCode
}

// Encode implements Record.
func (r *RequestHeader) Encode(e *Encoder) {
	e.Int(r.Xid)
	e.Int(int32(r.Type))
}

// Decode implements Record.
func (r *RequestHeader) Decode(d *Decoder) {
	r.Xid = d.Int()
	r.Type = znode.OpCode(d.Int())
}

// ReplyHeader starts every reply and every watch event. Zxid is the
// server's last processed zxid; a non-OK Err usually means no body follows.
type ReplyHeader struct {
	Xid  int32
	Zxid int64
	Err  znode.Code
}

// Encode implements Record.
func (r *ReplyHeader) Encode(e *Encoder) {
	e.Int(r.Xid)
	e.Long(r.Zxid)
	e.Int(int32(r.Err))
}

// Decode implements Record.
func (r *ReplyHeader) Decode(d *Decoder) {
	r.Xid = d.Int()
	r.Zxid = d.Long()
	r.Err = znode.Code(d.Int())
}

// AuthPacket adds an identity to the connection (xid -4): scheme "digest"
// with "user:password", for example.
type AuthPacket struct {
	Type   int32 // always 0
	Scheme string
	Auth   []byte
}

// Encode implements Record.
func (r *AuthPacket) Encode(e *Encoder) {
	e.Int(r.Type)
	e.String(r.Scheme)
	e.Buffer(r.Auth)
}

// Decode implements Record.
func (r *AuthPacket) Decode(d *Decoder) {
	r.Type = d.Int()
	r.Scheme = d.String()
	r.Auth = d.Buffer()
}

// SetWatches re-registers a reconnecting client's watches (op 101, xid -8).
// The server fires at once the events the client missed after
// RelativeZxid.
type SetWatches struct {
	RelativeZxid int64
	DataWatches  []string
	ExistWatches []string
	ChildWatches []string
}

// Encode implements Record.
func (r *SetWatches) Encode(e *Encoder) {
	e.Long(r.RelativeZxid)
	e.Strings(r.DataWatches)
	e.Strings(r.ExistWatches)
	e.Strings(r.ChildWatches)
}

// Decode implements Record.
func (r *SetWatches) Decode(d *Decoder) {
	r.RelativeZxid = d.Long()
	r.DataWatches = d.Strings()
	r.ExistWatches = d.Strings()
	r.ChildWatches = d.Strings()
}

// SetWatches2 is SetWatches with persistent and persistent-recursive
// watches (op 105), sent by clients that have any.
type SetWatches2 struct {
	RelativeZxid               int64
	DataWatches                []string
	ExistWatches               []string
	ChildWatches               []string
	PersistentWatches          []string
	PersistentRecursiveWatches []string
}

// Encode implements Record.
func (r *SetWatches2) Encode(e *Encoder) {
	e.Long(r.RelativeZxid)
	e.Strings(r.DataWatches)
	e.Strings(r.ExistWatches)
	e.Strings(r.ChildWatches)
	e.Strings(r.PersistentWatches)
	e.Strings(r.PersistentRecursiveWatches)
}

// Decode implements Record.
func (r *SetWatches2) Decode(d *Decoder) {
	r.RelativeZxid = d.Long()
	r.DataWatches = d.Strings()
	r.ExistWatches = d.Strings()
	r.ChildWatches = d.Strings()
	r.PersistentWatches = d.Strings()
	r.PersistentRecursiveWatches = d.Strings()
}

// WatcherEvent is a watch notification's body (after a ReplyHeader with
// xid -1). State is the client's KeeperState; the server always sends
// StateSyncConnected.
type WatcherEvent struct {
	Type  znode.EventType
	State int32
	Path  string
}

// StateSyncConnected is the KeeperState the server puts in every event.
const StateSyncConnected int32 = 3

// Encode implements Record.
func (r *WatcherEvent) Encode(e *Encoder) {
	e.Int(int32(r.Type))
	e.Int(r.State)
	e.String(r.Path)
}

// Decode implements Record.
func (r *WatcherEvent) Decode(d *Decoder) {
	r.Type = znode.EventType(d.Int())
	r.State = d.Int()
	r.Path = d.String()
}

// ErrorResponse is the body of a failed op inside a multi's results.
type ErrorResponse struct {
	Err znode.Code
}

// Encode implements Record.
func (r *ErrorResponse) Encode(e *Encoder) { e.Int(int32(r.Err)) }

// Decode implements Record.
func (r *ErrorResponse) Decode(d *Decoder) { r.Err = znode.Code(d.Int()) }
