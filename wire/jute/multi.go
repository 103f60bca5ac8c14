package jute

import (
	"fmt"

	"github.com/ensemble-go/ensemble/znode"
)

// MultiHeader precedes each op of a multi or multiRead request and each of
// its results; one with Done set ends the list.
type MultiHeader struct {
	Type znode.OpCode
	Done bool
	Err  znode.Code
}

// Encode implements Record.
func (r *MultiHeader) Encode(e *Encoder) {
	e.Int(int32(r.Type))
	e.Bool(r.Done)
	e.Int(int32(r.Err))
}

// Decode implements Record.
func (r *MultiHeader) Decode(d *Decoder) {
	r.Type = znode.OpCode(d.Int())
	r.Done = d.Bool()
	r.Err = znode.Code(d.Int())
}

// multiEnd is the header that ends a multi's ops or results.
var multiEnd = MultiHeader{Type: -1, Done: true, Err: -1}

// MultiOp is one op of a multi or multiRead. Request is a pointer to the
// record its Type carries: *CreateRequest for create, create2 and
// createContainer, *CreateTTLRequest, *DeleteRequest, *SetDataRequest or
// *CheckVersionRequest in a multi; *GetChildrenRequest or *GetDataRequest
// in a multiRead.
type MultiOp struct {
	Type    znode.OpCode
	Request Record
}

// MultiRequest is the body of multi (op 14) and multiRead (op 22).
// Decoding accepts the ops of both; which ones a request may hold is the
// server's rule, not the encoding's.
type MultiRequest struct {
	Ops []MultiOp
}

// multiOpRecord returns an empty record for an op allowed in a multi or
// multiRead, or nil.
func multiOpRecord(t znode.OpCode) Record {
	switch t {
	case znode.OpCreate, znode.OpCreate2, znode.OpCreateContainer:
		return new(CreateRequest)
	case znode.OpCreateTTL:
		return new(CreateTTLRequest)
	case znode.OpDelete:
		return new(DeleteRequest)
	case znode.OpSetData:
		return new(SetDataRequest)
	case znode.OpCheck:
		return new(CheckVersionRequest)
	case znode.OpGetChildren:
		return new(GetChildrenRequest)
	case znode.OpGetData:
		return new(GetDataRequest)
	}
	return nil
}

// Encode implements Record.
func (r *MultiRequest) Encode(e *Encoder) {
	for _, op := range r.Ops {
		h := MultiHeader{Type: op.Type, Err: -1}
		h.Encode(e)
		op.Request.Encode(e)
	}
	end := multiEnd
	end.Encode(e)
}

// Decode implements Record. Each op costs at least a 9-byte header, so
// the loop ends with the input.
func (r *MultiRequest) Decode(d *Decoder) {
	r.Ops = r.Ops[:0]
	for d.Err() == nil {
		var h MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		rec := multiOpRecord(h.Type)
		if rec == nil {
			d.Fail(fmt.Errorf("%w: %v in a multi", ErrBadOp, h.Type))
			return
		}
		rec.Decode(d)
		r.Ops = append(r.Ops, MultiOp{Type: h.Type, Request: rec})
	}
}

// MultiResult is one result of a multi or multiRead. Type says which
// fields mean something: znode.OpCreate (Path), znode.OpCreate2 (Path, Stat), znode.OpDelete
// and znode.OpCheck (nothing), znode.OpSetData (Stat), znode.OpGetChildren (Children),
// znode.OpGetData (Data, Stat) and znode.OpError (Err).
type MultiResult struct {
	Type     znode.OpCode
	Err      znode.Code
	Path     string
	Stat     znode.Stat
	Data     []byte
	Children []string
}

// MultiResponse is the body of the reply to multi and multiRead.
type MultiResponse struct {
	Results []MultiResult
}

// Encode implements Record. createContainer and createTTL results are
// written like create2's, which is how ZooKeeper reports them.
func (r *MultiResponse) Encode(e *Encoder) {
	for i := range r.Results {
		res := &r.Results[i]
		h := MultiHeader{Type: res.Type}
		if res.Type == znode.OpError {
			h.Err = res.Err
		}
		h.Encode(e)
		switch res.Type {
		case znode.OpCreate:
			e.String(res.Path)
		case znode.OpCreate2, znode.OpCreateContainer, znode.OpCreateTTL:
			e.String(res.Path)
			e.Stat(&res.Stat)
		case znode.OpSetData:
			e.Stat(&res.Stat)
		case znode.OpGetChildren:
			e.Strings(res.Children)
		case znode.OpGetData:
			e.Buffer(res.Data)
			e.Stat(&res.Stat)
		case znode.OpError:
			e.Int(int32(res.Err))
		}
	}
	end := multiEnd
	end.Encode(e)
}

// Decode implements Record.
func (r *MultiResponse) Decode(d *Decoder) {
	r.Results = r.Results[:0]
	for d.Err() == nil {
		var h MultiHeader
		h.Decode(d)
		if d.Err() != nil || h.Done {
			return
		}
		res := MultiResult{Type: h.Type}
		switch h.Type {
		case znode.OpCreate:
			res.Path = d.String()
		case znode.OpCreate2, znode.OpCreateContainer, znode.OpCreateTTL:
			res.Path = d.String()
			res.Stat = d.Stat()
		case znode.OpDelete, znode.OpCheck:
		case znode.OpSetData:
			res.Stat = d.Stat()
		case znode.OpGetChildren:
			res.Children = d.Strings()
		case znode.OpGetData:
			res.Data = d.Buffer()
			res.Stat = d.Stat()
		case znode.OpError:
			res.Err = znode.Code(d.Int())
		default:
			d.Fail(fmt.Errorf("%w: %v in a multi response", ErrBadOp, h.Type))
			return
		}
		r.Results = append(r.Results, res)
	}
}
