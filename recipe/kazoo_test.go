package recipe_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/recipe"
	"github.com/ensemble-go/ensemble/znode"
)

// debianPython is Debian's python, which has python3-kazoo; the python3
// first on PATH may be another one.
const debianPython = "/usr/bin/python3"

// kazooScript drives a kazoo Lock from commands on stdin, one per line,
// answering on stdout. In "loop", each time it holds the lock it creates
// an ephemeral marker znode, which fails if a Go holder has it too.
const kazooScript = `
import json, sys
from kazoo.client import KazooClient
from kazoo.exceptions import NodeExistsError

hosts, path, marker = sys.argv[1:4]
zk = KazooClient(hosts=hosts, timeout=10)
zk.start(timeout=10)
lock = zk.Lock(path, "kazoo")

def out(*args):
    print(*args, flush=True)

out("ready")
for line in sys.stdin:
    cmd = line.split()
    if not cmd:
        continue
    if cmd[0] == "contenders":
        out("contenders", json.dumps(lock.contenders()))
    elif cmd[0] == "acquire":
        lock.acquire()
        out("acquired")
    elif cmd[0] == "release":
        lock.release()
        out("released")
    elif cmd[0] == "loop":
        for i in range(int(cmd[1])):
            with lock:
                try:
                    zk.create(marker, b"kazoo", ephemeral=True)
                except NodeExistsError:
                    out("overlap", zk.get(marker)[0].decode())
                    sys.exit(1)
                zk.delete(marker)
        out("looped")
    elif cmd[0] == "quit":
        break
zk.stop()
zk.close()
out("bye")
`

// kazooProc is a kazoo process driven by kazooScript.
type kazooProc struct {
	t      *testing.T
	stdin  io.WriteCloser
	lines  chan string
	stderr *bytes.Buffer
	cmd    *exec.Cmd
}

// startKazoo runs kazooScript against the client port addr. A machine
// without kazoo fails the test: the interop check must not pass by being
// skipped.
func startKazoo(t *testing.T, ctx context.Context, addr, path, marker string) *kazooProc {
	t.Helper()
	if err := exec.CommandContext(ctx, debianPython, "-c", "import kazoo").Run(); err != nil {
		t.Fatalf("kazoo is not installed for %s (%v): run ./scripts/test.sh, which installs Debian's python3-kazoo", debianPython, err)
	}
	script := filepath.Join(t.TempDir(), "kazoo_lock.py")
	require.NoError(t, os.WriteFile(script, []byte(kazooScript), 0o644))
	cmd := exec.CommandContext(ctx, debianPython, script, addr, path, marker)
	p := &kazooProc{t: t, lines: make(chan string, 16), stderr: &bytes.Buffer{}, cmd: cmd}
	cmd.Stderr = p.stderr
	var err error
	p.stdin, err = cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(p.lines)
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			p.lines <- s.Text()
		}
	})
	t.Cleanup(func() {
		p.stdin.Close()
		cmd.Process.Kill()
		wg.Wait()
		cmd.Wait()
	})
	p.expect(ctx, "ready")
	return p
}

func (p *kazooProc) send(cmd string) {
	p.t.Helper()
	_, err := fmt.Fprintln(p.stdin, cmd)
	require.NoError(p.t, err)
}

// expect waits for the next line and checks that it starts with want;
// it returns the rest.
func (p *kazooProc) expect(ctx context.Context, want string) string {
	p.t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("kazoo exited before %q; stderr:\n%s", want, p.stderr)
		}
		require.Equal(p.t, want, line[:min(len(want), len(line))], "kazoo said %q; stderr:\n%s", line, p.stderr)
		return line[min(len(want)+1, len(line)):]
	case <-ctx.Done():
		p.t.Fatalf("waiting for kazoo's %q: %v; stderr:\n%s", want, ctx.Err(), p.stderr)
		return ""
	}
}

// kazooNode starts a standalone peer that serves ZooKeeper clients on a
// loopback port.
func kazooNode(t *testing.T) *ensemble.Node {
	t.Helper()
	n, err := ensemble.Start(ensemble.Config{
		DataDir:           t.TempDir(),
		TickTime:          tick,
		MaxSessionTimeout: sessionTimeout,
		LogSegmentSize:    1 << 20,
		ClientAddr:        "127.0.0.1:0",
	})
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	<-n.Ready()
	return n
}

// TestLockWithKazoo: a Go Lock and a kazoo Lock at the same path see each
// other, hand the lock to each other in queue order, and never hold it at
// once.
func TestLockWithKazoo(t *testing.T) {
	ctx := testContext(t)
	n := kazooNode(t)
	const path, marker = "/interop/lock", "/interop/holder"
	py := startKazoo(t, ctx, n.ClientAddr(), path, marker)

	// Hand-over, step by step.
	goLock := recipe.NewLock(newClient(t, n, sessionTimeout), path, "go")
	_, err := goLock.Lock(ctx)
	require.NoError(t, err)
	py.send("contenders")
	var ids []string
	require.NoError(t, json.Unmarshal([]byte(py.expect(ctx, "contenders")), &ids))
	assert.Equal(t, []string{"go"}, ids, "kazoo sees the Go holder")

	py.send("acquire")
	waitFor(t, ctx, "kazoo to queue", func() bool {
		ids, err := goLock.Contenders(ctx)
		return err == nil && len(ids) == 2
	})
	ids, err = goLock.Contenders(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"go", "kazoo"}, ids, "Go sees kazoo queued behind it")
	other := recipe.NewLock(newClient(t, n, sessionTimeout), path, "go-2")
	_, err = other.TryLock(ctx)
	require.ErrorIs(t, err, recipe.ErrLocked)

	require.NoError(t, goLock.Unlock(ctx))
	py.expect(ctx, "acquired")
	_, err = other.TryLock(ctx)
	require.ErrorIs(t, err, recipe.ErrLocked, "kazoo holds it now")
	py.send("release")
	py.expect(ctx, "released")
	_, err = other.TryLock(ctx)
	require.NoError(t, err)
	require.NoError(t, other.Unlock(ctx))

	// Contention: kazoo and two Go contenders take the lock in turn; each
	// holder creates the same ephemeral marker, which fails if another
	// holder has it.
	const rounds = 15
	py.send(fmt.Sprint("loop ", rounds))
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i := range 2 {
		c := newClient(t, n, sessionTimeout)
		l := recipe.NewLock(c, path, fmt.Sprint("go-", i))
		wg.Go(func() {
			for range rounds {
				held, err := l.Lock(ctx)
				if err == nil {
					_, err = c.Create(held, marker, []byte(fmt.Sprint("go-", i)), znode.Ephemeral, nil)
					if errors.Is(err, znode.ErrNodeExists) {
						data, _, _ := c.Get(ctx, marker)
						err = fmt.Errorf("go-%d and %s hold the lock at once", i, data)
					}
				}
				if err == nil {
					err = c.Delete(held, marker, -1)
				}
				if err == nil {
					err = l.Unlock(ctx)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	py.expect(ctx, "looped")
	py.send("quit")
	py.expect(ctx, "bye")
}
