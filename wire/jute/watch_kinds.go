package jute

// WatcherType names the watches a removeWatches or checkWatches request is
// about, with the values of ZooKeeper's Watcher.WatcherType.
type WatcherType int32

// Watcher types.
const (
	WatcherChildren            WatcherType = 1
	WatcherData                WatcherType = 2
	WatcherAny                 WatcherType = 3
	WatcherPersistent          WatcherType = 4
	WatcherPersistentRecursive WatcherType = 5
)

// Valid reports whether t is one of the watcher types.
func (t WatcherType) Valid() bool { return t >= WatcherChildren && t <= WatcherPersistentRecursive }

// AddWatchMode is the kind of watch an addWatch request sets, with the
// values of ZooKeeper's AddWatchMode.
type AddWatchMode int32

// Add-watch modes.
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

// Valid reports whether m is one of the add-watch modes.
func (m AddWatchMode) Valid() bool {
	return m == AddWatchPersistent || m == AddWatchPersistentRecursive
}
