package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/znode"
)

// run is the whole tour, step by step, written to out. Data goes in a new
// directory under tmpRoot ("" for the system's temporary directory), which
// is removed before run returns. The first step that does not go as
// expected ends the tour with an error.
func run(ctx context.Context, out io.Writer, tmpRoot string, logger hclog.Logger) (err error) {
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	// step announces a step, unless the context has ended: then the tour
	// stops where it is.
	step := func(format string, args ...any) error {
		if err := context.Cause(ctx); err != nil {
			return fmt.Errorf("stopped before step %s: %w", format[:1], err)
		}
		say(format, args...)
		return nil
	}

	c, err := newCluster(tmpRoot, logger)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, c.close()) }()

	// 1. Three peers elect a leader.
	if err := step("1. starting peers 1, 2 and 3 on 127.0.0.1 (tickTime %v), data in %s", tickTime, c.dir); err != nil {
		return err
	}
	for _, id := range c.ids() {
		if _, err := c.start(id); err != nil {
			return err
		}
	}
	for _, id := range c.ids() {
		if err := c.waitReady(ctx, id); err != nil {
			return err
		}
	}
	leader, err := c.waitLeader(ctx)
	if err != nil {
		return err
	}
	followers := c.others(leader)
	say("   peer %d leads; peers %d and %d follow", leader, followers[0], followers[1])

	// 2. Writes through a session on a follower; the follower forwards
	// them to the leader and answers once it has applied them.
	writer, err := c.nodes[followers[0]].NewClient(ctx, ensemble.ClientOptions{Timeout: sessionTimeout})
	if err != nil {
		return fmt.Errorf("opening a session on peer %d: %w", followers[0], err)
	}
	defer func() { err = errors.Join(err, writer.Close()) }()
	written := map[string]string{}
	create := func(cl *ensemble.Client, path, data string, mode znode.CreateMode) error {
		got, err := cl.Create(ctx, path, []byte(data), mode, nil)
		if err != nil {
			return err
		}
		written[got] = data
		say("   created %s = %q", got, data)
		return nil
	}
	if err := step("2. writing through a session on peer %d (a follower)", followers[0]); err != nil {
		return err
	}
	for _, w := range []struct {
		path, data string
		mode       znode.CreateMode
	}{
		{"/demo", "", znode.Persistent},
		{"/demo/config", "v1", znode.Persistent},
		{"/demo/jobs", "", znode.Persistent},
		{"/demo/jobs/job-", "first", znode.PersistentSequential},
		{"/demo/jobs/job-", "second", znode.PersistentSequential},
	} {
		if err := create(writer, w.path, w.data, w.mode); err != nil {
			return err
		}
	}

	// 3. A watch set on the other follower fires when the data changes,
	// whichever peer the change came through.
	watcher, err := c.nodes[followers[1]].NewClient(ctx, ensemble.ClientOptions{Timeout: sessionTimeout})
	if err != nil {
		return fmt.Errorf("opening a session on peer %d: %w", followers[1], err)
	}
	defer func() { err = errors.Join(err, watcher.Close()) }()
	// Sync first: peer followers[1] may not have applied the creates yet.
	if err := watcher.Sync(ctx, "/demo/config"); err != nil {
		return err
	}
	data, _, events, err := watcher.GetW(ctx, "/demo/config")
	if err != nil {
		return err
	}
	if err := step("3. peer %d reads /demo/config = %q and watches it", followers[1], data); err != nil {
		return err
	}
	if _, err := writer.Set(ctx, "/demo/config", []byte("v2"), -1); err != nil {
		return err
	}
	written["/demo/config"] = "v2"
	say("   peer %d sets /demo/config = \"v2\"", followers[0])
	select {
	case ev, ok := <-events:
		if !ok {
			return fmt.Errorf("the watch on peer %d ended without an event: %v", followers[1], watcher.Err())
		}
		if ev.Type != znode.EventNodeDataChanged || ev.Path != "/demo/config" {
			return fmt.Errorf("the watch on peer %d got %s %s, want NodeDataChanged /demo/config", followers[1], eventName(ev.Type), ev.Path)
		}
		say("   peer %d's watch fired: %s %s at zxid %#x", followers[1], eventName(ev.Type), ev.Path, ev.Zxid)
	case <-ctx.Done():
		return fmt.Errorf("waiting for the watch on peer %d: %w", followers[1], context.Cause(ctx))
	}

	// 4. The leader goes away; the two survivors are still a quorum.
	if err := step("4. closing peer %d, the leader", leader); err != nil {
		return err
	}
	if err := c.stop(leader); err != nil {
		return err
	}
	oldLeader := leader
	if leader, err = c.waitLeader(ctx); err != nil {
		return err
	}
	say("   peer %d now leads, peer %d follows", leader, c.others(leader)[0])

	// 5. Nothing acknowledged was lost, and the ensemble takes writes.
	if err := step("5. checking the survivors"); err != nil {
		return err
	}
	for _, cl := range []struct {
		id     uint64
		client *ensemble.Client
	}{{followers[0], writer}, {followers[1], watcher}} {
		if err := check(ctx, cl.client, written); err != nil {
			return fmt.Errorf("peer %d: %w", cl.id, err)
		}
		say("   peer %d has all %d znodes written so far, and the same data", cl.id, len(written))
	}
	if err := create(writer, "/demo/after-failover", "written with peer "+fmt.Sprint(oldLeader)+" down", znode.Persistent); err != nil {
		return fmt.Errorf("writing after the failover: %w", err)
	}
	if err := create(writer, "/demo/jobs/job-", "third", znode.PersistentSequential); err != nil {
		return fmt.Errorf("writing after the failover: %w", err)
	}

	// 6. The old leader comes back, as a follower, and catches up from
	// the leader: the txns it missed, or a snapshot.
	if err := step("6. restarting peer %d from its data directory", oldLeader); err != nil {
		return err
	}
	back, err := c.start(oldLeader)
	if err != nil {
		return err
	}
	if err := c.waitReady(ctx, oldLeader); err != nil {
		return err
	}
	if _, err := c.waitLeader(ctx); err != nil {
		return err
	}
	returned, err := back.NewClient(ctx, ensemble.ClientOptions{Timeout: sessionTimeout})
	if err != nil {
		return fmt.Errorf("opening a session on peer %d: %w", oldLeader, err)
	}
	defer func() { err = errors.Join(err, returned.Close()) }()
	if err := check(ctx, returned, written); err != nil {
		return fmt.Errorf("peer %d after its restart: %w", oldLeader, err)
	}
	// With every peer synced and no write in flight, all have applied the
	// same txns.
	for _, cl := range []*ensemble.Client{writer, watcher} {
		if err := cl.Sync(ctx, "/"); err != nil {
			return err
		}
	}
	zxids := map[uint64]int64{}
	for id, n := range c.nodes {
		zxids[id] = n.LastZxid()
	}
	if slices.Min(slices.Collect(maps.Values(zxids))) != slices.Max(slices.Collect(maps.Values(zxids))) {
		return fmt.Errorf("the peers applied different txns: last zxids %v", zxids)
	}
	say("   peer %d is back as %s with all %d znodes; every peer is at zxid %#x", oldLeader, back.Role(), len(written), back.LastZxid())

	if err := step("7. closing the sessions and the peers, removing %s", c.dir); err != nil {
		return err
	}
	return nil
}

// check reads every written znode through cl, after a sync so that the
// peer has applied everything the leader committed, and compares the data.
func check(ctx context.Context, cl *ensemble.Client, written map[string]string) error {
	if err := cl.Sync(ctx, "/"); err != nil {
		return err
	}
	for _, path := range slices.Sorted(maps.Keys(written)) {
		data, _, err := cl.Get(ctx, path)
		if err != nil {
			return err
		}
		if string(data) != written[path] {
			return fmt.Errorf("%s = %q, want %q", path, data, written[path])
		}
	}
	return nil
}

// eventName is ZooKeeper's name for an event type.
func eventName(t znode.EventType) string {
	switch t {
	case znode.EventNodeCreated:
		return "NodeCreated"
	case znode.EventNodeDeleted:
		return "NodeDeleted"
	case znode.EventNodeDataChanged:
		return "NodeDataChanged"
	case znode.EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	default:
		return fmt.Sprintf("EventType(%d)", t)
	}
}
