package ensemble

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/znode"
)

// snapshotFiles lists the snapshot files in a data directory.
func snapshotFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dataDir, "snap"))
	require.NoError(t, err)
	var snaps []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "snapshot.") && !strings.HasSuffix(e.Name(), ".tmp") {
			snaps = append(snaps, e.Name())
		}
	}
	return snaps
}

func TestSnapshotsAutopurgeAndRecovery(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	cfg := Config{
		DataDir:         dir,
		TickTime:        testTick,
		LogSegmentSize:  16 << 10,
		SnapCount:       20,
		SnapRetainCount: 3,
		PurgeInterval:   testTick,
	}
	n, err := Start(cfg)
	require.NoError(t, err)
	c, err := n.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	for i := 0; i < 300; i++ {
		_, err := c.Create(ctx, fmt.Sprintf("/n%03d", i), []byte("data"), znode.Persistent, nil)
		require.NoError(t, err)
	}
	eventually(t, ctx, "several background snapshots", func() bool { return n.snapshotCount.Load() >= 5 })
	eventually(t, ctx, "autopurge down to 3 snapshots", func() bool { return len(snapshotFiles(t, dir)) <= 3 })
	require.NoError(t, c.Close())
	require.NoError(t, n.Close())

	n, err = Start(cfg)
	require.NoError(t, err)
	defer n.Close()
	assert.Greater(t, n.tree.LastZxid(), int64(0), "recovery should start from a snapshot")
	c, err = n.NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	kids, _, err := c.Children(ctx, "/")
	require.NoError(t, err)
	assert.Len(t, kids, 301)
}

func TestContainersAndTTLNodesAreCleanedUp(t *testing.T) {
	ctx := testContext(t)
	cl := newTestCluster(t, 3, 0, func(c *Config) {
		c.ContainerCheckInterval = testTick
		c.ExtendedTypes = true
	})
	cl.waitReady(ctx)
	c, err := cl.follower().NewClient(ctx, ClientOptions{})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/box", nil, znode.Container, nil)
	require.NoError(t, err)
	_, err = c.Create(ctx, "/box/item", nil, znode.Persistent, nil)
	require.NoError(t, err)
	_, _, err = c.CreateStat(ctx, "/ttl", nil, znode.PersistentWithTTL, nil, 2*testTick)
	require.NoError(t, err)
	_, err = c.Create(ctx, "/keep", nil, znode.Persistent, nil)
	require.NoError(t, err)

	// A container with a child stays; once its last child goes, the leader
	// deletes it. The TTL node goes once its TTL has passed.
	time.Sleep(4 * testTick)
	ok, _, err := c.Exists(ctx, "/box")
	require.NoError(t, err)
	assert.True(t, ok, "a container with a child must stay")
	require.NoError(t, c.Delete(ctx, "/box/item", -1))
	for _, path := range []string{"/box", "/ttl"} {
		eventually(t, ctx, path+" cleaned up", func() bool {
			require.NoError(t, c.Sync(ctx, "/"))
			ok, _, err := c.Exists(ctx, path)
			require.NoError(t, err)
			return !ok
		})
	}
	ok, _, err = c.Exists(ctx, "/keep")
	require.NoError(t, err)
	assert.True(t, ok)
}
