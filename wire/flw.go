package wire

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// fourLetterWords are the words ZooKeeper 3.8 knows
// (FourLetterCommands); a new connection whose first four bytes spell
// one is answered as text and closed.
var fourLetterWords = []string{
	"conf", "cons", "crst", "dirs", "dump", "envi", "gtmk", "hash", "isro",
	"mntr", "ruok", "srst", "srvr", "stat", "stmk", "wchc", "wchp", "wchs",
}

// telnetClose is what telnet sends for ^C: ZooKeeper closes at once.
const telnetClose = "\xff\xf4\xff\xfd"

const notServing = "This ZooKeeper instance is not currently serving requests\n"

func knownWord(w string) bool { return slices.Contains(fourLetterWords, w) }

// fourLetterWord reports whether the first four bytes of a connection are
// a four-letter word rather than a frame length.
func fourLetterWord(b [4]byte) (string, bool) {
	w := string(b[:])
	return w, knownWord(w) || w == telnetClose
}

// allowed applies 4lw.commands.whitelist.
func (s *Server) allowed(word string) bool {
	return slices.Contains(s.cfg.FourLetterWords, "*") || slices.Contains(s.cfg.FourLetterWords, word)
}

// traceMask is what gtmk prints and stmk sets; ensemble has no tracing,
// so it only remembers the value (ZooKeeper's default is 306).
var traceMask atomic.Int64

func init() { traceMask.Store(306) }

// answerWord writes the answer to a four-letter word. The caller closes
// the connection.
func (c *conn) answerWord(ctx context.Context, word string) {
	if word == telnetClose {
		return
	}
	var arg [8]byte
	if word == "stmk" {
		// stmk carries the new mask as a long after the word.
		if _, err := io.ReadFull(c.br, arg[:]); err != nil {
			return
		}
	}
	var b strings.Builder
	if !c.srv.allowed(word) {
		fmt.Fprintf(&b, "%s is not executed because it is not in the whitelist.\n", word)
	} else {
		c.srv.word(ctx, &b, word, arg)
	}
	_, _ = io.WriteString(c.nc, b.String())
	c.srv.stats.sent.Add(1)
}

// word writes the output of an allowed four-letter word.
func (s *Server) word(ctx context.Context, b *strings.Builder, word string, arg [8]byte) {
	switch word {
	case "ruok":
		b.WriteString("imok")
		return
	case "envi":
		s.envi(b)
		return
	case "gtmk":
		b.WriteString(itoa(traceMask.Load()))
		return
	case "stmk":
		traceMask.Store(int64(binary.BigEndian.Uint64(arg[:])))
		b.WriteString(itoa(traceMask.Load()))
		return
	case "hash":
		return // no digest history is kept for it
	}
	detail := word == "wchc" || word == "wchp" || word == "dump"
	st := s.backend.Status(ctx, detail)
	if !st.Serving {
		if word == "isro" {
			b.WriteString("null")
		} else {
			b.WriteString(notServing)
		}
		return
	}
	switch word {
	case "srvr":
		s.versionLine(b)
		s.srvr(b, st)
	case "stat":
		s.versionLine(b)
		b.WriteString("Clients:\n")
		for _, c := range s.connections() {
			c.describe(b, true)
		}
		b.WriteString("\n")
		s.srvr(b, st)
	case "cons":
		// Only connections with a session: ZooKeeper also lists those
		// still in their handshake (the one asking included), lines that
		// go-zookeeper/zk's FLWCons cannot parse.
		for _, c := range s.connections() {
			if c.established.Load() {
				c.describe(b, false)
			}
		}
		b.WriteString("\n")
	case "mntr":
		s.mntr(b, st)
	case "conf":
		for _, kv := range st.Conf {
			fmt.Fprintf(b, "%s=%s\n", kv.Key, kv.Value)
		}
	case "wchs":
		w := st.WatchSummary
		fmt.Fprintf(b, "%d connections watching %d paths\nTotal watches:%d\n", w.Connections, w.Paths, w.Watches)
	case "wchc":
		for _, sw := range st.Watches {
			fmt.Fprintf(b, "%s\n", hexID(sw.Session))
			for _, p := range sw.Paths {
				fmt.Fprintf(b, "\t%s\n", p)
			}
		}
		b.WriteString("\n")
	case "wchp":
		byPath := map[string][]int64{}
		for _, sw := range st.Watches {
			for _, p := range sw.Paths {
				byPath[p] = append(byPath[p], sw.Session)
			}
		}
		paths := make([]string, 0, len(byPath))
		for p := range byPath {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			fmt.Fprintf(b, "%s\n", p)
			for _, id := range byPath[p] {
				fmt.Fprintf(b, "\t%s\n", hexID(id))
			}
		}
		b.WriteString("\n")
	case "dump":
		s.dump(b, st)
	case "isro":
		if st.ReadOnly {
			b.WriteString("ro")
		} else {
			b.WriteString("rw")
		}
	case "crst":
		for _, c := range s.connections() {
			c.st.reset()
		}
		b.WriteString("Connection stats reset.\n")
	case "srst":
		s.stats.reset()
		b.WriteString("Server stats reset.\n")
	case "dirs":
		fmt.Fprintf(b, "datadir_size: %d\nlogdir_size: %d\n", st.DataDirSize, st.LogDirSize)
	}
}

