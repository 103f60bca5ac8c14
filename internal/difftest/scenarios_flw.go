package difftest

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/wire/jute"
	"github.com/ensemble-go/ensemble/znode"
)

var (
	numberRE  = regexp.MustCompile(`0x[0-9a-f]+|-?\d+(\.\d+)?`)
	versionRE = regexp.MustCompile(`(Zookeeper version: |zookeeper\.version=|zk_version\t)[^\n]*`)
)

// shape reduces four-letter-word output to its form: the version and
// every number become placeholders.
func shape(s string) string {
	s = versionRE.ReplaceAllString(s, "${1}VERSION")
	return numberRE.ReplaceAllString(s, "#")
}

// shapeLines is shape, line by line, sorted and without duplicates.
func shapeLines(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(shape(s), "\n") {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// sessionLists parses wchc-like output ("0x<id>" lines each followed by
// tab-indented paths) and its inverse wchp ("<path>" lines followed by
// tab-indented ids), keeping only the scenario's sessions and paths.
func sessionLists(e *Env, out string, bySession bool) []string {
	var lines []string
	var head string
	add := func(session, path string) {
		id, err := strconv.ParseUint(strings.TrimPrefix(session, "0x"), 16, 64)
		if err != nil || !e.KnownSession(int64(id)) || !strings.HasPrefix(path, e.Root) {
			return
		}
		lines = append(lines, e.Session(int64(id))+" "+path)
	}
	for _, l := range strings.Split(out, "\n") {
		switch {
		case l == "":
		case strings.HasPrefix(l, "\t"):
			v := strings.TrimPrefix(l, "\t")
			if bySession {
				add(head, v)
			} else {
				add(v, head)
			}
		default:
			head = strings.TrimSuffix(l, ":")
		}
	}
	sort.Strings(lines)
	return lines
}

// mntrKeys are the keys ensemble's mntr prints; ZooKeeper's has them all
// among its hundreds.
var mntrKeys = []string{
	"zk_version", "zk_server_state", "zk_ephemerals_count", "zk_num_alive_connections", "zk_avg_latency",
	"zk_outstanding_requests", "zk_znode_count", "zk_global_sessions", "zk_packets_sent", "zk_packets_received",
	"zk_watch_count", "zk_auth_failed_count", "zk_min_latency", "zk_max_file_descriptor_count",
	"zk_approximate_data_size", "zk_open_file_descriptor_count", "zk_local_sessions", "zk_uptime",
	"zk_max_latency", "zk_connection_rejected", "zk_bytes_received_count",
}

// enviKeys are the keys of envi that mean the same for a JVM and for Go.
var enviKeys = []string{
	"zookeeper.version", "host.name", "os.name", "os.arch", "os.version", "user.name", "user.home",
	"user.dir", "os.memory.free", "os.memory.max", "os.memory.total",
}

// keyValues parses "key<sep>value" lines.
func keyValues(out, sep string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, sep); ok {
			m[k] = v
		}
	}
	return m
}

func kind(v string) string {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "integer"
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return "decimal"
	}
	return "text"
}

