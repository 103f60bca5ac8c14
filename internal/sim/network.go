package sim

// Plane is one of the two networks between peers: ZooKeeper runs election
// and the quorum protocol on separate ports, and so does the simulation.
type Plane uint8

// The two planes.
const (
	ElectionPlane Plane = iota // FastLeaderElection notifications: lossy, FIFO per pair
	ZabPlane                   // Zab messages: TCP-like connections, FIFO until they break
)

// String names the plane.
func (p Plane) String() string {
	if p == ElectionPlane {
		return "election"
	}
	return "zab"
}

// packet is a message in flight, already encoded.
type packet struct {
	at    int64  // step from which it may be delivered
	gen   uint64 // zab: the connection it was sent on
	close bool   // zab: not a message but the news that the connection broke
	learn bool   // zab: sent by a learner (to a peer it takes for its leader)
	data  []byte
}

// Delivery is one packet taken off the network.
type Delivery struct {
	Plane    Plane
	From, To uint64
	Close    bool // the connection From–To broke; To must be told
	Learner  bool // zab: the sender was a learner when it sent it
	Data     []byte
}

// Network is the simulated network between peers 1..n.
//
// Every ordered pair and plane has a FIFO queue, like a TCP stream.
// The zab plane has connections: a learner opens one by sending, a leader
// can only answer on an open one, and a break (crash, fault, or a peer
// leaving its role) drops everything in flight on it and, after a delay,
// tells each side that still thinks it is open (Delivery.Close). Until told,
// that side's sends on the dead connection are lost, exactly as writes to a
// reset socket are. A one-way cut holds zab packets (TCP retransmits until
// the cut heals or someone gives up) and drops election packets.
type Network struct {
	n       int
	q       [2][][]packet // [plane][from*(n+1)+to]
	gen     []uint64      // [a*(n+1)+b], a<b
	open    []bool        // [a*(n+1)+b], a<b
	known   []uint64      // [a*(n+1)+b]: the connection generation a believes in
	marker  []bool        // [a*(n+1)+b]: a close marker is on its way to a about b
	blocked []bool        // [from*(n+1)+to]

	// Listening, if set, says whether a peer accepts learner connections
	// (it leads). A learner's packets to a peer that does not are held, as
	// a connecting learner retries until the leader listens or it gives up.
	Listening func(id uint64) bool
	// Paused, if set, says whether a peer's process is stalled (a long GC
	// pause, a stopped VM): nothing is delivered to it until it resumes.
	Paused func(id uint64) bool

	// Stats for the report and for tests.
	Sent, Delivered, Dropped [2]int
}

// NewNetwork returns a network between peers 1..n, fully connected.
func NewNetwork(n int) *Network {
	sz := (n + 1) * (n + 1)
	nw := &Network{
		n:       n,
		gen:     make([]uint64, sz),
		open:    make([]bool, sz),
		known:   make([]uint64, sz),
		marker:  make([]bool, sz),
		blocked: make([]bool, sz),
	}
	for p := range nw.q {
		nw.q[p] = make([][]packet, sz)
	}
	return nw
}

func (nw *Network) idx(a, b uint64) int { return int(a)*(nw.n+1) + int(b) }

func (nw *Network) sym(a, b uint64) int {
	if a > b {
		a, b = b, a
	}
	return nw.idx(a, b)
}

// Blocked reports whether packets from → to are cut.
func (nw *Network) Blocked(from, to uint64) bool { return nw.blocked[nw.idx(from, to)] }

// Block cuts (or heals) the direction from → to.
func (nw *Network) Block(from, to uint64, cut bool) { nw.blocked[nw.idx(from, to)] = cut }

// HealAll removes every cut.
func (nw *Network) HealAll() { clear(nw.blocked) }

// Open reports whether the zab connection a–b is established.
func (nw *Network) Open(a, b uint64) bool { return nw.open[nw.sym(a, b)] }

// Send queues an election notification or a zab message. learner says the
// sender is a learner, which may open a zab connection; a leader may not.
// It reports whether the packet was queued.
func (nw *Network) Send(pl Plane, from, to uint64, data []byte, at int64, learner bool) bool {
	nw.Sent[pl]++
	i := nw.idx(from, to)
	if pl == ElectionPlane {
		if nw.blocked[i] {
			nw.Dropped[pl]++
			return false
		}
		nw.push(pl, i, packet{at: at, data: data})
		return true
	}
	s := nw.sym(from, to)
	if nw.known[i] != nw.gen[s] { // writing to a socket that was reset: lost
		nw.Dropped[pl]++
		return false
	}
	if !nw.open[s] {
		if !learner {
			nw.Dropped[pl]++
			return false
		}
		nw.open[s] = true
	}
	nw.push(pl, i, packet{at: at, gen: nw.gen[s], learn: learner, data: data})
	return true
}

// push appends keeping FIFO: nothing overtakes what was sent before it.
func (nw *Network) push(pl Plane, i int, p packet) {
	q := nw.q[pl][i]
	if len(q) > 0 && q[len(q)-1].at > p.at {
		p.at = q[len(q)-1].at
	}
	nw.q[pl][i] = append(q, p)
}

