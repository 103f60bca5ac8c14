package wire_test

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/wire/wiretest"
	"github.com/ensemble-go/ensemble/znode"
)

// Each four-letter word's output, in ZooKeeper 3.8's format.
func TestFourLetterWords(t *testing.T) {
	ts := start(t, wire.Config{FourLetterWords: []string{"*"}}, wiretest.Options{
		Conf: []wire.KeyValue{{Key: "clientPort", Value: "2181"}, {Key: "tickTime", Value: "50"}},
	})
	c := ts.dial(t, wiretest.DialOptions{})
	call(t, c, 1, znode.OpCreate, &jute.CreateRequest{Path: "/e", ACL: znode.OpenACL, Flags: znode.Ephemeral})
	call(t, c, 2, znode.OpGetData, &jute.GetDataRequest{Path: "/e", Watch: true})
	sid := regexp.QuoteMeta(hex(c.Response.SessionID))

	version := `Zookeeper version: 3\.8\.0-ensemble, built on \d\d/\d\d/\d\d\d\d \d\d:\d\d GMT\n`
	srvrTail := `Latency min/avg/max: \d+/\d+\.\d+/\d+\nReceived: \d+\nSent: \d+\nConnections: \d+\nOutstanding: 0\nZxid: 0x[0-9a-f]+\nMode: standalone\nNode count: 5\n`
	tests := []struct {
		word string
		want string // a regexp for the whole output
	}{
		{"ruok", `imok`},
		{"srvr", version + srvrTail},
		{"stat", version + `Clients:\n( /127\.0\.0\.1:\d+\[[01]\]\(queued=\d+,recved=\d+,sent=\d+\)\n)+\n` + srvrTail},
		{"cons", `( /127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+,sid=` + sid + `,lop=GETD,est=\d+,to=\d+,lcxid=0x2,lzxid=0x[0-9a-f]+,lresp=\d+,llat=\d+,minlat=\d+,avglat=\d+,maxlat=\d+\)\n)\n`},
		{"mntr", `zk_version\t3\.8\.0-ensemble, built on [^\n]+\nzk_server_state\tstandalone\nzk_ephemerals_count\t1\n(zk_\w+\t[^\n]*\n)+`},
		{"conf", `clientPort=2181\ntickTime=50\n`},
		{"envi", `Environment:\nzookeeper\.version=3\.8\.0-ensemble[^\n]*\nhost\.name=[^\n]*\n(\w+(\.\w+)*=[^\n]*\n)+`},
		{"wchs", `1 connections watching 1 paths\nTotal watches:1\n`},
		{"wchc", sid + `\n\t/e\n\n`},
		{"wchp", `/e\n\t` + sid + `\n\n`},
		{"dump", `SessionTracker dump:\nGlobal Sessions\(1\):\nephemeral nodes dump:\nSessions with Ephemerals \(1\):\n` + sid + `:\n\t/e\nConnections dump:\nConnections Sets \(1\)/\(\d\):\n\d expire at [^\n]+:\n(\tip: /127\.0\.0\.1:\d+ sessionId: 0x[0-9a-f]+\n)+`},
		{"isro", `rw`},
		{"dirs", `datadir_size: 0\nlogdir_size: 0\n`},
		{"gtmk", `\d+`},
		{"hash", ``},
		{"crst", `Connection stats reset\.\n`},
		{"srst", `Server stats reset\.\n`},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			out, err := wiretest.FourLetter(context.Background(), ts.addr, tt.word)
			require.NoError(t, err)
			assert.Regexp(t, regexp.MustCompile(`\A`+tt.want+`\z`), out)
		})
	}
}

// 4lw.commands.whitelist: words not in it are refused with ZooKeeper's
// sentence; bytes that are no word are a frame length, and the
// connection is closed.
func TestFourLetterWordWhitelist(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{}) // default: srvr only
	tests := []struct{ word, want string }{
		{"ruok", "ruok is not executed because it is not in the whitelist.\n"},
		{"mntr", "mntr is not executed because it is not in the whitelist.\n"},
		{"abcd", ""},
	}
	for _, tt := range tests {
		t.Run(tt.word, func(t *testing.T) {
			out, err := wiretest.FourLetter(context.Background(), ts.addr, tt.word)
			require.NoError(t, err)
			assert.Equal(t, tt.want, out)
		})
	}
	out, err := wiretest.FourLetter(context.Background(), ts.addr, "srvr")
	require.NoError(t, err)
	assert.Contains(t, out, "Mode: standalone\n")
}

func hex(id int64) string { return fmt.Sprintf("0x%x", uint64(id)) }

// notServing is a backend without a quorum.
type notServing struct{ *wiretest.Backend }

func (notServing) Status(context.Context, bool) wire.Status { return wire.Status{} }

// A server that is not serving answers as ZooKeeper does without a
// running ZooKeeperServer; ruok still says imok.
func TestFourLetterWordsWhileNotServing(t *testing.T) {
	b, err := wiretest.New(wiretest.Options{})
	require.NoError(t, err)
	defer b.Close()
	srv, err := wire.NewServer(wire.Config{FourLetterWords: []string{"*"}}, notServing{b})
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-served, wire.ErrServerClosed)
	}()
	tests := []struct{ word, want string }{
		{"ruok", "imok"},
		{"srvr", "This ZooKeeper instance is not currently serving requests\n"},
		{"mntr", "This ZooKeeper instance is not currently serving requests\n"},
		{"isro", "null"},
	}
	for _, tt := range tests {
		out, err := wiretest.FourLetter(context.Background(), ln.Addr().String(), tt.word)
		require.NoError(t, err)
		assert.Equal(t, tt.want, out, tt.word)
	}
}