// buildDate is the date in the version line. ZooKeeper up to 3.6 printed
// "MM/dd/yyyy HH:mm GMT" and 3.7 changed to an ISO date, which broke
// parsers written for the old form (go-zookeeper/zk's FLWSrvr among
// them); the old form is what every parser of either age accepts in
// front of the comma-free version, so ensemble prints it.
var buildDate = func() string {
	t := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.time" {
				if v, err := time.Parse(time.RFC3339, s.Value); err == nil {
					t = v.UTC()
				}
			}
		}
	}
	return t.Format("01/02/2006 15:04") + " GMT"
}()

// fullVersion is the version as the version line and mntr print it.
func (s *Server) fullVersion() string { return s.cfg.Version + ", built on " + buildDate }

func (s *Server) versionLine(b *strings.Builder) {
	fmt.Fprintf(b, "Zookeeper version: %s\n", s.fullVersion())
}

// srvr writes the lines srvr and stat share, after the version line.
func (s *Server) srvr(b *strings.Builder, st Status) {
	lo, avg, hi := s.stats.lat.get()
	fmt.Fprintf(b, "Latency min/avg/max: %d/%s/%d\n", lo, javaDouble(avg), hi)
	fmt.Fprintf(b, "Received: %d\n", s.stats.received.Load())
	fmt.Fprintf(b, "Sent: %d\n", s.stats.sent.Load())
	fmt.Fprintf(b, "Connections: %d\n", s.numConnections())
	fmt.Fprintf(b, "Outstanding: %d\n", s.stats.outstanding.Load())
	fmt.Fprintf(b, "Zxid: %s\n", hexID(st.Zxid))
	fmt.Fprintf(b, "Mode: %s\n", st.Mode)
	fmt.Fprintf(b, "Node count: %d\n", st.NodeCount)
	if st.Mode == "leader" {
		p := st.ProposalSizes
		fmt.Fprintf(b, "Proposal sizes last/min/max: %d/%d/%d\n", p[0], p[1], p[2])
	}
}

func (s *Server) numConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// mntr writes the monitoring keys, in the order ZooKeeper 3.8 starts its
// list with, for the figures ensemble has.
func (s *Server) mntr(b *strings.Builder, st Status) {
	lo, avg, hi := s.stats.lat.get()
	open, maxFD := fileDescriptors()
	kv := func(k string, v any) { fmt.Fprintf(b, "zk_%s\t%v\n", k, v) }
	kv("version", s.fullVersion())
	kv("server_state", st.Mode)
	kv("ephemerals_count", st.Ephemerals)
	kv("num_alive_connections", s.numConnections())
	kv("avg_latency", javaDouble(avg))
	kv("outstanding_requests", s.stats.outstanding.Load())
	kv("znode_count", st.NodeCount)
	kv("global_sessions", st.Sessions)
	kv("packets_sent", s.stats.sent.Load())
	kv("packets_received", s.stats.received.Load())
	kv("watch_count", st.WatchCount)
	kv("auth_failed_count", s.stats.authFailed.Load())
	kv("min_latency", lo)
	kv("max_file_descriptor_count", maxFD)
	kv("approximate_data_size", st.DataSize)
	kv("open_file_descriptor_count", open)
	kv("local_sessions", 0)
	kv("uptime", time.Since(s.started).Milliseconds())
	kv("max_latency", hi)
	kv("connection_rejected", s.stats.connectionRejected.Load())
	kv("bytes_received_count", s.stats.bytesReceived.Load())
	if st.Mode == "leader" {
		kv("followers", st.Followers)
		kv("synced_followers", st.SyncedFollowers)
		kv("pending_syncs", st.PendingSyncs)
		kv("last_proposal_size", st.ProposalSizes[0])
		kv("min_proposal_size", st.ProposalSizes[1])
		kv("max_proposal_size", st.ProposalSizes[2])
	}
}

