package difftest

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// Ensemble is the ensemble side of the comparison.
//
// For now it is a wire.Server over wiretest's in-process backend (the
// real znode, Preparer and session parts, applied without replication);
// once the Node serves the client port, this is the one place to start a
// Node instead.
type Ensemble struct {
	Addr    string
	srv     *wire.Server
	backend *wiretest.Backend
	served  chan error
}

// StartEnsemble serves ensemble on a free port of 127.0.0.1, configured
// like the ZooKeeper it is compared with.
func StartEnsemble(o ZooKeeperOptions) (*Ensemble, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	tick := o.TickTime.Milliseconds()
	b, err := wiretest.New(wiretest.Options{
		TickTime: o.TickTime,
		Tree:     znode.Options{TTLEnabled: true, SuperDigest: o.SuperDigest},
		Conf: []wire.KeyValue{
			{Key: "clientPort", Value: port}, {Key: "secureClientPort", Value: "-1"},
			{Key: "dataDir", Value: "/nonexistent"}, {Key: "dataDirSize", Value: "0"},
			{Key: "dataLogDir", Value: "/nonexistent"}, {Key: "dataLogSize", Value: "0"},
			{Key: "tickTime", Value: strconv.FormatInt(tick, 10)}, {Key: "maxClientCnxns", Value: "0"},
			{Key: "minSessionTimeout", Value: strconv.FormatInt(2*tick, 10)},
			{Key: "maxSessionTimeout", Value: strconv.FormatInt(20*tick, 10)},
			{Key: "clientPortListenBacklog", Value: "-1"}, {Key: "serverId", Value: "0"},
		},
	})
	if err != nil {
		ln.Close()
		return nil, err
	}
	var words []string
	for _, w := range strings.Split(o.Whitelist, ",") {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	srv, err := wire.NewServer(wire.Config{
		TickTime:        o.TickTime,
		MaxClientCnxns:  -1,
		FourLetterWords: words,
		SuperDigest:     o.SuperDigest,
	}, b)
	if err != nil {
		ln.Close()
		b.Close()
		return nil, err
	}
	e := &Ensemble{Addr: ln.Addr().String(), srv: srv, backend: b, served: make(chan error, 1)}
	go func() { e.served <- srv.Serve(ln) }()
	return e, nil
}

// Stop closes the server and its backend.
func (e *Ensemble) Stop() error {
	err := e.srv.Close()
	<-e.served
	e.backend.Close()
	return err
}

// tickTime is both servers' tick: short, so expiry scenarios are quick,
// long enough that a loaded test machine does not expire the sessions
// that ping.
const tickTime = 200 * time.Millisecond
