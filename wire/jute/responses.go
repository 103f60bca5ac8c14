package jute

import "github.com/ensemble-go/ensemble/znode"

// CreateResponse answers create: the path created, with any sequence suffix.
type CreateResponse struct {
	Path string
}

// Encode implements Record.
func (r *CreateResponse) Encode(e *Encoder) {
	e.String(r.Path)
}

// Decode implements Record.
func (r *CreateResponse) Decode(d *Decoder) {
	r.Path = d.String()
}

// Create2Response answers create2, createContainer and createTTL.
type Create2Response struct {
	Path string
	Stat znode.Stat
}

// Encode implements Record.
func (r *Create2Response) Encode(e *Encoder) {
	e.String(r.Path)
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *Create2Response) Decode(d *Decoder) {
	r.Path = d.String()
	r.Stat = d.Stat()
}

// ExistsResponse answers exists.
type ExistsResponse struct {
	Stat znode.Stat
}

// Encode implements Record.
func (r *ExistsResponse) Encode(e *Encoder) {
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *ExistsResponse) Decode(d *Decoder) {
	r.Stat = d.Stat()
}

// GetDataResponse answers getData (and reconfig, with the new config).
type GetDataResponse struct {
	Data []byte
	Stat znode.Stat
}

// Encode implements Record.
func (r *GetDataResponse) Encode(e *Encoder) {
	e.Buffer(r.Data)
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *GetDataResponse) Decode(d *Decoder) {
	r.Data = d.Buffer()
	r.Stat = d.Stat()
}

// SetDataResponse answers setData with the node's new Stat.
type SetDataResponse struct {
	Stat znode.Stat
}

// Encode implements Record.
func (r *SetDataResponse) Encode(e *Encoder) {
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *SetDataResponse) Decode(d *Decoder) {
	r.Stat = d.Stat()
}

// GetACLResponse answers getACL.
type GetACLResponse struct {
	ACL  []znode.ACL
	Stat znode.Stat
}

// Encode implements Record.
func (r *GetACLResponse) Encode(e *Encoder) {
	e.ACLs(r.ACL)
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *GetACLResponse) Decode(d *Decoder) {
	r.ACL = d.ACLs()
	r.Stat = d.Stat()
}

// SetACLResponse answers setACL with the node's new Stat.
type SetACLResponse struct {
	Stat znode.Stat
}

// Encode implements Record.
func (r *SetACLResponse) Encode(e *Encoder) {
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *SetACLResponse) Decode(d *Decoder) {
	r.Stat = d.Stat()
}

// GetChildrenResponse answers getChildren.
type GetChildrenResponse struct {
	Children []string
}

// Encode implements Record.
func (r *GetChildrenResponse) Encode(e *Encoder) {
	e.Strings(r.Children)
}

// Decode implements Record.
func (r *GetChildrenResponse) Decode(d *Decoder) {
	r.Children = d.Strings()
}

// GetChildren2Response answers getChildren2.
type GetChildren2Response struct {
	Children []string
	Stat     znode.Stat
}

// Encode implements Record.
func (r *GetChildren2Response) Encode(e *Encoder) {
	e.Strings(r.Children)
	e.Stat(&r.Stat)
}

// Decode implements Record.
func (r *GetChildren2Response) Decode(d *Decoder) {
	r.Children = d.Strings()
	r.Stat = d.Stat()
}

// SyncResponse answers sync with the path it was asked for.
type SyncResponse struct {
	Path string
}

// Encode implements Record.
func (r *SyncResponse) Encode(e *Encoder) {
	e.String(r.Path)
}

// Decode implements Record.
func (r *SyncResponse) Decode(d *Decoder) {
	r.Path = d.String()
}

// GetEphemeralsResponse answers getEphemerals.
type GetEphemeralsResponse struct {
	Ephemerals []string
}

// Encode implements Record.
func (r *GetEphemeralsResponse) Encode(e *Encoder) {
	e.Strings(r.Ephemerals)
}

// Decode implements Record.
func (r *GetEphemeralsResponse) Decode(d *Decoder) {
	r.Ephemerals = d.Strings()
}

// GetAllChildrenNumberResponse answers getAllChildrenNumber.
type GetAllChildrenNumberResponse struct {
	TotalNumber int32
}

// Encode implements Record.
func (r *GetAllChildrenNumberResponse) Encode(e *Encoder) {
	e.Int(r.TotalNumber)
}

// Decode implements Record.
func (r *GetAllChildrenNumberResponse) Decode(d *Decoder) {
	r.TotalNumber = d.Int()
}

// SetSASLResponse answers sasl with the server's token.
type SetSASLResponse struct {
	Token []byte
}

// Encode implements Record.
func (r *SetSASLResponse) Encode(e *Encoder) {
	e.Buffer(r.Token)
}

// Decode implements Record.
func (r *SetSASLResponse) Decode(d *Decoder) {
	r.Token = d.Buffer()
}
