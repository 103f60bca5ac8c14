package difftest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"
)

// The benchmarks below run Apache ZooKeeper 3.8 and ensemble side by side
// on this machine, each as its own standalone server process on
// 127.0.0.1 with its data on the same disk, and drive both with the same
// go-zookeeper/zk workload. Absolute figures on a shared machine are
// noise; the ratio between the two servers in one run is the result.
//
//	go test ./internal/difftest -run '^$' -bench 'Versus$' -benchtime 5000x
//	go test ./internal/difftest -run '^$' -bench VersusMemory -benchtime 20x

// server is one of the two servers under comparison.
type server struct {
	name string
	addr string
	pid  int
	stop func()
}

var (
	versusOnce    sync.Once
	versusServers []*server
	versusErr     error
)

// versusSetup starts both servers once per benchmark binary.
func versusSetup(b *testing.B) []*server {
	b.Helper()
	versusOnce.Do(func() {
		inst, err := FindZooKeeper()
		if err != nil {
			versusErr = err
			return
		}
		dir, err := os.MkdirTemp("", "versus-")
		if err != nil {
			versusErr = err
			return
		}
		// ZooKeeper as zkServer.sh runs it: a 1 GB heap, the default
		// collector and the optimizing compiler.
		zkDir := filepath.Join(dir, "zookeeper")
		if versusErr = os.MkdirAll(zkDir, 0o755); versusErr != nil {
			return
		}
		z, err := StartZooKeeper(context.Background(), inst, zkDir, ZooKeeperOptions{
			TickTime:  2 * time.Second,
			Whitelist: "*",
			JVMFlags:  []string{"-Xmx1000m"},
		})
		if err != nil {
			versusErr = err
			return
		}
		versusServers = append(versusServers, &server{name: "zookeeper", addr: z.Addr, pid: z.cmd.Process.Pid, stop: func() { z.Stop() }})
		e, err := startEnsembleProcess(filepath.Join(dir, "ensemble"))
		if err != nil {
			versusErr = err
			return
		}
		versusServers = append(versusServers, e)
	})
	require.NoError(b, versusErr, "the comparison needs Debian's zookeeper: run ./scripts/test.sh")
	return versusServers
}

// startEnsembleProcess builds cmd/ensemble and runs it from a zoo.cfg of
// the same settings as ZooKeeper's.
func startEnsembleProcess(dir string) (*server, error) {
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "ensemble")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/ensemble")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building cmd/ensemble: %v\n%s", err, out)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("tickTime=2000\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n4lw.commands.whitelist=*\nmaxClientCnxns=0\n",
		filepath.Join(dir, "data"), port)), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "-config", cfg, "-log-level", "warn")
	cmd.SysProcAttr = dieWithParent()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ready:") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("ensemble did not get ready")
	}
	return &server{
		name: "ensemble",
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		pid:  cmd.Process.Pid,
		stop: func() { cmd.Process.Kill(); cmd.Wait() },
	}, nil
}

// rssMB is a process's resident memory in MB.
func rssMB(pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// connectAll opens n sessions to addr.
func connectAll(b *testing.B, addr string, n int) []*zk.Conn {
	b.Helper()
	conns := make([]*zk.Conn, n)
	for i := range conns {
		c, events, err := zk.Connect([]string{addr}, 30*time.Second, zk.WithLogInfo(false))
		require.NoError(b, err)
		for ev := range events {
			if ev.State == zk.StateHasSession {
				break
			}
		}
		conns[i] = c
	}
	return conns
}

// BenchmarkVersus runs setData and getData of 100 bytes from 1, 32 and
// 256 sessions, each on its own znode, against both servers.
func BenchmarkVersus(b *testing.B) {
	servers := versusSetup(b)
	data := make([]byte, 100)
	for _, op := range []string{"set", "get"} {
		for _, sessions := range []int{1, 32, 256} {
			for _, s := range servers {
				b.Run(fmt.Sprintf("%s/sessions=%d/%s", op, sessions, s.name), func(b *testing.B) {
					conns := connectAll(b, s.addr, sessions)
					defer func() {
						for _, c := range conns {
							c.Close()
						}
					}()
					prefix := fmt.Sprintf("/versus-%s-%d", op, sessions)
					if _, err := conns[0].Create(prefix, nil, 0, zk.WorldACL(zk.PermAll)); err != nil && err != zk.ErrNodeExists {
						require.NoError(b, err)
					}
					for i := range conns {
						p := fmt.Sprintf("%s/%d", prefix, i)
						if _, err := conns[0].Create(p, data, 0, zk.WorldACL(zk.PermAll)); err != nil && err != zk.ErrNodeExists {
							require.NoError(b, err)
						}
					}
					var next atomic.Int64
					lat := make([][]time.Duration, sessions)
					var wg sync.WaitGroup
					b.ResetTimer()
					start := time.Now()
					for i, c := range conns {
						wg.Add(1)
						go func(i int, c *zk.Conn) {
							defer wg.Done()
							p := fmt.Sprintf("%s/%d", prefix, i)
							for next.Add(1) <= int64(b.N) {
								t0 := time.Now()
								var err error
								if op == "set" {
									_, err = c.Set(p, data, -1)
								} else {
									_, _, err = c.Get(p)
								}
								if err != nil {
									b.Error(err)
									return
								}
								lat[i] = append(lat[i], time.Since(t0))
							}
						}(i, c)
					}
					wg.Wait()
					elapsed := time.Since(start)
					b.StopTimer()
					all := slices.Concat(lat...)
					slices.Sort(all)
					if len(all) > 0 {
						b.ReportMetric(float64(len(all))/elapsed.Seconds(), "ops/s")
						b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
						b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
					}
					b.ReportMetric(rssMB(s.pid), "server-RSS-MB")
				})
			}
		}
	}
}

// BenchmarkVersusMemory loads batches of 10,000 znodes of 100 bytes into
// each server (in multis of 100 creates), one batch per iteration, and
// reports the growth of each server's resident memory per znode. Run it
// with a fixed count, such as -benchtime 20x (200,000 znodes).
func BenchmarkVersusMemory(b *testing.B) {
	servers := versusSetup(b)
	data := make([]byte, 100)
	for _, s := range servers {
		b.Run(s.name, func(b *testing.B) {
			conns := connectAll(b, s.addr, 1)
			defer conns[0].Close()
			c := conns[0]
			prefix := fmt.Sprintf("/mem-%d", time.Now().UnixNano())
			_, err := c.Create(prefix, nil, 0, zk.WorldACL(zk.PermAll))
			require.NoError(b, err)
			before := rssMB(s.pid)
			for round := 0; round < b.N; round++ {
				for batch := 0; batch < 100; batch++ {
					ops := make([]interface{}, 100)
					for i := range ops {
						ops[i] = &zk.CreateRequest{Path: fmt.Sprintf("%s/n%d-%d-%d", prefix, round, batch, i), Data: data, Acl: zk.WorldACL(zk.PermAll)}
					}
					_, err := c.Multi(ops...)
					require.NoError(b, err)
				}
			}
			after := rssMB(s.pid)
			b.ReportMetric(after, "server-RSS-MB")
			b.ReportMetric((after-before)*1024*1024/float64(b.N*10000), "RSS-B/znode")
		})
	}
}
