//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zkCliPath is the ZooKeeper shell of Debian's zookeeper package.
const zkCliPath = "/usr/share/zookeeper/bin/zkCli.sh"

// TestZkCli drives Apache ZooKeeper's own shell, zkCli.sh, against a
// standalone peer run from the binary: one zkCli process reads its commands
// from stdin, as an operator types them, and every command's output must
// be what zkCli prints against Apache ZooKeeper (checked by hand against
// ZooKeeper 3.8). A go-zookeeper/zk client alongside reads what the shell
// wrote and makes the changes that fire the shell's watches.
func TestZkCli(t *testing.T) {
	dir := t.TempDir()
	cfg := writeCfg(t, filepath.Join(dir, "zoo.cfg"),
		"tickTime=200",
		"dataDir="+filepath.Join(dir, "data"),
		"clientPortAddress=127.0.0.1",
		"clientPort=0",
	)
	addr := startBinary(t, nil, "serve", "-config", cfg).waitReady(t)
	gozk := zkConnect(t, addr)
	cli := startZkCli(t, addr)

	// Each want is the whole output of its command, as a regular
	// expression. zkCli prints errors such as "Node does not exist" on
	// stderr, which the test reads together with stdout.
	steps := []struct {
		cmd  string
		want string
	}{
		{"create /zkcli hello", `Created /zkcli\n`},
		{"create -e /zkcli-eph e", `Created /zkcli-eph\n`},
		{"create /zkcli/child c", `Created /zkcli/child\n`},
		{"create -s /zkcli/seq- s", `Created /zkcli/seq-0000000001\n`},
		{"create /zkcli again", `Node already exists: /zkcli\n`},
		{"ls /zkcli", `\[child, seq-0000000001\]\n`},
		{"ls /", `\[zkcli, zkcli-eph, zookeeper\]\n`},
		{"get /zkcli", `hello\n`},
		{"set /zkcli world", ``},
		{"set -v 7 /zkcli stale", `version No is not valid : /zkcli\n`},
		{"get /zkcli", `world\n`},
		{"stat /zkcli", statOutput(2, 1, "0x0", 5, 2)},
		{"get -s /zkcli/child", `c\n` + statOutput(0, 0, "0x0", 1, 0)},
		{"get /missing", `Node does not exist: /missing\n`},
		{"delete /zkcli", `Node not empty: /zkcli\n`},
		{"getAcl /zkcli", `'world,'anyone\n: cdrwa\n`},
	}
	for _, s := range steps {
		assert.Regexp(t, "^"+s.want+"$", cli.do(t, s.cmd), "zkCli: %s", s.cmd)
	}

	// What the shell wrote, another client reads.
	data, _, err := gozk.Get("/zkcli")
	require.NoError(t, err)
	assert.Equal(t, "world", string(data))
	_, st, err := gozk.Get("/zkcli-eph")
	require.NoError(t, err)
	require.NotZero(t, st.EphemeralOwner)
	assert.Contains(t, cli.do(t, "stat /zkcli-eph"),
		"\nephemeralOwner = 0x"+strconv.FormatInt(st.EphemeralOwner, 16)+"\n",
		"the shell's ephemeral is owned by the shell's session")

	// Watches the shell sets fire on changes another client makes.
	assert.Equal(t, "world\n", cli.do(t, "get -w /zkcli"))
	_, err = gozk.Set("/zkcli", []byte("from go"), -1)
	require.NoError(t, err)
	cli.await(t, "WATCHER::\n\nWatchedEvent state:SyncConnected type:NodeDataChanged path:/zkcli\n")

	assert.Equal(t, "[child, seq-0000000001]\n", cli.do(t, "ls -w /zkcli"))
	_, err = gozk.Create("/zkcli/from-go", nil, 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	cli.await(t, "WATCHER::\n\nWatchedEvent state:SyncConnected type:NodeChildrenChanged path:/zkcli\n")
	assert.Equal(t, "from go\n", cli.do(t, "get /zkcli"))

	for _, p := range []string{"/zkcli/child", "/zkcli/seq-0000000001", "/zkcli/from-go", "/zkcli"} {
		assert.Empty(t, cli.do(t, "delete "+p), "zkCli: delete %s", p)
	}
	assert.Equal(t, "[zkcli-eph, zookeeper]\n", cli.do(t, "ls /"))

	// An exists watch on a missing node fires when the node is created.
	assert.Equal(t, "Node does not exist: /zkcli\n", cli.do(t, "stat -w /zkcli"))
	_, err = gozk.Create("/zkcli", nil, 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	cli.await(t, "WATCHER::\n\nWatchedEvent state:SyncConnected type:NodeCreated path:/zkcli\n")

	// quit closes the session: the shell exits cleanly and its
	// ephemeral is gone.
	assert.Equal(t, "[]\n\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n", cli.quit(t))
	_, err = gozk.Sync("/zkcli-eph")
	require.NoError(t, err)
	ok, _, err := gozk.Exists("/zkcli-eph")
	require.NoError(t, err)
	assert.False(t, ok, "the shell's ephemeral outlived its session")
}

// statOutput is a regular expression for the lines zkCli prints for a
// Stat; the zxids and times are whatever they are, the rest is given.
func statOutput(cversion, dataVersion int, owner string, dataLength, numChildren int) string {
	return fmt.Sprintf(`cZxid = 0x[0-9a-f]+\nctime = .+\nmZxid = 0x[0-9a-f]+\nmtime = .+\npZxid = 0x[0-9a-f]+\n`+
		`cversion = %d\ndataVersion = %d\naclVersion = 0\nephemeralOwner = %s\ndataLength = %d\nnumChildren = %d\n`,
		cversion, dataVersion, regexp.QuoteMeta(owner), dataLength, numChildren)
}

// zkCli is one running zkCli.sh reading commands from a pipe.
type zkCli struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *syncBuffer // stdout and stderr, in the order zkCli wrote them
	exited chan struct{}
	read   int // how much of out the test has consumed
	steps  int // markers used so far
}

// startZkCli starts zkCli.sh against addr and waits until its session is
// connected. It fails, rather than skips, when Debian's ZooKeeper is not
// installed: the test is part of the suite scripts/test.sh runs.
func startZkCli(t *testing.T, addr string) *zkCli {
	t.Helper()
	_, err := os.Stat(zkCliPath)
	require.NoError(t, err, "Debian's Apache ZooKeeper shell is missing; run ./scripts/test.sh, which installs the zookeeper package")
	c := &zkCli{
		cmd:    exec.Command(zkCliPath, "-server", addr),
		out:    newSyncBuffer(),
		exited: make(chan struct{}),
	}
	// A JVM that starts quickly; the shell needs little of it.
	c.cmd.Env = append(os.Environ(), "CLIENT_JVMFLAGS=-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
	c.cmd.Dir = t.TempDir()
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	// zkCli.sh runs java as its child, so killing the script alone would
	// leave the JVM behind: kill its whole process group instead.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.stdin, err = c.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, c.cmd.Start())
	go func() {
		_ = c.cmd.Wait() // quit checks the exit status
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
		if t.Failed() {
			t.Logf("zkCli output:\n%s", c.out)
		}
	})
	c.await(t, "WatchedEvent state:SyncConnected type:None path:null\n")
	return c
}

// do runs one command and returns all it printed. zkCli runs commands in
// order, so a marker command after it, whose answer is known, shows where
// its output ends.
func (c *zkCli) do(t *testing.T, command string) string {
	t.Helper()
	c.steps++
	marker := fmt.Sprintf("/zkcli-test-marker-%d", c.steps)
	_, err := fmt.Fprintf(c.stdin, "%s\nget %s\n", command, marker)
	require.NoError(t, err)
	start := c.read
	c.await(t, "Node does not exist: "+marker+"\n")
	out := c.out.String()[start:c.read]
	return strings.TrimSuffix(out, "Node does not exist: "+marker+"\n")
}

// await waits until zkCli has printed want after what the test has
// consumed, and consumes up to its end.
func (c *zkCli) await(t *testing.T, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	exited := false
	for {
		c.out.mu.Lock()
		text, changed := c.out.buf.String(), c.out.changed
		c.out.mu.Unlock()
		if i := strings.Index(text[c.read:], want); i >= 0 {
			c.read += i + len(want)
			return
		}
		if exited {
			require.FailNow(t, "zkCli exited", "waiting for %q", want)
		}
		select {
		case <-changed:
		case <-c.exited:
			exited = true // look once more: Wait has copied all output
		case <-ctx.Done():
			require.FailNow(t, "zkCli did not print", "waiting for %q after %s", want, waitBound)
		}
	}
}

// quit ends the shell with its quit command and returns what it printed
// after the last command; the shell must exit with status 0. zkCli exits
// with the status of the last command before quit, and the markers fail
// on purpose, so a command that succeeds goes first.
func (c *zkCli) quit(t *testing.T) string {
	t.Helper()
	_, err := io.WriteString(c.stdin, "ls /zkcli\nquit\n")
	require.NoError(t, err)
	require.NoError(t, c.stdin.Close())
	select {
	case <-c.exited:
	case <-time.After(waitBound):
		require.FailNow(t, "zkCli did not exit after quit")
	}
	assert.Equal(t, 0, c.cmd.ProcessState.ExitCode())
	return c.out.String()[c.read:]
}
