package election

// Vote is a proposal for leader.
type Vote struct {
	Leader    uint64 // proposed leader's server id
	Zxid      int64  // proposed leader's last zxid
	PeerEpoch int64  // proposed leader's current epoch
}

// Beats reports whether v is a better proposal than w: a higher peer epoch,
// then a higher zxid, then a higher server id (ZooKeeper's
// totalOrderPredicate).
func (v Vote) Beats(w Vote) bool {
	if v.PeerEpoch != w.PeerEpoch {
		return v.PeerEpoch > w.PeerEpoch
	}
	if v.Zxid != w.Zxid {
		return v.Zxid > w.Zxid
	}
	return v.Leader > w.Leader
}
