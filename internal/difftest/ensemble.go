package difftest

import (
	"os"
	"strings"
	"time"

	"github.com/ensemble-go/ensemble"
)

// Ensemble is the ensemble side of the comparison: a real ensemble.Node,
// standalone like the ZooKeeper it is compared with, serving the client
// port through the same write pipeline (zab with a quorum of one, the txn
// log with group commit) as a peer of a replicated ensemble.
type Ensemble struct {
	Addr string
	node *ensemble.Node
	dir  string
}

// StartEnsemble starts a standalone Node on a free port of 127.0.0.1,
// configured like the ZooKeeper it is compared with.
func StartEnsemble(o ZooKeeperOptions) (*Ensemble, error) {
	dir, err := os.MkdirTemp("", "difftest-ensemble-")
	if err != nil {
		return nil, err
	}
	var words []string
	for _, w := range strings.Split(o.Whitelist, ",") {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	n, err := ensemble.Start(ensemble.Config{
		DataDir:         dir,
		TickTime:        o.TickTime,
		ClientAddr:      "127.0.0.1:0",
		MaxClientCnxns:  -1,
		FourLetterWords: words,
		SuperDigest:     o.SuperDigest,
		ExtendedTypes:   true,
		LogSegmentSize:  4 << 20,
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	select {
	case <-n.Ready():
	case <-time.After(30 * time.Second):
		n.Close()
		os.RemoveAll(dir)
		return nil, os.ErrDeadlineExceeded
	}
	return &Ensemble{Addr: n.ClientAddr(), node: n, dir: dir}, nil
}

// Stop closes the Node and removes its data.
func (e *Ensemble) Stop() error {
	err := e.node.Close()
	os.RemoveAll(e.dir)
	return err
}

// tickTime is both servers' tick: short, so expiry scenarios are quick,
// long enough that a loaded test machine does not expire the sessions
// that ping.
const tickTime = 200 * time.Millisecond
