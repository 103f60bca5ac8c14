package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the real binary as separate processes, as an operator
// would: zoo.cfg files in, signals to stop, exit statuses out.

// binDir holds the binary built once for the package's tests.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildOnce builds the binary the first time a test needs it; under
// -race the binary is built with -race too.
var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "ensemble-bin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "ensemble")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
})

// proc is one running ensemble process.
type proc struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{} // closed once the process has exited
	code   int           // its exit status, once exited is closed
}

// startBinary starts the binary with args; env nil means this process's
// environment. The process is killed when the test ends, if it still runs.
func startBinary(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	bin, err := buildOnce()
	require.NoError(t, err)
	p := &proc{
		cmd:    exec.Command(bin, args...),
		stdout: newSyncBuffer(),
		stderr: newSyncBuffer(),
		exited: make(chan struct{}),
	}
	p.cmd.Env = env
	p.cmd.Dir = t.TempDir() // nothing it does by mistake lands in the source tree
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait() // the exit status is what the tests look at
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", strings.Join(args, " "), p.stdout, p.stderr)
		}
	})
	return p
}

// waitReady waits for the "ready:" line and returns where clients connect.
func (p *proc) waitReady(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	_, err := p.stdout.waitLine(ctx, p.exited, readyPrefix)
	require.NoError(t, err, "waiting for the peer to be ready; stderr:\n%s", p.stderr)
	return field(t, p.stdout.String(), "clients")
}

// wait waits for the process to exit and returns its exit status.
func (p *proc) wait(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitBound)
	defer cancel()
	select {
	case <-p.exited:
		return p.code
	case <-ctx.Done():
		require.FailNow(t, "the process did not exit", "stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		return -1
	}
}

// stop sends sig and returns the exit status.
func (p *proc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(sig))
	return p.wait(t)
}

