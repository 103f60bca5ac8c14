package difftest

import (
	"context"
	"fmt"
	"regexp"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// Scenario is one differential test: code that drives clients against a
// server and records what it sees.
type Scenario struct {
	Name string // also the root path; letters, digits and '-'
	Run  func(e *Env)
	// Differs, when set, names a known, intended difference from
	// ZooKeeper 3.8 and why; Expect is then ensemble's transcript, which
	// must match, while ZooKeeper's is only shown.
	Differs string
	Expect  []string
}

var validName = regexp.MustCompile(`^[a-z0-9-]+$`)

// Runner runs scenarios against one server.
type Runner struct {
	Addr   string
	Python string // a python3 with kazoo
}

// Run runs s and returns its transcript. A scenario that cannot run (the
// harness failing, not the server) ends its transcript with "FATAL:".
func (r Runner) Run(ctx context.Context, s Scenario) (lines []string) {
	if !validName.MatchString(s.Name) {
		return []string{"FATAL: bad scenario name " + s.Name}
	}
	e := &Env{Recorder: newRecorder(), Addr: r.Addr, Root: "/" + s.Name, python: r.Python, ctx: ctx}
	defer func() {
		for i := len(e.closes) - 1; i >= 0; i-- {
			e.closes[i]()
		}
		if p := recover(); p != nil {
			f, ok := p.(fatal)
			if !ok {
				panic(p)
			}
			lines = append(e.Lines(), "FATAL: "+f.msg)
		}
	}()
	c, err := wiretest.Dial(ctx, r.Addr, wiretest.DialOptions{})
	if err != nil {
		e.Fatalf("connect: %v", err)
	}
	rep, _, err := c.Call(1, znode.OpCreate, &jute.CreateRequest{Path: e.Root, ACL: znode.OpenACL})
	c.Call(2, znode.OpCloseSession, nil)
	c.Close()
	if err != nil || rep.Header.Err != znode.OK {
		e.Fatalf("creating %s: %v %v", e.Root, err, rep.Header.Err)
	}
	s.Run(e)
	return e.Lines()
}

// String names the scenario.
func (s Scenario) String() string { return fmt.Sprintf("scenario %s", s.Name) }
