package difftest

import (
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// A missing ZooKeeper or kazoo is an error that says how to install
// them, so the suite fails rather than skips.
func TestMissingSoftwareSaysHowToInstall(t *testing.T) {
	t.Setenv("ZOOKEEPER_JAR", "/nonexistent/zookeeper.jar")
	_, err := FindZooKeeper()
	require.ErrorIs(t, err, ErrNotInstalled)
	assert.Contains(t, err.Error(), InstallHint)

	saved := pythons
	pythons = []string{"/nonexistent/python3"}
	defer func() { pythons = saved }()
	_, err = FindKazoo()
	require.ErrorIs(t, err, ErrNotInstalled)
	assert.Contains(t, err.Error(), InstallHint)
}

func TestRecorderNormalizes(t *testing.T) {
	r := newRecorder()
	r.Stat("a", znode.Stat{Czxid: 0x500000007, Mzxid: 0x500000009, Pzxid: 0x500000007, Ctime: 5, Mtime: 9, EphemeralOwner: 0x1234, DataLength: 2})
	r.Stat("b", znode.Stat{Czxid: 0x500000009, Mzxid: 0x500000009, Pzxid: 0x50000000a, Ctime: 9, Mtime: 9})
	r.Log("session %s, then %s, then %s", r.Session(0x99), r.Session(0x1234), r.Session(0))
	r.Err("nil", nil)
	r.Err("go-zookeeper/zk", zk.ErrNoNode)
	r.Err("unknown to go-zookeeper/zk", errorString("unknown error: -2"))
	r.Err("code", znode.ErrNotEmpty)
	r.Sorted("kids", []string{"b", "a"})
	assert.Equal(t, []string{
		"a: czxid=z1 mzxid=z2 pzxid=z1 version=0 cversion=0 aversion=0 owner=s1 dataLength=2 numChildren=0 times:true",
		"b: czxid=z2 mzxid=z2 pzxid=z3 version=0 cversion=0 aversion=0 owner=0 dataLength=0 numChildren=0 times:true",
		"session s2, then s1, then 0",
		"nil: ok",
		"go-zookeeper/zk: NONODE",
		"unknown to go-zookeeper/zk: RUNTIMEINCONSISTENCY",
		"code: NOTEMPTY",
		"kids: [a b]",
	}, r.Lines())
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestShape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zookeeper version: 3.8.0-abc, built on 2024-12-29 17:54 UTC\nNode count: 12\n", "Zookeeper version: VERSION\nNode count: #\n"},
		{"Zxid: 0x1f\nLatency min/avg/max: 0/0.5/3\n", "Zxid: #\nLatency min/avg/max: #/#/#\n"},
		{"zk_version\t3.8.0\n", "zk_version\tVERSION\n"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, shape(tt.in))
	}
}

// Every scenario has a unique name usable as a path, and those that
// differ on purpose say why and what ensemble answers.
func TestScenariosAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Scenarios() {
		assert.Regexp(t, validName, s.Name)
		assert.False(t, seen[s.Name], "duplicate %s", s.Name)
		seen[s.Name] = true
		assert.Equal(t, s.Differs != "", s.Expect != nil, "%s: Differs and Expect go together", s.Name)
	}
	assert.GreaterOrEqual(t, len(seen), 40)
}
