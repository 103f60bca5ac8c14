package session

import (
	"cmp"
	"slices"
)

// Summary is what the wchs four-letter word reports:
// "<Watchers> connections watching <Paths> paths\nTotal watches:<Watches>".
type Summary struct {
	Watchers int // watchers holding at least one watch
	Paths    int // paths with at least one watch
	Watches  int // (watcher, path) pairs, however many kinds each holds
}

// Summary returns the counts for wchs, in constant time.
//
// ZooKeeper's wchs, wchc and wchp look only at its data watch table, so a
// client whose only watches come from getChildren is missing from them;
// ensemble counts and lists every watch.
func (m *Watches) Summary() Summary {
	return Summary{Watchers: len(m.byWatcher), Paths: len(m.byPath), Watches: m.pairs}
}

// Count returns mntr's zk_watch_count as ZooKeeper computes it (the size of
// its data table plus that of its child table), in constant time: a
// persistent watch counts twice, as ZooKeeper keeps it in both.
func (m *Watches) Count() int { return m.dataPairs + m.kidPairs }

// WatcherPaths is one watcher's line of wchc.
type WatcherPaths struct {
	Watcher WatcherID
	Paths   []string // sorted
}

// PathWatchers is one path's line of wchp.
type PathWatchers struct {
	Path     string
	Watchers []WatcherID // sorted
}

// ByWatcher returns every watcher with the paths it watches, for wchc,
// sorted by watcher.
func (m *Watches) ByWatcher() []WatcherPaths {
	out := make([]WatcherPaths, 0, len(m.byWatcher))
	for w, ps := range m.byWatcher {
		paths := make([]string, 0, len(ps))
		for p := range ps {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		out = append(out, WatcherPaths{Watcher: w, Paths: paths})
	}
	slices.SortFunc(out, func(a, b WatcherPaths) int { return cmp.Compare(a.Watcher, b.Watcher) })
	return out
}

// ByPath returns every watched path with its watchers, for wchp, sorted by
// path.
func (m *Watches) ByPath() []PathWatchers {
	out := make([]PathWatchers, 0, len(m.byPath))
	for p, ws := range m.byPath {
		watchers := make([]WatcherID, 0, len(ws))
		for w := range ws {
			watchers = append(watchers, w)
		}
		slices.Sort(watchers)
		out = append(out, PathWatchers{Path: p, Watchers: watchers})
	}
	slices.SortFunc(out, func(a, b PathWatchers) int { return cmp.Compare(a.Path, b.Path) })
	return out
}
