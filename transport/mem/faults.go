package mem

import "time"

// Partition cuts a and b apart both ways. An existing connection between
// them stays up but carries nothing (a TCP stall) until Heal, Break or
// Options.StallTimeout; new connections fail with Disconnected wrapping
// transport.ErrUnreachable.
func (n *Network) Partition(a, b uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[pair{a, b}] = true
	n.cut[pair{b, a}] = true
	n.faultsChangedLocked()
}

// PartitionOneWay stops messages from one id to another while the other
// direction still flows. New connections between them fail (a connection
// needs both ways); an existing one delivers only to -> from.
func (n *Network) PartitionOneWay(from, to uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.cut[pair{from, to}] = true
	n.faultsChangedLocked()
}

// Isolate cuts id off from every other id, present and future, both ways.
func (n *Network) Isolate(id uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.isolated[id] = true
	n.faultsChangedLocked()
}

// Heal removes partitions: with no ids, all of them; otherwise every
// partition and isolation that involves any of the ids. Held messages on
// surviving connections then arrive, in order.
func (n *Network) Heal(ids ...uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(ids) == 0 {
		clear(n.cut)
		clear(n.isolated)
	}
	for _, id := range ids {
		delete(n.isolated, id)
		for p := range n.cut {
			if p.from == id || p.to == id {
				delete(n.cut, p)
			}
		}
	}
	n.faultsChangedLocked()
}

// Break drops the connection between a and b, if there is one, and every
// message in flight on it both ways; both ends get Disconnected wrapping
// transport.ErrConnectionLost and ErrBroken. The next Send connects again.
func (n *Network) Break(a, b uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if l := n.links[unordered(a, b)]; l != nil {
		n.breakBothLocked(l, ErrBroken)
	}
}

// SetDelay makes messages between a and b, both ways, arrive d after they
// are sent (zero removes the delay). Changing a delay never reorders: a
// message never arrives before one sent earlier on the same way.
func (n *Network) SetDelay(a, b uint64, d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.setDelayLocked(a, b, d)
	n.setDelayLocked(b, a, d)
}

// SetDelayOneWay delays messages from one id to another only.
func (n *Network) SetDelayOneWay(from, to uint64, d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.setDelayLocked(from, to, d)
}

func (n *Network) setDelayLocked(from, to uint64, d time.Duration) {
	if d <= 0 {
		delete(n.delay, pair{from, to})
	} else {
		n.delay[pair{from, to}] = d
	}
}

// Pause freezes id as a stopped process would be: it receives no events and
// what it sends is held, while its connections stay up (subject to
// Options.StallTimeout). Events for it wait, in order, for Resume.
func (n *Network) Pause(id uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.paused[id] = true
	n.faultsChangedLocked()
}

// Resume undoes Pause: held events and messages flow again, in order.
func (n *Network) Resume(id uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.paused, id)
	n.faultsChangedLocked()
}
