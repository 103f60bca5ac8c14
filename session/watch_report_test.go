package session

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWatchReports(t *testing.T) {
	m := NewWatches()
	assert.Equal(t, Summary{}, m.Summary())
	assert.Empty(t, m.ByWatcher())
	assert.Empty(t, m.ByPath())

	m.Add(2, "/b", DataWatch)
	m.Add(2, "/a", ChildWatch) // a child watch only: ZooKeeper's wchc would miss it
	m.Add(1, "/a", DataWatch|PersistentWatch)
	m.Add(3, "/", RecursiveWatch)

	assert.Equal(t, Summary{Watchers: 3, Paths: 3, Watches: 4}, m.Summary())
	// ZooKeeper's zk_watch_count: data table (2:/b, 1:/a, 3:/) plus child
	// table (2:/a, 1:/a, persistent watches sit in both).
	assert.Equal(t, 5, m.Count())
	assert.Equal(t, []WatcherPaths{
		{1, []string{"/a"}},
		{2, []string{"/a", "/b"}},
		{3, []string{"/"}},
	}, m.ByWatcher())
	assert.Equal(t, []PathWatchers{
		{"/", []WatcherID{3}},
		{"/a", []WatcherID{1, 2}},
		{"/b", []WatcherID{2}},
	}, m.ByPath())

	// Firing and removing keep the counts right.
	m.Trigger(ev(children, "/a", 1)) // uses up 2's child watch; 1's persistent one stays
	assert.Equal(t, Summary{Watchers: 3, Paths: 3, Watches: 3}, m.Summary())
	assert.Equal(t, 4, m.Count())
	m.RemoveAll(1)
	m.RemoveAll(2)
	m.RemoveAll(3)
	assert.Equal(t, Summary{}, m.Summary())
	assert.Equal(t, 0, m.Count())
	assert.Empty(t, m.ByPath())
}
