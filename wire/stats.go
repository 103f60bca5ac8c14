package wire

import (
	"math"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ensemble-go/ensemble/znode"
)

// latency keeps min, max, sum and count of request latencies in
// milliseconds, without locks.
type latency struct {
	min, max, sum, count atomic.Int64
}

func (l *latency) reset() {
	l.min.Store(math.MaxInt64)
	l.max.Store(0)
	l.sum.Store(0)
	l.count.Store(0)
}

func (l *latency) add(ms int64) {
	for {
		m := l.min.Load()
		if ms >= m || l.min.CompareAndSwap(m, ms) {
			break
		}
	}
	for {
		m := l.max.Load()
		if ms <= m || l.max.CompareAndSwap(m, ms) {
			break
		}
	}
	l.sum.Add(ms)
	l.count.Add(1)
}

// get returns min, avg and max; all zero before the first sample.
func (l *latency) get() (lo int64, avg float64, hi int64) {
	n := l.count.Load()
	if n == 0 {
		return 0, 0, 0
	}
	return l.min.Load(), float64(l.sum.Load()) / float64(n), l.max.Load()
}

// serverStats are the Server's own counters for srvr, stat and mntr.
type serverStats struct {
	received           atomic.Int64 // packets
	sent               atomic.Int64 // packets
	bytesReceived      atomic.Int64
	outstanding        atomic.Int64 // requests read, not yet answered
	authFailed         atomic.Int64
	connectionRejected atomic.Int64
	lat                latency
}

func (s *serverStats) reset() {
	s.received.Store(0)
	s.sent.Store(0)
	s.lat.reset()
}

func (s *serverStats) noteLatency(d time.Duration) { s.lat.add(d.Milliseconds()) }

// connStats are one connection's counters for cons.
type connStats struct {
	received    atomic.Int64
	sent        atomic.Int64
	lastCxid    atomic.Int64
	lastZxid    atomic.Int64
	lastOp      atomic.Value // string
	lastResp    atomic.Int64 // unix ms
	lastLatency atomic.Int64
	established atomic.Int64 // unix ms
	timeout     atomic.Int32
	lat         latency
}

func (s *connStats) setEstablished(t time.Time, timeout int32) {
	s.established.Store(t.UnixMilli())
	s.timeout.Store(timeout)
	s.lastCxid.Store(0)
	s.lat.reset()
}

// noteReply records a reply written at now.
func (s *connStats) noteReply(now time.Time, sl *slot, zxid int64) {
	ms := now.Sub(sl.start).Milliseconds()
	s.lastLatency.Store(ms)
	s.lastResp.Store(now.UnixMilli())
	s.lastZxid.Store(zxid)
	s.lat.add(ms)
}

func (s *connStats) reset() {
	s.received.Store(0)
	s.sent.Store(0)
	s.lastCxid.Store(0)
	s.lastZxid.Store(-1)
	s.lastOp.Store("NA")
	s.lastResp.Store(0)
	s.lastLatency.Store(0)
	s.lat.reset()
}

// opAbbrev is the short name cons prints as lop, as ZooKeeper's
// FinalRequestProcessor names the last operation.
func opAbbrev(op znode.OpCode) string {
	switch op {
	case znode.OpPing:
		return "PING"
	case znode.OpCreate, znode.OpCreate2, znode.OpCreateContainer, znode.OpCreateTTL:
		return "CREA"
	case znode.OpDelete:
		return "DELE"
	case znode.OpSetData:
		return "SETD"
	case znode.OpSetACL:
		return "SETA"
	case znode.OpCheck:
		return "CHEC"
	case znode.OpMulti:
		return "MULT"
	case znode.OpMultiRead:
		return "MLTR"
	case znode.OpSync:
		return "SYNC"
	case znode.OpExists:
		return "EXIS"
	case znode.OpGetData:
		return "GETD"
	case znode.OpGetACL:
		return "GETA"
	case znode.OpGetChildren, znode.OpGetChildren2:
		return "GETC"
	case znode.OpGetAllChildrenNumber:
		return "GETACN"
	case znode.OpGetEphemerals:
		return "GETE"
	case znode.OpSetWatches:
		return "SETW"
	case znode.OpSetWatches2:
		return "STW2"
	case znode.OpAddWatch:
		return "ADDW"
	case znode.OpCheckWatches:
		return "CHKW"
	case znode.OpRemoveWatches:
		return "REMW"
	case znode.OpWhoAmI:
		return "HOMI"
	case znode.OpReconfig:
		return "RECO"
	case znode.OpCloseSession:
		return "CLOS"
	case znode.OpAuth:
		return "AUTH"
	case znode.OpSASL:
		return "SASL"
	}
	return "NA"
}

func hexID(id int64) string { return "0x" + strconv.FormatUint(uint64(id), 16) }

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// sortConns orders connections by accept order.
func sortConns(cs []*conn) {
	slices.SortFunc(cs, func(a, b *conn) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
}