// TestBinaryStandaloneZooCfg runs a standalone peer from a zoo.cfg, writes
// through a ZooKeeper client, stops it with SIGTERM, starts it again and
// finds the write, then stops it with SIGINT. Both stops exit 0.
func TestBinaryStandaloneZooCfg(t *testing.T) {
	dir := t.TempDir()
	cfg := writeCfg(t, filepath.Join(dir, "zoo.cfg"),
		"# a standalone zoo.cfg as ZooKeeper ships it, with a port the system picks",
		"tickTime=200",
		"dataDir="+filepath.Join(dir, "data"), // not created beforehand: the peer creates it
		"clientPortAddress=127.0.0.1",
		"clientPort=0",
		"4lw.commands.whitelist=srvr,ruok",
	)

	p := startBinary(t, nil, "serve", "-config", cfg)
	addr := p.waitReady(t)
	assert.Equal(t, "imok", fourLetterWord(t, addr, "ruok"))
	assert.Contains(t, fourLetterWord(t, addr, "srvr"), "Mode: standalone")
	conn := zkConnect(t, addr)
	_, err := conn.Create("/kept", []byte("across restarts"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	conn.Close()
	require.Equal(t, exitOK, p.stop(t, syscall.SIGTERM))
	assert.Contains(t, p.stdout.String(), "\nstopped\n")
	assert.Equal(t, filepath.Join(dir, "data"), field(t, p.stdout.String(), "data"))

	p = startBinary(t, nil, "serve", "-config", cfg)
	addr = p.waitReady(t)
	data, _, err := zkConnect(t, addr).Get("/kept")
	require.NoError(t, err)
	assert.Equal(t, "across restarts", string(data))
	require.Equal(t, exitOK, p.stop(t, syscall.SIGINT))
	assert.Contains(t, p.stdout.String(), "\nstopped\n")
}

// TestBinaryEnsemble runs three processes from three zoo.cfg files, one
// of them with its server lines in a dynamicConfigFile. All get ready,
// one leads, a write on one peer is read on another, and SIGTERM stops
// them all with exit status 0.
func TestBinaryEnsemble(t *testing.T) {
	ports := freePorts(t, 6)
	var servers []string
	for i := range 3 {
		servers = append(servers, fmt.Sprintf("server.%d=127.0.0.1:%d:%d", i+1, ports[2*i], ports[2*i+1]))
	}
	var peers []*proc
	for id := 1; id <= 3; id++ {
		dir := t.TempDir()
		data := filepath.Join(dir, "data")
		require.NoError(t, os.MkdirAll(data, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(data, "myid"), []byte(strconv.Itoa(id)+"\n"), 0o644))
		lines := []string{
			"tickTime=200", "initLimit=10", "syncLimit=5",
			"dataDir=" + data,
			"clientPortAddress=127.0.0.1", "clientPort=0",
		}
		if id == 3 {
			writeCfg(t, filepath.Join(dir, "zoo.cfg.dynamic"), servers...)
			lines = append(lines, "dynamicConfigFile=zoo.cfg.dynamic")
		} else {
			lines = append(lines, servers...)
		}
		cfg := writeCfg(t, filepath.Join(dir, "zoo.cfg"), lines...)
		peers = append(peers, startBinary(t, nil, "serve", "-config", cfg))
	}

	var addrs []string
	modes := map[string]int{}
	for _, p := range peers {
		addr := p.waitReady(t)
		addrs = append(addrs, addr)
		assert.Contains(t, p.stdout.String(), "of 3 (voter)")
		modes[field(t, fourLetterWord(t, addr, "srvr"), "Mode")]++
	}
	assert.Equal(t, map[string]int{"leader": 1, "follower": 2}, modes)

	_, err := zkConnect(t, addrs[0]).Create("/written-on-1", []byte("read on 3"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	on3 := zkConnect(t, addrs[2])
	_, err = on3.Sync("/written-on-1")
	require.NoError(t, err)
	data, _, err := on3.Get("/written-on-1")
	require.NoError(t, err)
	assert.Equal(t, "read on 3", string(data))

	for _, p := range peers {
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	}
	for i, p := range peers {
		assert.Equal(t, exitOK, p.wait(t), "peer %d", i+1)
		assert.Contains(t, p.stdout.String(), "\nstopped\n", "peer %d", i+1)
	}
}

// TestBinaryNoArguments runs "ensemble" with no arguments: a standalone
// peer on 127.0.0.1:2181 with its data in the XDG data directory, which it
// creates. Should another program hold port 2181 on this machine, the peer
// must instead fail clearly, naming the address, with exit status 1.
func TestBinaryNoArguments(t *testing.T) {
	tests := []struct {
		name    string
		xdg     func(root string) string
		wantDir func(root string) string
	}{
		{
			name:    "XDG_DATA_HOME",
			xdg:     func(root string) string { return filepath.Join(root, "xdg") },
			wantDir: func(root string) string { return filepath.Join(root, "xdg", "ensemble") },
		},
		{
			name:    "HOME",
			xdg:     func(string) string { return "" },
			wantDir: func(root string) string { return filepath.Join(root, "home", ".local", "share", "ensemble") },
		},
		{
			name:    "relative XDG_DATA_HOME is ignored",
			xdg:     func(string) string { return "relative/xdg" },
			wantDir: func(root string) string { return filepath.Join(root, "home", ".local", "share", "ensemble") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			env := []string{"HOME=" + filepath.Join(root, "home"), "XDG_DATA_HOME=" + tt.xdg(root)}
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "XDG_DATA_HOME=") {
					env = append(env, kv)
				}
			}
			want := tt.wantDir(root)

			portFree := false
			if ln, err := net.Listen("tcp", defaultClientAddr); err == nil {
				portFree = true
				require.NoError(t, ln.Close())
			}
			p := startBinary(t, env)
			if !portFree {
				assert.Equal(t, exitFailure, p.wait(t))
				assert.Contains(t, p.stderr.String(), defaultClientAddr)
				assert.DirExists(t, want)
				return
			}
			assert.Equal(t, defaultClientAddr, p.waitReady(t))
			assert.Equal(t, want, field(t, p.stdout.String(), "data"))
			assert.DirExists(t, want)
			assert.Contains(t, fourLetterWord(t, defaultClientAddr, "srvr"), "Mode: standalone")
			require.Equal(t, exitOK, p.stop(t, syscall.SIGTERM))
		})
	}
}

// TestBinaryUsageErrors checks the exit status the process itself returns
// for mistakes (the in-process tests cover each mistake's message).
func TestBinaryUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"serve", "-no-such-flag"}, "flag provided but not defined: -no-such-flag"},
		{"missing zoo.cfg", []string{"serve", "-config", filepath.Join(t.TempDir(), "zoo.cfg")}, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startBinary(t, nil, tt.args...)
			assert.Equal(t, exitUsage, p.wait(t))
			assert.Contains(t, p.stderr.String(), tt.want)
		})
	}
}