// Break breaks the zab connection a–b, if open. Everything in flight on it
// is lost; each side named in tell learns of it by a Close delivery, after
// the delay implied by at; a side not told (the one that closed it) stops
// using it at once.
func (nw *Network) Break(a, b uint64, tellA, tellB bool, at int64) {
	s := nw.sym(a, b)
	if !nw.open[s] {
		return
	}
	nw.gen[s]++
	nw.open[s] = false
	nw.dropData(ZabPlane, nw.idx(a, b))
	nw.dropData(ZabPlane, nw.idx(b, a))
	nw.tellOrForget(a, b, tellA, at)
	nw.tellOrForget(b, a, tellB, at)
}

// tellOrForget makes x either learn of the break later (a marker from y) or
// forget the old connection now.
func (nw *Network) tellOrForget(x, y uint64, tell bool, at int64) {
	xi := nw.idx(x, y)
	if nw.marker[xi] {
		return // x will hear of it; its view updates then
	}
	if !tell {
		nw.known[xi] = nw.gen[nw.sym(x, y)]
		return
	}
	nw.marker[xi] = true
	nw.push(ZabPlane, nw.idx(y, x), packet{at: at, close: true})
}

// dropData removes every message (not close markers) from a zab queue.
func (nw *Network) dropData(pl Plane, i int) {
	q := nw.q[pl][i]
	k := 0
	for _, p := range q {
		if p.close {
			q[k] = p
			k++
		} else {
			nw.Dropped[pl]++
		}
	}
	clear(q[k:])
	nw.q[pl][i] = q[:k]
}

// Crash takes peer x off the network: everything to or from it is lost,
// its zab connections break (its peers are told after a delay), and when it
// comes back it starts with no connection.
func (nw *Network) Crash(x uint64, at int64) {
	for y := uint64(1); y <= uint64(nw.n); y++ {
		if y == x {
			continue
		}
		for pl := range nw.q {
			for _, i := range []int{nw.idx(x, y), nw.idx(y, x)} {
				nw.Dropped[pl] += len(nw.q[pl][i])
				clear(nw.q[pl][i])
				nw.q[pl][i] = nw.q[pl][i][:0]
			}
		}
		nw.marker[nw.idx(x, y)] = false
		pending := nw.marker[nw.idx(y, x)] // its marker was in a queue just cleared
		nw.marker[nw.idx(y, x)] = false
		s := nw.sym(x, y)
		if nw.open[s] {
			nw.gen[s]++
			nw.open[s] = false
			pending = true
		}
		if pending {
			nw.tellOrForget(y, x, true, at)
		}
		nw.known[nw.idx(x, y)] = nw.gen[s]
	}
}

// Next takes one deliverable packet off the network, choosing among the due
// queue heads with pick (given how many there are), or reports false.
// Election packets to a cut direction are dropped here.
func (nw *Network) Next(now int64, pick func(n int) int) (Delivery, bool) {
	var cands [64]int // plane*len + index
	for {
		c := cands[:0]
		sz := len(nw.gen)
		for pl := range nw.q {
			for i, q := range nw.q[pl] {
				if len(q) == 0 || q[0].at > now {
					continue
				}
				if nw.Paused != nil && nw.Paused(uint64(i%(nw.n+1))) {
					continue
				}
				if Plane(pl) == ZabPlane && !q[0].close {
					if nw.blocked[i] {
						continue // held by the cut, delivered when it heals
					}
					if q[0].learn && nw.Listening != nil && !nw.Listening(uint64(i%(nw.n+1))) {
						continue // connecting: held until the peer leads
					}
				}
				c = append(c, pl*sz+i)
			}
		}
		if len(c) == 0 {
			return Delivery{}, false
		}
		k := c[pick(len(c))]
		pl, i := Plane(k/sz), k%sz
		p := nw.q[pl][i][0]
		nw.q[pl][i][0] = packet{}
		nw.q[pl][i] = nw.q[pl][i][1:]
		from, to := uint64(i/(nw.n+1)), uint64(i%(nw.n+1))
		if pl == ElectionPlane {
			if nw.blocked[i] {
				nw.Dropped[pl]++
				continue
			}
			nw.Delivered[pl]++
			return Delivery{Plane: pl, From: from, To: to, Data: p.data}, true
		}
		s := nw.sym(from, to)
		if p.close {
			nw.marker[nw.idx(to, from)] = false
			nw.known[nw.idx(to, from)] = nw.gen[s]
			return Delivery{Plane: pl, From: from, To: to, Close: true}, true
		}
		if p.gen != nw.gen[s] || nw.known[nw.idx(to, from)] != nw.gen[s] {
			nw.Dropped[pl]++
			continue
		}
		nw.Delivered[pl]++
		return Delivery{Plane: pl, From: from, To: to, Learner: p.learn, Data: p.data}, true
	}
}

// InFlight counts packets queued on a plane.
func (nw *Network) InFlight(pl Plane) int {
	n := 0
	for _, q := range nw.q[pl] {
		n += len(q)
	}
	return n
}
