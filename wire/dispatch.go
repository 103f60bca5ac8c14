package wire

import (
	"errors"
	"fmt"
	"time"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

// dispatch decodes the body of a request whose header is h (from c.dec)
// and queues it. An error closes the connection: errGraceful after a
// reply that ends it, anything else at once.
func (c *conn) dispatch(h jute.RequestHeader) error {
	if h.Xid >= 0 { // pings, auth and setWatches use special xids
		c.st.lastCxid.Store(int64(h.Xid))
	}
	c.st.lastOp.Store(opAbbrev(h.Type))
	s := &slot{xid: h.Xid, op: h.Type, start: time.Now()}
	d := &c.dec
	var closeAfter bool

	switch h.Type {
	case znode.OpPing:
		c.local(s, LocalOp{Op: znode.OpPing})

	case znode.OpCreate, znode.OpCreate2, znode.OpCreateContainer:
		var r jute.CreateRequest
		if r.Decode(d); d.Err() == nil {
			mode := r.Flags
			if h.Type == znode.OpCreateContainer {
				mode = znode.Container // the op decides, whatever the flags say
			}
			return c.write(s, znode.CreateRequest{Path: r.Path, Data: r.Data, ACL: r.ACL, Mode: mode})
		}
	case znode.OpCreateTTL:
		var r jute.CreateTTLRequest
		if r.Decode(d); d.Err() == nil {
			if !r.Flags.IsTTL() {
				c.immediate(s, znode.ErrBadArguments, nil)
				break
			}
			return c.write(s, znode.CreateRequest{Path: r.Path, Data: r.Data, ACL: r.ACL, Mode: r.Flags, TTL: r.TTL})
		}
	case znode.OpDelete:
		var r jute.DeleteRequest
		if r.Decode(d); d.Err() == nil {
			return c.write(s, znode.DeleteRequest{Path: r.Path, Version: r.Version})
		}
	case znode.OpSetData:
		var r jute.SetDataRequest
		if r.Decode(d); d.Err() == nil {
			return c.write(s, znode.SetDataRequest{Path: r.Path, Data: r.Data, Version: r.Version})
		}
	case znode.OpSetACL:
		var r jute.SetACLRequest
		if r.Decode(d); d.Err() == nil {
			return c.write(s, znode.SetACLRequest{Path: r.Path, ACL: r.ACL, Version: r.Version})
		}
	case znode.OpCheck:
		var r jute.CheckVersionRequest
		if r.Decode(d); d.Err() == nil {
			return c.write(s, znode.CheckRequest{Path: r.Path, Version: r.Version})
		}
	case znode.OpMulti:
		var r jute.MultiRequest
		if r.Decode(d); d.Err() == nil {
			req, subOps, code := multiWrite(r)
			if code != znode.OK {
				c.immediate(s, code, nil)
				break
			}
			s.subOps = subOps
			return c.write(s, req)
		}
	case znode.OpMultiRead:
		var r jute.MultiRequest
		if r.Decode(d); d.Err() == nil {
			ops, ok := multiRead(r)
			if !ok {
				// ZooKeeper answers MarshallingError with an empty result list.
				c.immediate(s, znode.ErrMarshallingError, &jute.MultiResponse{})
				break
			}
			c.localOps(s, ops)
		}
	case znode.OpSync:
		var r jute.SyncRequest
		if r.Decode(d); d.Err() == nil {
			return c.sync(s, r.Path)
		}

	case znode.OpExists:
		var r jute.ExistsRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Watch: r.Watch})
		}
	case znode.OpGetData:
		var r jute.GetDataRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Watch: r.Watch})
		}
	case znode.OpGetChildren:
		var r jute.GetChildrenRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Watch: r.Watch})
		}
	case znode.OpGetChildren2:
		var r jute.GetChildren2Request
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Watch: r.Watch})
		}
	case znode.OpGetACL:
		var r jute.GetACLRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path})
		}
	case znode.OpGetAllChildrenNumber:
		var r jute.GetAllChildrenNumberRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path})
		}
	case znode.OpGetEphemerals:
		var r jute.GetEphemeralsRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.PrefixPath})
		}
	case znode.OpAddWatch:
		var r jute.AddWatchRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Mode: int32(r.Mode)})
		}
	case znode.OpCheckWatches:
		var r jute.CheckWatchesRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Mode: int32(r.Type)})
		}
	case znode.OpRemoveWatches:
		var r jute.RemoveWatchesRequest
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Path: r.Path, Mode: int32(r.Type)})
		}
	case znode.OpSetWatches:
		var r jute.SetWatches
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Watches: &jute.SetWatches2{
				RelativeZxid: r.RelativeZxid, DataWatches: r.DataWatches,
				ExistWatches: r.ExistWatches, ChildWatches: r.ChildWatches,
			}})
		}
	case znode.OpSetWatches2:
		var r jute.SetWatches2
		if r.Decode(d); d.Err() == nil {
			c.local(s, LocalOp{Op: h.Type, Watches: &r})
		}

	case znode.OpAuth:
		var r jute.AuthPacket
		if r.Decode(d); d.Err() == nil {
			s.zxid = 0 // ZooKeeper answers auth with zxid 0
			code := c.authenticate(r)
			if code != znode.OK {
				c.srv.stats.authFailed.Add(1)
				s.closeAfter = fmt.Errorf("wire: auth scheme %q failed: %w", r.Scheme, znode.ErrAuthFailed)
				closeAfter = true
			}
			c.immediateAt(s, code, nil)
		}
	case znode.OpWhoAmI:
		c.immediate(s, znode.OK, c.whoAmI())
	case znode.OpSASL:
		// A ZooKeeper without SASL configured answers with an empty
		// token and zxid 0.
		var r jute.GetSASLRequest
		if r.Decode(d); d.Err() == nil {
			s.zxid = 0
			c.immediateAt(s, znode.OK, &jute.SetSASLResponse{})
		}
	case znode.OpReconfig:
		var r jute.ReconfigRequest
		if r.Decode(d); d.Err() == nil {
			c.immediate(s, znode.ErrReconfigDisabled, nil)
		}
	case znode.OpCloseSession:
		s.closeAfter = ErrSessionClosed
		if err := c.write(s, znode.CloseSessionRequest{}); err != nil {
			return err
		}
		return errGraceful

	default:
		// ZooKeeper's UnimplementedRequestProcessor: an error reply with
		// zxid -1, then the connection is closed.
		s.zxid = -1
		s.closeAfter = fmt.Errorf("wire: unknown op %d: %w", int32(h.Type), znode.ErrUnimplemented)
		c.immediateAt(s, znode.ErrUnimplemented, nil)
		closeAfter = true
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%w: %v: %w", ErrBadFrame, h.Type, err)
	}
	if c.isClosed() {
		return errClosedWhileQueueing
	}
	if closeAfter {
		return errGraceful
	}
	return nil
}