// envi writes the environment: ZooKeeper's keys where they mean the same
// for a Go process, and go.* in place of java.*.
func (s *Server) envi(b *strings.Builder) {
	host, _ := os.Hostname()
	home, _ := os.UserHomeDir()
	dir, _ := os.Getwd()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mb := func(n uint64) string { return strconv.FormatUint(n>>20, 10) + "MB" }
	b.WriteString("Environment:\n")
	kv := func(k, v string) { fmt.Fprintf(b, "%s=%s\n", k, v) }
	kv("zookeeper.version", s.fullVersion())
	kv("host.name", host)
	kv("go.version", runtime.Version())
	kv("go.maxprocs", strconv.Itoa(runtime.GOMAXPROCS(0)))
	kv("os.name", osName())
	kv("os.arch", runtime.GOARCH)
	kv("os.version", osVersion())
	kv("user.name", userName())
	kv("user.home", home)
	kv("user.dir", dir)
	kv("os.memory.free", mb(ms.HeapIdle-ms.HeapReleased))
	kv("os.memory.max", mb(ms.Sys))
	kv("os.memory.total", mb(ms.HeapSys))
}

// dump writes the sessions with ephemerals and the connections, in
// ZooKeeper's layout.
func (s *Server) dump(b *strings.Builder, st Status) {
	b.WriteString("SessionTracker dump:\n")
	fmt.Fprintf(b, "Global Sessions(%d):\n", st.Sessions)
	b.WriteString("ephemeral nodes dump:\n")
	fmt.Fprintf(b, "Sessions with Ephemerals (%d):\n", len(st.EphemeralsBySes))
	for _, se := range st.EphemeralsBySes {
		fmt.Fprintf(b, "%s:\n", hexID(se.Session))
		for _, p := range se.Paths {
			fmt.Fprintf(b, "\t%s\n", p)
		}
	}
	conns := s.connections()
	b.WriteString("Connections dump:\n")
	fmt.Fprintf(b, "Connections Sets (1)/(%d):\n", len(conns))
	fmt.Fprintf(b, "%d expire at %s:\n", len(conns), time.Now().UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
	for _, c := range conns {
		fmt.Fprintf(b, "\tip: /%s sessionId: %s\n", c.nc.RemoteAddr(), hexID(c.Session()))
	}
}

// describe writes a connection's line of cons (brief: of stat), in
// ZooKeeper's ServerCnxn.dumpConnectionInfo format.
func (c *conn) describe(b *strings.Builder, brief bool) {
	c.mu.Lock()
	queued := c.out.outstanding()
	c.mu.Unlock()
	interest := "0"
	if c.established.Load() {
		interest = "1"
	}
	fmt.Fprintf(b, " /%s[%s](queued=%d,recved=%d,sent=%d", c.nc.RemoteAddr(), interest, queued, c.st.received.Load(), c.st.sent.Load())
	if id := c.Session(); !brief && id != 0 {
		lo, avg, hi := c.st.lat.get()
		lop, _ := c.st.lastOp.Load().(string)
		fmt.Fprintf(b, ",sid=%s,lop=%s,est=%d,to=%d,lcxid=0x%x", hexID(id), lop, c.st.established.Load(), c.st.timeout.Load(), c.st.lastCxid.Load())
		fmt.Fprintf(b, ",lzxid=%s,lresp=%d,llat=%d,minlat=%d,avglat=%d,maxlat=%d",
			hexID(c.st.lastZxid.Load()), c.st.lastResp.Load(), c.st.lastLatency.Load(), lo, int64(avg), hi)
	}
	b.WriteString(")\n")
}

// javaDouble prints v rounded to four decimals the way Java prints a
// double: "0.0", "3.1935".
func javaDouble(v float64) string {
	v = math.Round(v*1e4) / 1e4
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}
