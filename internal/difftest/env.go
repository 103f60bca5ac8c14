package difftest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// Env is what a scenario runs with: the server's address, a root path of
// its own, clients, and the Recorder its observations go to.
type Env struct {
	*Recorder
	Addr   string
	Root   string // "/<scenario name>", created before the scenario runs
	python string
	ctx    context.Context
	closes []func()
}

// fatal aborts a scenario whose harness, not server, went wrong.
type fatal struct{ msg string }

// Fatalf aborts the scenario; its transcript ends with the message, so
// the comparison fails and says why.
func (e *Env) Fatalf(format string, args ...any) {
	panic(fatal{fmt.Sprintf(format, args...)})
}

// P returns a path under the scenario's root.
func (e *Env) P(rel string) string { return e.Root + rel }

// Ctx returns the scenario's context.
func (e *Env) Ctx() context.Context { return e.ctx }

// sessionTimeout is what scenario clients ask for: more than the servers'
// maximum (20 ticks), so both clamp it alike.
const sessionTimeout = 30 * time.Second

// ZK opens a go-zookeeper/zk session, labels it, and closes it when the
// scenario ends. Session events are drained.
func (e *Env) ZK() *zk.Conn {
	c, events := e.ZKEvents()
	go func() {
		for range events {
		}
	}()
	return c
}

// ZKEvents is ZK, leaving the session events to the scenario.
func (e *Env) ZKEvents() (*zk.Conn, <-chan zk.Event) {
	c, events, err := zk.Connect([]string{e.Addr}, sessionTimeout, zk.WithLogger(quiet{}), zk.WithMaxConnBufferSize(4<<20))
	if err != nil {
		e.Fatalf("go-zookeeper/zk connect: %v", err)
	}
	e.closes = append(e.closes, c.Close)
	deadline := time.After(20 * time.Second)
	for c.State() != zk.StateHasSession {
		select {
		case <-events:
		case <-deadline:
			e.Fatalf("go-zookeeper/zk: no session within 20s")
		}
	}
	e.Session(c.SessionID())
	return c, events
}

type quiet struct{}

// Printf discards go-zookeeper/zk's log lines.
func (quiet) Printf(string, ...any) {}

// Raw opens a raw jute session with req (zero: a new session) and labels
// it; a refused handshake is returned as an error.
func (e *Env) Raw(req jute.ConnectRequest) (*wiretest.Client, error) {
	if req.TimeOut == 0 {
		req.TimeOut = int32(sessionTimeout.Milliseconds())
	}
	c, err := wiretest.Dial(e.ctx, e.Addr, wiretest.DialOptions{Connect: req})
	if err != nil {
		return nil, err
	}
	e.closes = append(e.closes, func() { c.Close() })
	e.Session(c.Response.SessionID)
	return c, nil
}

// MustRaw is Raw for a handshake that must succeed.
func (e *Env) MustRaw() *wiretest.Client {
	c, err := e.Raw(jute.ConnectRequest{})
	if err != nil {
		e.Fatalf("raw connect: %v", err)
	}
	return c
}

// Call sends a raw request and records the events that came before its
// reply; it returns the reply.
func (e *Env) Call(label string, c *wiretest.Client, xid int32, op znode.OpCode, body jute.Record) wiretest.Reply {
	r, evs, err := c.Call(xid, op, body)
	for _, ev := range evs {
		e.Log("%s: event %s %s", label, EventName(ev.Type), ev.Path)
	}
	if err != nil {
		e.Log("%s: connection: %s", label, connErr(err))
		return wiretest.Reply{Header: jute.ReplyHeader{Err: znode.ErrConnectionLoss}}
	}
	return r
}

// Decode decodes a raw reply's body or aborts.
func (e *Env) Decode(r wiretest.Reply, rec jute.Record) {
	if err := r.Decode(rec); err != nil {
		e.Fatalf("decoding %T: %v", rec, err)
	}
}

// connErr names how a connection ended, the same for both servers.
func connErr(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "EOF"), strings.Contains(s, "reset by peer"), strings.Contains(s, "broken pipe"):
		return "closed by server"
	case strings.Contains(s, "timeout"):
		return "timed out"
	}
	return s
}

// Word sends a four-letter word and returns the answer.
func (e *Env) Word(word string) string {
	out, err := wiretest.FourLetter(e.ctx, e.Addr, word)
	if err != nil {
		e.Fatalf("four-letter word %s: %v", word, err)
	}
	return out
}

// Kazoo runs a kazoo script and records what it printed: stats
// normalized, values as JSON, errors by kazoo's exception name, and
// session ids (a "session" field) as labels.
func (e *Env) Kazoo(script string) {
	lines, err := runKazoo(e.ctx, e.python, e.Addr, e.Root, script)
	if err != nil {
		e.Fatalf("%v", err)
	}
	for _, l := range lines {
		switch {
		case l.Stat != nil:
			s := l.Stat
			e.Stat(l.Label, znode.Stat{
				Czxid: s.Czxid, Mzxid: s.Mzxid, Pzxid: s.Pzxid, Ctime: s.Ctime, Mtime: s.Mtime,
				Version: s.Version, Cversion: s.Cversion, Aversion: s.Aversion,
				EphemeralOwner: s.EphemeralOwner, DataLength: s.DataLength, NumChildren: s.NumChildren,
			})
		case l.Session != nil:
			e.Log("%s: %s", l.Label, e.Session(*l.Session))
		case l.Error != "":
			e.Log("%s: %s", l.Label, l.Error)
		default:
			var v any
			_ = json.Unmarshal(l.Value, &v)
			b, _ := json.Marshal(v)
			e.Log("%s: %s", l.Label, b)
		}
	}
}

// Event waits for a go-zookeeper/zk watch event and records it.
func (e *Env) Event(label string, ch <-chan zk.Event) {
	select {
	case ev := <-ch:
		e.Log("%s: %s %s", label, EventName(znode.EventType(ev.Type)), ev.Path)
	case <-time.After(10 * time.Second):
		e.Log("%s: no event within 10s", label)
	}
}

// NoEvent records whether an event is waiting on ch now. Call it after a
// round trip on the same session: an event fired before that round trip
// is delivered before its reply.
func (e *Env) NoEvent(label string, ch <-chan zk.Event) {
	select {
	case ev := <-ch:
		e.Log("%s: unexpected %s %s", label, EventName(znode.EventType(ev.Type)), ev.Path)
	default:
		e.Log("%s: none", label)
	}
}

// EventName is ZooKeeper's name for an event type.
func EventName(t znode.EventType) string {
	switch t {
	case znode.EventNone:
		return "None"
	case znode.EventNodeCreated:
		return "NodeCreated"
	case znode.EventNodeDeleted:
		return "NodeDeleted"
	case znode.EventNodeDataChanged:
		return "NodeDataChanged"
	case znode.EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	case znode.EventDataWatchRemoved:
		return "DataWatchRemoved"
	case znode.EventChildWatchRemoved:
		return "ChildWatchRemoved"
	case znode.EventPersistentWatchRemoved:
		return "PersistentWatchRemoved"
	}
	return fmt.Sprintf("EventType(%d)", t)
}
