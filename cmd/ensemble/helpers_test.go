package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"
)

// waitBound bounds every wait in these tests, so that a peer that never
// gets ready fails the test instead of hanging it. It is not a speed
// requirement: a healthy peer is ready in well under a second.
const waitBound = 60 * time.Second

// syncBuffer is an io.Writer that many goroutines may write while a test
// reads it, and that tells waiters when it grows.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// errStopped says the writer's producer ended before the line came.
var errStopped = errors.New("stopped before the line was written")

// waitLine waits for a complete line starting with prefix and returns it.
// It gives up when ctx ends or stopped is closed.
func (b *syncBuffer) waitLine(ctx context.Context, stopped <-chan struct{}, prefix string) (string, error) {
	for {
		b.mu.Lock()
		text, changed := b.buf.String(), b.changed
		b.mu.Unlock()
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, prefix) && strings.Contains(text, line+"\n") {
				return line, nil
			}
		}
		select {
		case <-changed:
		case <-stopped:
			return "", errStopped
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// field returns what follows "name:" on the first such line of the
// output, such as the client address of "clients: 127.0.0.1:2181".
func field(t *testing.T, out, name string) string {
	t.Helper()
	for line := range strings.Lines(out) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	require.Failf(t, "missing output line", "no %q line in:\n%s", name, out)
	return ""
}

// fourLetterWord sends a four-letter word to a client port and returns
// the whole answer.
func fourLetterWord(t *testing.T, addr, word string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, waitBound)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(waitBound)))
	_, err = io.WriteString(conn, word)
	require.NoError(t, err)
	answer, err := io.ReadAll(conn)
	require.NoError(t, err)
	return string(answer)
}

// freePorts returns n distinct ports on 127.0.0.1 that were free a moment
// ago. They are held open together, so they differ from each other.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// zkConnect opens a go-zookeeper/zk session on a client port: the proof
// that an unchanged ZooKeeper client can use the peer.
func zkConnect(t *testing.T, addr string) *zk.Conn {
	t.Helper()
	conn, _, err := zk.Connect([]string{addr}, 10*time.Second, zk.WithLogger(quietLogger{}))
	require.NoError(t, err)
	t.Cleanup(conn.Close)
	return conn
}

// quietLogger drops go-zookeeper/zk's connection chatter, which could
// otherwise outlive the test that made it.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// writeCfg writes a zoo.cfg (or any properties file) of the lines given
// and returns its path.
func writeCfg(t *testing.T, path string, lines ...string) string {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return path
}
