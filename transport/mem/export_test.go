package mem

// LiveGoroutines reports how many goroutines n is running; zero once every
// endpoint is closed.
func LiveGoroutines(n *Network) int64 { return n.live.Load() }

// Pending counts the events waiting for delivery to id's open endpoint.
func Pending(n *Network, id uint64) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	e := n.eps[id]
	if e == nil {
		return 0
	}
	total := 0
	for _, q := range e.inbox {
		total += len(q.items)
	}
	return total
}
