package difftest

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// options configure both servers alike.
var options = ZooKeeperOptions{
	TickTime: tickTime,
	// Every word but gtmk, so the whitelist rule shows too.
	Whitelist:   "ruok,srvr,stat,mntr,conf,cons,envi,wchs,wchc,wchp,dump,isro,crst,srst,dirs",
	SuperDigest: znode.DigestIdentity("super:secret").ID,
}

// One ZooKeeper per test binary: a JVM takes seconds to start.
var (
	zkOnce sync.Once
	zkInst *ZooKeeper
	zkErr  error
	zkDir  string
)

func zookeeper(t *testing.T) *ZooKeeper {
	t.Helper()
	zkOnce.Do(func() {
		inst, err := FindZooKeeper()
		if err != nil {
			zkErr = err
			return
		}
		zkDir, zkErr = os.MkdirTemp("", "difftest-zookeeper-")
		if zkErr != nil {
			return
		}
		zkInst, zkErr = StartZooKeeper(context.Background(), inst, zkDir, options)
	})
	require.NoError(t, zkErr, "Apache ZooKeeper is needed for the differential suite")
	return zkInst
}

func TestMain(m *testing.M) {
	code := m.Run()
	if zkInst != nil {
		zkInst.Stop()
	}
	if zkDir != "" {
		os.RemoveAll(zkDir)
	}
	os.Exit(code)
}

// TestDifferential runs every scenario against Apache ZooKeeper 3.8 and
// against ensemble and compares the normalized transcripts.
func TestDifferential(t *testing.T) {
	python, err := FindKazoo()
	require.NoError(t, err, "kazoo is needed for the differential suite")
	zk := zookeeper(t)
	ens, err := StartEnsemble(options)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, ens.Stop()) })

	scenarios := Scenarios()
	require.GreaterOrEqual(t, len(scenarios), 40, "the suite promises at least 40 scenarios")
	ctx := context.Background()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			want := Runner{Addr: zk.Addr, Python: python}.Run(ctx, s)
			got := Runner{Addr: ens.Addr, Python: python}.Run(ctx, s)
			if s.Differs != "" {
				t.Logf("known difference (%s):\nZooKeeper:\n%s", s.Differs, join(want))
				assert.Equal(t, join(s.Expect), join(got), "ensemble's intended transcript, then its actual one")
				return
			}
			assert.Equal(t, join(want), join(got), "ZooKeeper's transcript, then ensemble's")
		})
	}
}
