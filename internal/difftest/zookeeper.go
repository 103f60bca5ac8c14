package difftest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ensemble-go/ensemble/wire/wiretest"
)

// InstallHint is the command that installs what the suite needs.
const InstallHint = "apt-get install -y zookeeper python3-kazoo"

// ErrNotInstalled is matched by the error FindZooKeeper and FindKazoo
// return when the software is missing; the message says how to install it.
var ErrNotInstalled = errors.New("difftest: not installed")

// Where Debian's zookeeper package puts Apache ZooKeeper.
var zookeeperJars = []string{
	"/usr/share/java/zookeeper.jar",
}

// ZooKeeperInstall is a located Apache ZooKeeper.
type ZooKeeperInstall struct {
	Java string // the java binary
	Jar  string // zookeeper.jar; its manifest names the other jars
}

// FindZooKeeper locates Debian's Apache ZooKeeper and a java to run it.
// $ZOOKEEPER_JAR overrides the jar's location.
func FindZooKeeper() (ZooKeeperInstall, error) {
	jars := zookeeperJars
	if j := os.Getenv("ZOOKEEPER_JAR"); j != "" {
		jars = []string{j}
	}
	var inst ZooKeeperInstall
	for _, j := range jars {
		if _, err := os.Stat(j); err == nil {
			inst.Jar = j
			break
		}
	}
	if _, err := os.Stat("/usr/share/zookeeper"); inst.Jar == "" || err != nil {
		return inst, fmt.Errorf("%w: Apache ZooKeeper (%s); run: %s", ErrNotInstalled, strings.Join(jars, ", "), InstallHint)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return inst, fmt.Errorf("%w: java for Apache ZooKeeper; run: %s", ErrNotInstalled, InstallHint)
	}
	inst.Java = java
	return inst, nil
}

// ZooKeeperOptions configure a ZooKeeper server.
type ZooKeeperOptions struct {
	TickTime    time.Duration
	Whitelist   string // 4lw.commands.whitelist
	SuperDigest string // zookeeper.DigestAuthenticationProvider.superDigest
	// JVMFlags, when set, replace the flags that make the JVM start fast
	// (a small heap, no optimizing compiler): benchmarks give ZooKeeper
	// the flags it runs with in production instead.
	JVMFlags []string
}

// ZooKeeper is a running Apache ZooKeeper.
type ZooKeeper struct {
	Addr string
	Dir  string
	cmd  *exec.Cmd
	done chan error
}

// StartZooKeeper starts a standalone ZooKeeper on a free port of
// 127.0.0.1 in dir, with TTL nodes enabled, and waits until it serves
// sessions. Stop it with Stop.
func StartZooKeeper(ctx context.Context, inst ZooKeeperInstall, dir string, o ZooKeeperOptions) (*ZooKeeper, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	cfg := fmt.Sprintf(`tickTime=%d
dataDir=%s
clientPort=%d
clientPortAddress=127.0.0.1
4lw.commands.whitelist=%s
admin.enableServer=false
maxClientCnxns=0
`, o.TickTime.Milliseconds(), data, port, o.Whitelist)
	cfgPath := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	args := []string{"-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"}
	if o.JVMFlags != nil {
		args = append([]string{}, o.JVMFlags...)
	}
	args = append(args,
		"-Dzookeeper.extendedTypesEnabled=true",
		"-Dzookeeper.admin.enableServer=false",
	)
	if o.SuperDigest != "" {
		args = append(args, "-Dzookeeper.DigestAuthenticationProvider.superDigest="+o.SuperDigest)
	}
	args = append(args, "-cp", dir+string(os.PathListSeparator)+inst.Jar,
		"org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath)
	log, err := os.Create(filepath.Join(dir, "zookeeper.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(inst.Java, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Dir = dir
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("difftest: starting ZooKeeper: %w", err)
	}
	z := &ZooKeeper{Addr: fmt.Sprintf("127.0.0.1:%d", port), Dir: dir, cmd: cmd, done: make(chan error, 1)}
	go func() { z.done <- cmd.Wait(); log.Close() }()
	if err := z.waitReady(ctx); err != nil {
		z.Stop()
		out, _ := os.ReadFile(filepath.Join(dir, "zookeeper.log"))
		return nil, fmt.Errorf("%w\nZooKeeper's output:\n%s", err, out)
	}
	return z, nil
}

// waitReady polls until a session can be opened.
func (z *ZooKeeper) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		select {
		case err := <-z.done:
			return fmt.Errorf("difftest: ZooKeeper exited: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("difftest: ZooKeeper not serving on %s: %w", z.Addr, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
		c, err := wiretest.Dial(ctx, z.Addr, wiretest.DialOptions{Timeout: time.Second})
		if err == nil {
			ok := c.Response.SessionID != 0
			c.Close()
			if ok {
				return nil
			}
		}
	}
}

// Stop kills the server and waits for it.
func (z *ZooKeeper) Stop() {
	if z.cmd.Process != nil {
		_ = z.cmd.Process.Kill()
	}
	<-z.done
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