var errClosedWhileQueueing = errors.New("wire: connection closed")

// write queues s and hands req to the Backend.
func (c *conn) write(s *slot, req znode.Request) error {
	s.state = slotPending
	if !c.queue(s) {
		return errClosedWhileQueueing
	}
	c.srv.backend.Write(c.caller(), s.xid, req, func(res znode.Result) { c.complete(s, res) })
	return nil
}

// sync queues s and hands the sync to the Backend.
func (c *conn) sync(s *slot, path string) error {
	s.state = slotPending
	s.one[0] = LocalOp{Op: znode.OpSync, Path: path} // remembered for the reply
	s.ops = s.one[:]
	if !c.queue(s) {
		return errClosedWhileQueueing
	}
	c.srv.backend.Sync(c.caller(), s.xid, path, func(res znode.Result) { c.complete(s, res) })
	return nil
}

// local queues s for the writer to run op through Backend.Local.
func (c *conn) local(s *slot, op LocalOp) {
	s.one[0] = op
	c.localOps(s, s.one[:])
}

// localOps queues s for the writer to run ops through Backend.Local.
func (c *conn) localOps(s *slot, ops []LocalOp) {
	s.state = slotLocal
	s.caller = c.caller()
	s.authVer = c.authVer
	s.ops = ops
	c.queue(s)
}

// immediate queues s already answered with code and body, with the
// connection's last zxid.
func (c *conn) immediate(s *slot, code znode.Code, body jute.Record) {
	s.useLast = true
	c.immediateAt(s, code, body)
}

// immediateAt queues s already answered, with the zxid set in s.
func (c *conn) immediateAt(s *slot, code znode.Code, body jute.Record) {
	s.state = slotDone
	s.immediate = true
	s.err = code
	s.body = body
	c.queue(s)
}

// multiWrite turns a decoded multi into the Backend's request, and
// remembers each op's code for the reply. Ops that are not writes make
// the whole multi a MarshallingError, as in ZooKeeper.
func multiWrite(r jute.MultiRequest) (znode.MultiRequest, []znode.OpCode, znode.Code) {
	req := znode.MultiRequest{Ops: make([]znode.Request, 0, len(r.Ops))}
	subOps := make([]znode.OpCode, 0, len(r.Ops))
	for _, op := range r.Ops {
		var q znode.Request
		switch rec := op.Request.(type) {
		case *jute.CreateRequest:
			mode := rec.Flags
			if op.Type == znode.OpCreateContainer {
				mode = znode.Container
			}
			q = znode.CreateRequest{Path: rec.Path, Data: rec.Data, ACL: rec.ACL, Mode: mode}
		case *jute.CreateTTLRequest:
			if !rec.Flags.IsTTL() {
				return req, nil, znode.ErrBadArguments
			}
			q = znode.CreateRequest{Path: rec.Path, Data: rec.Data, ACL: rec.ACL, Mode: rec.Flags, TTL: rec.TTL}
		case *jute.DeleteRequest:
			q = znode.DeleteRequest{Path: rec.Path, Version: rec.Version}
		case *jute.SetDataRequest:
			q = znode.SetDataRequest{Path: rec.Path, Data: rec.Data, Version: rec.Version}
		case *jute.CheckVersionRequest:
			q = znode.CheckRequest{Path: rec.Path, Version: rec.Version}
		default:
			return req, nil, znode.ErrMarshallingError
		}
		req.Ops = append(req.Ops, q)
		subOps = append(subOps, op.Type)
	}
	return req, subOps, znode.OK
}

// multiRead turns a decoded multiRead into local ops; only getChildren
// and getData are allowed.
func multiRead(r jute.MultiRequest) ([]LocalOp, bool) {
	ops := make([]LocalOp, 0, len(r.Ops))
	for _, op := range r.Ops {
		switch rec := op.Request.(type) {
		case *jute.GetChildrenRequest:
			ops = append(ops, LocalOp{Op: znode.OpGetChildren, Path: rec.Path, Watch: rec.Watch})
		case *jute.GetDataRequest:
			ops = append(ops, LocalOp{Op: znode.OpGetData, Path: rec.Path, Watch: rec.Watch})
		default:
			return nil, false
		}
	}
	return ops, true
}
