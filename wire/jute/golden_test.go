package jute

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// unhex turns a commented hex listing into bytes: each line's text after
// "//" is ignored, as are spaces.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		clean.WriteString(strings.ReplaceAll(strings.ReplaceAll(line, " ", ""), "\t", ""))
	}
	b, err := hex.DecodeString(clean.String())
	require.NoError(t, err)
	return b
}

var sampleStat = znode.Stat{
	Czxid: 0x100000002, Mzxid: 0x100000003, Ctime: 1700000000000, Mtime: 1700000000001,
	Version: 1, Cversion: 2, Aversion: 3, EphemeralOwner: 0x7f, DataLength: 5, NumChildren: 6,
	Pzxid: 0x100000004,
}

const sampleStatHex = `
	0000000100000002 0000000100000003       // czxid, mzxid
	0000018bcfe56800 0000018bcfe56801       // ctime, mtime
	00000001 00000002 00000003              // version, cversion, aversion
	000000000000007f                        // ephemeralOwner
	00000005 00000006                       // dataLength, numChildren
	0000000100000004                        // pzxid
`

// The expected bytes are written from zookeeper.jute's field lists, not
// from the encoder: a mistake in field order or width shows here.
var goldenCases = []struct {
	name string
	rec  Record
	hex  string
}{
	{"ConnectRequest without readOnly", &ConnectRequest{LastZxidSeen: 0x10, TimeOut: 30000, Passwd: make([]byte, 16)}, `
			00000000                 // protocolVersion
			0000000000000010         // lastZxidSeen
			00007530                 // timeOut 30000
			0000000000000000         // sessionId
			00000010 00000000000000000000000000000000 // passwd, 16 bytes
		`},
	{"ConnectRequest with readOnly", &ConnectRequest{TimeOut: 4000, SessionID: 0x1234, Passwd: []byte{9}, ReadOnly: true, HasReadOnly: true}, `
			00000000 0000000000000000 00000fa0 0000000000001234
			00000001 09              // passwd
			01                       // readOnly
		`},
	{"ConnectResponse", &ConnectResponse{TimeOut: 4000, SessionID: -1, Passwd: []byte{1, 2}}, `
			00000000 00000fa0 ffffffffffffffff 00000002 0102
		`},
	{"ConnectResponse null passwd with readOnly", &ConnectResponse{HasReadOnly: true}, `
			00000000 00000000 0000000000000000 ffffffff 00
		`},
	{"RequestHeader", &RequestHeader{Xid: 7, Type: znode.OpCreate2}, `00000007 0000000f`},
	{"ReplyHeader", &ReplyHeader{Xid: -1, Zxid: 0x200000001, Err: znode.ErrNoNode}, `
			ffffffff 0000000200000001 ffffff9b
		`},
	{"AuthPacket", &AuthPacket{Scheme: "digest", Auth: []byte("u:p")}, `
			00000000 00000006 646967657374 00000003 753a70
		`},
	{"SetWatches", &SetWatches{RelativeZxid: 5, DataWatches: []string{"/a"}, ExistWatches: []string{}, ChildWatches: nil}, `
			0000000000000005
			00000001 00000002 2f61   // dataWatches ["/a"]
			00000000                 // existWatches []
			ffffffff                 // childWatches null
		`},
	{"SetWatches2", &SetWatches2{RelativeZxid: 1, DataWatches: []string{}, ExistWatches: []string{}, ChildWatches: []string{}, PersistentWatches: []string{"/p"}, PersistentRecursiveWatches: []string{"/r"}}, `
			0000000000000001 00000000 00000000 00000000
			00000001 00000002 2f70
			00000001 00000002 2f72
		`},
	{"WatcherEvent", &WatcherEvent{Type: znode.EventNodeDataChanged, State: StateSyncConnected, Path: "/x"}, `
			00000003 00000003 00000002 2f78
		`},
	{"ErrorResponse", &ErrorResponse{Err: znode.ErrBadVersion}, `ffffff99`},
	{"CreateRequest", &CreateRequest{Path: "/n", Data: []byte("hi"), ACL: znode.OpenACL, Flags: znode.EphemeralSequential}, `
			00000002 2f6e            // path
			00000002 6869            // data
			00000001                 // one ACL
			0000001f                 // perms ALL
			00000005 776f726c64      // world
			00000006 616e796f6e65    // anyone
			00000003                 // flags
		`},
	{"CreateTTLRequest null data", &CreateTTLRequest{Path: "/t", ACL: []znode.ACL{}, Flags: znode.PersistentWithTTL, TTL: 1000}, `
			00000002 2f74 ffffffff 00000000 00000005 00000000000003e8
		`},
	{"DeleteRequest", &DeleteRequest{Path: "/d", Version: -1}, `00000002 2f64 ffffffff`},
	{"ExistsRequest", &ExistsRequest{Path: "/e", Watch: true}, `00000002 2f65 01`},
	{"GetDataRequest", &GetDataRequest{Path: "/g"}, `00000002 2f67 00`},
	{"SetDataRequest", &SetDataRequest{Path: "/s", Data: []byte{}, Version: 3}, `00000002 2f73 00000000 00000003`},
	{"GetACLRequest", &GetACLRequest{Path: "/"}, `00000001 2f`},
	{"SetACLRequest", &SetACLRequest{Path: "/", ACL: []znode.ACL{{Perms: znode.PermRead, Identity: znode.Identity{Scheme: "ip", ID: "10.0.0.0/8"}}}, Version: 0}, `
			00000001 2f 00000001 00000001 00000002 6970 0000000a 31302e302e302e302f38 00000000
		`},
	{"GetChildrenRequest", &GetChildrenRequest{Path: "/c", Watch: true}, `00000002 2f63 01`},
	{"GetChildren2Request", &GetChildren2Request{Path: "/c"}, `00000002 2f63 00`},
	{"CheckVersionRequest", &CheckVersionRequest{Path: "/v", Version: 9}, `00000002 2f76 00000009`},
	{"SyncRequest", &SyncRequest{Path: "/"}, `00000001 2f`},
	{"ReconfigRequest", &ReconfigRequest{JoiningServers: "a", CurConfigID: -1}, `
			00000001 61 00000000 00000000 ffffffffffffffff
		`},
	{"CheckWatchesRequest", &CheckWatchesRequest{Path: "/w", Type: WatcherData}, `00000002 2f77 00000002`},
	{"RemoveWatchesRequest", &RemoveWatchesRequest{Path: "/w", Type: WatcherAny}, `00000002 2f77 00000003`},
	{"GetEphemeralsRequest", &GetEphemeralsRequest{PrefixPath: "/"}, `00000001 2f`},
	{"GetAllChildrenNumberRequest", &GetAllChildrenNumberRequest{Path: "/"}, `00000001 2f`},
	{"AddWatchRequest", &AddWatchRequest{Path: "/a", Mode: AddWatchPersistentRecursive}, `00000002 2f61 00000001`},
	{"GetSASLRequest", &GetSASLRequest{Token: []byte{0xff}}, `00000001 ff`},
	{"CreateResponse", &CreateResponse{Path: "/n0000000001"}, `0000000c 2f6e30303030303030303031`},
	{"Create2Response", &Create2Response{Path: "/n", Stat: sampleStat}, `00000002 2f6e` + sampleStatHex},
	{"ExistsResponse", &ExistsResponse{Stat: sampleStat}, sampleStatHex},
	{"GetDataResponse", &GetDataResponse{Data: []byte("hello"), Stat: sampleStat}, `00000005 68656c6c6f` + sampleStatHex},
	{"SetDataResponse", &SetDataResponse{Stat: sampleStat}, sampleStatHex},
	{"GetACLResponse", &GetACLResponse{ACL: znode.ReadACL, Stat: sampleStat}, `
			00000001 00000001 00000005 776f726c64 00000006 616e796f6e65` + sampleStatHex},
	{"SetACLResponse", &SetACLResponse{Stat: sampleStat}, sampleStatHex},
	{"GetChildrenResponse", &GetChildrenResponse{Children: []string{"a", "bc"}}, `00000002 00000001 61 00000002 6263`},
	{"GetChildren2Response", &GetChildren2Response{Children: []string{}, Stat: sampleStat}, `00000000` + sampleStatHex},
	{"SyncResponse", &SyncResponse{Path: "/"}, `00000001 2f`},
	{"GetEphemeralsResponse", &GetEphemeralsResponse{Ephemerals: []string{"/e"}}, `00000001 00000002 2f65`},
	{"GetAllChildrenNumberResponse", &GetAllChildrenNumberResponse{TotalNumber: 42}, `0000002a`},
	{"SetSASLResponse", &SetSASLResponse{}, `ffffffff`},
	{"WhoAmIResponse", &WhoAmIResponse{ClientInfo: []ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}}, `
			00000001 00000002 6970 00000009 3132372e302e302e31
		`},
	{"MultiHeader", &MultiHeader{Type: znode.OpCheck, Err: -1}, `0000000d 00 ffffffff`},
	{"MultiRequest", &MultiRequest{Ops: []MultiOp{
		{Type: znode.OpCreate, Request: &CreateRequest{Path: "/m", ACL: []znode.ACL{}}},
		{Type: znode.OpCheck, Request: &CheckVersionRequest{Path: "/m", Version: 0}},
	}}, `
			00000001 00 ffffffff     // header: create
			00000002 2f6d ffffffff 00000000 00000000
			0000000d 00 ffffffff     // header: check
			00000002 2f6d 00000000
			ffffffff 01 ffffffff     // end
		`},
	{"MultiResponse", &MultiResponse{Results: []MultiResult{
		{Type: znode.OpCreate, Path: "/m"},
		{Type: znode.OpDelete},
		{Type: znode.OpError, Err: znode.ErrNoNode},
		{Type: znode.OpGetData, Data: []byte("d"), Stat: sampleStat},
	}}, `
			00000001 00 00000000 00000002 2f6d
			00000002 00 00000000
			ffffffff 00 ffffff9b ffffff9b   // error header carries the code, then ErrorResponse
			00000004 00 00000000 00000001 64` + sampleStatHex + `
			ffffffff 01 ffffffff
		`},
}

func TestGoldenEncodings(t *testing.T) {
	for _, tt := range goldenCases {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, tt.hex)
			assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(Marshal(tt.rec)))
		})
	}
}