var flwScenarios = []Scenario{
	{Name: "flw-ruok-isro-resets", Run: func(e *Env) {
		for _, w := range []string{"ruok", "isro", "crst", "srst"} {
			e.Log("%s: %q", w, e.Word(w))
		}
		e.Log("gtmk: %q", e.Word("gtmk"))
		e.Log("not a word (read as a length): %q", e.Word("abcd"))
	}},
	{Name: "flw-srvr-and-stat", Run: func(e *Env) {
		e.ZK()
		e.Log("srvr:\n%s", shape(e.Word("srvr")))
		out := e.Word("stat")
		head, tail, _ := strings.Cut(out, "\n\n")
		e.Log("stat head: %s", strings.Join(shapeLines(head), " | "))
		e.Log("stat tail:\n%s", shape(tail))
	}},
	{Name: "flw-srvr-parsers", Differs: "go-zookeeper/zk's FLWSrvr cannot parse the ISO build date of ZooKeeper 3.7+; ensemble prints the pre-3.7 form so it can",
		Expect: []string{"FLWSrvr parses: true", "mode: standalone"}, Run: func(e *Env) {
			stats, ok := zk.FLWSrvr([]string{e.Addr}, 5e9)
			e.Log("FLWSrvr parses: %t", ok)
			if ok {
				e.Log("mode: %v", stats[0].Mode)
			}
		}},
	{Name: "flw-cons", Run: func(e *Env) {
		r := e.MustRaw()
		e.Call("getData", r, 7, znode.OpGetData, &jute.GetDataRequest{Path: e.Root})
		sid := "0x" + strconv.FormatUint(uint64(r.Response.SessionID), 16)
		for _, l := range strings.Split(e.Word("cons"), "\n") {
			if strings.Contains(l, "sid="+sid+",") {
				l = strings.Replace(l, sid, "SESSION", 1)
				e.Log("cons: %s", shape(l))
			}
		}
	}},
	{Name: "flw-mntr", Run: func(e *Env) {
		kv := keyValues(e.Word("mntr"), "\t")
		for _, k := range mntrKeys {
			v, ok := kv[k]
			if !ok {
				e.Log("%s: missing", k)
				continue
			}
			e.Log("%s: %s", k, kind(v))
		}
		e.Log("zk_server_state: %s", kv["zk_server_state"])
	}},
	{Name: "flw-conf-envi-dirs", Run: func(e *Env) {
		var keys []string
		for k := range keyValues(e.Word("conf"), "=") {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.Log("conf keys: %s", strings.Join(keys, " "))
		envi := e.Word("envi")
		e.Log("envi first line: %q", strings.SplitN(envi, "\n", 2)[0])
		kv := keyValues(envi, "=")
		for _, k := range enviKeys {
			_, ok := kv[k]
			e.Log("envi %s: %t", k, ok)
		}
		e.Log("dirs: %q", shape(e.Word("dirs")))
	}},
	{Name: "flw-watches", Run: func(e *Env) {
		c, r := e.ZK(), e.MustRaw()
		for _, p := range []string{"/a", "/b"} {
			_, err := c.Create(e.P(p), nil, 0, open)
			e.Err("create "+p, err)
		}
		_, _, _, err := c.GetW(e.P("/a"))
		e.Err("getW /a", err)
		_, _, _, err = c.ExistsW(e.P("/none"))
		e.Err("existsW /none", err)
		e.Call("getData with watch /a", r, 1, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/a"), Watch: true})
		e.Call("getData with watch /b", r, 2, znode.OpGetData, &jute.GetDataRequest{Path: e.P("/b"), Watch: true})
		e.Log("wchs: %q", shape(e.Word("wchs")))
		for _, l := range sessionLists(e, e.Word("wchc"), true) {
			e.Log("wchc: %s", l)
		}
		for _, l := range sessionLists(e, e.Word("wchp"), false) {
			e.Log("wchp: %s", l)
		}
	}},
	{Name: "flw-dump", Run: func(e *Env) {
		r := e.MustRaw()
		for i, p := range []string{"/x", "/y"} {
			e.Call("create ephemeral", r, int32(i+1), znode.OpCreate, &jute.CreateRequest{Path: e.P(p), ACL: znode.OpenACL, Flags: znode.Ephemeral})
		}
		out := e.Word("dump")
		_, eph, _ := strings.Cut(out, "ephemeral nodes dump:\n")
		eph, _, _ = strings.Cut(eph, "Connections dump:")
		for _, l := range sessionLists(e, eph, true) {
			e.Log("ephemeral: %s", l)
		}
		for _, section := range []string{"SessionTracker dump:", "ephemeral nodes dump:", "Sessions with Ephemerals", "Connections dump:"} {
			e.Log("has %q: %t", section, strings.Contains(out, section))
		}
	}},
}
