package wire

// Status is what the four-letter words report about the server beyond the
// client port itself (which the Server counts on its own: connections,
// packets, latency, outstanding requests).
type Status struct {
	// Serving is false while the server has no quorum or is starting:
	// the words then answer "This ZooKeeper instance is not currently
	// serving requests", as ZooKeeper does.
	Serving bool
	// Mode is "standalone", "leader", "follower" or "observer".
	Mode     string
	ReadOnly bool
	Zxid     int64

	NodeCount  int
	DataSize   int64 // approximate bytes of paths and data
	Ephemerals int   // number of ephemeral nodes
	Sessions   int   // live (global) sessions
	WatchCount int   // mntr's zk_watch_count

	// WatchSummary is what wchs prints.
	WatchSummary WatchSummary

	// Leader only (mntr, srvr).
	Followers       int
	SyncedFollowers int
	PendingSyncs    int
	ProposalSizes   [3]int64 // last, min, max; -1 when unknown

	// DataDirSize and LogDirSize are dirs' figures, in bytes.
	DataDirSize int64
	LogDirSize  int64

	// Conf is what conf prints, one key=value line each, in order.
	Conf []KeyValue

	// The detail part, filled only when asked for (wchc, wchp, dump).
	Watches         []SessionWatches // by session, sorted by session
	EphemeralsBySes []SessionWatches // each session's ephemeral paths
}

// WatchSummary is the wchs line: how many connections watch how many
// paths with how many watches.
type WatchSummary struct {
	Connections int
	Paths       int
	Watches     int
}

// SessionWatches is one session with a list of paths: the paths it
// watches, or its ephemeral nodes.
type SessionWatches struct {
	Session int64
	Paths   []string
}

// KeyValue is one line of conf.
type KeyValue struct {
	Key, Value string
}
