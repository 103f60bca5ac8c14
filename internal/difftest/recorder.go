package difftest

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/go-zookeeper/zk"

	"github.com/ensemble-go/ensemble/znode"
)

// Recorder collects a scenario's observations as normalized lines. Zxids
// and session ids are replaced by labels in order of first appearance, so
// two servers that number differently but agree on every equality give
// the same transcript.
type Recorder struct {
	lines    []string
	zxids    map[int64]string
	sessions map[int64]string
}

func newRecorder() *Recorder {
	return &Recorder{zxids: map[int64]string{}, sessions: map[int64]string{}}
}

// Lines returns the transcript.
func (r *Recorder) Lines() []string { return r.lines }

// Log records a line as it is.
func (r *Recorder) Log(format string, args ...any) {
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

// Zxid returns a zxid's label: "0" for zero, else z1, z2, ... by first
// appearance.
func (r *Recorder) Zxid(z int64) string {
	if z == 0 {
		return "0"
	}
	if l, ok := r.zxids[z]; ok {
		return l
	}
	l := "z" + strconv.Itoa(len(r.zxids)+1)
	r.zxids[z] = l
	return l
}

// Session returns a session id's label: "0" for zero, else s1, s2, ...
func (r *Recorder) Session(id int64) string {
	if id == 0 {
		return "0"
	}
	if l, ok := r.sessions[id]; ok {
		return l
	}
	l := "s" + strconv.Itoa(len(r.sessions)+1)
	r.sessions[id] = l
	return l
}

// KnownSession reports whether id was labelled already.
func (r *Recorder) KnownSession(id int64) bool {
	_, ok := r.sessions[id]
	return ok
}

// Stat records a Stat, normalized.
func (r *Recorder) Stat(label string, s znode.Stat) {
	r.Log("%s: %s", label, r.FormatStat(s))
}

// FormatStat is a Stat's normalized form.
func (r *Recorder) FormatStat(s znode.Stat) string {
	// Times differ between servers and runs; a change may even land in
	// the creation's millisecond. Only their being set and ordered is
	// compared.
	return fmt.Sprintf("czxid=%s mzxid=%s pzxid=%s version=%d cversion=%d aversion=%d owner=%s dataLength=%d numChildren=%d times:%t",
		r.Zxid(s.Czxid), r.Zxid(s.Mzxid), r.Zxid(s.Pzxid), s.Version, s.Cversion, s.Aversion,
		r.Session(s.EphemeralOwner), s.DataLength, s.NumChildren, s.Ctime > 0 && s.Mtime >= s.Ctime)
}

// ZKStat records a go-zookeeper/zk Stat.
func (r *Recorder) ZKStat(label string, s *zk.Stat) {
	if s == nil {
		r.Log("%s: no stat", label)
		return
	}
	r.Stat(label, fromZK(s))
}

func fromZK(s *zk.Stat) znode.Stat {
	return znode.Stat{
		Czxid: s.Czxid, Mzxid: s.Mzxid, Ctime: s.Ctime, Mtime: s.Mtime, Version: s.Version,
		Cversion: s.Cversion, Aversion: s.Aversion, EphemeralOwner: s.EphemeralOwner,
		DataLength: s.DataLength, NumChildren: s.NumChildren, Pzxid: s.Pzxid,
	}
}

// Err records the outcome of an operation: "ok" or the error's code name.
func (r *Recorder) Err(label string, err error) {
	r.Log("%s: %s", label, ErrName(err))
}

// Code records a reply's error code.
func (r *Recorder) Code(label string, c znode.Code) {
	r.Log("%s: %s", label, CodeName(c))
}

// Sorted records a list after sorting it: ZooKeeper lists children in
// hash order.
func (r *Recorder) Sorted(label string, v []string) {
	v = append([]string(nil), v...)
	sort.Strings(v)
	r.Log("%s: [%s]", label, strings.Join(v, " "))
}

// codeNames are ZooKeeper's names of its error codes.
var codeNames = map[znode.Code]string{
	znode.OK: "OK", znode.ErrSystemError: "SYSTEMERROR", znode.ErrRuntimeInconsistency: "RUNTIMEINCONSISTENCY",
	znode.ErrDataInconsistency: "DATAINCONSISTENCY", znode.ErrConnectionLoss: "CONNECTIONLOSS",
	znode.ErrMarshallingError: "MARSHALLINGERROR", znode.ErrUnimplemented: "UNIMPLEMENTED",
	znode.ErrOperationTimeout: "OPERATIONTIMEOUT", znode.ErrBadArguments: "BADARGUMENTS",
	znode.ErrUnknownSession: "UNKNOWNSESSION", znode.ErrAPIError: "APIERROR", znode.ErrNoNode: "NONODE",
	znode.ErrNoAuth: "NOAUTH", znode.ErrBadVersion: "BADVERSION",
	znode.ErrNoChildrenForEphemerals: "NOCHILDRENFOREPHEMERALS", znode.ErrNodeExists: "NODEEXISTS",
	znode.ErrNotEmpty: "NOTEMPTY", znode.ErrSessionExpired: "SESSIONEXPIRED", znode.ErrInvalidCallback: "INVALIDCALLBACK",
	znode.ErrInvalidACL: "INVALIDACL", znode.ErrAuthFailed: "AUTHFAILED", znode.ErrSessionMoved: "SESSIONMOVED",
	znode.ErrNotReadOnly: "NOTREADONLY", znode.ErrNoWatcher: "NOWATCHER", znode.ErrReconfigDisabled: "RECONFIGDISABLED",
	znode.ErrQuotaExceeded: "QUOTAEXCEEDED", znode.ErrThrottledOp: "THROTTLEDOP",
}

// CodeName is ZooKeeper's name for a code.
func CodeName(c znode.Code) string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "CODE(" + strconv.Itoa(int(c)) + ")"
}

// zkErrors maps go-zookeeper/zk's errors back to codes.
var zkErrors = map[error]znode.Code{
	zk.ErrAPIError: znode.ErrAPIError, zk.ErrNoNode: znode.ErrNoNode, zk.ErrNoAuth: znode.ErrNoAuth,
	zk.ErrBadVersion: znode.ErrBadVersion, zk.ErrNoChildrenForEphemerals: znode.ErrNoChildrenForEphemerals,
	zk.ErrNodeExists: znode.ErrNodeExists, zk.ErrNotEmpty: znode.ErrNotEmpty, zk.ErrSessionExpired: znode.ErrSessionExpired,
	zk.ErrInvalidACL: znode.ErrInvalidACL, zk.ErrAuthFailed: znode.ErrAuthFailed, zk.ErrSessionMoved: znode.ErrSessionMoved,
	zk.ErrReconfigDisabled: znode.ErrReconfigDisabled, zk.ErrBadArguments: znode.ErrBadArguments,
}

// ErrName names an error from any client: a go-zookeeper/zk error, a
// znode.Code, or "ok" for nil.
func ErrName(err error) string {
	if err == nil {
		return "ok"
	}
	for e, c := range zkErrors {
		if errors.Is(err, e) {
			return CodeName(c)
		}
	}
	var c znode.Code
	if errors.As(err, &c) {
		return CodeName(c)
	}
	// go-zookeeper/zk reports codes it has no error for as "unknown
	// error: <code>".
	if n, ok := strings.CutPrefix(err.Error(), "unknown error: "); ok {
		if v, perr := strconv.Atoi(n); perr == nil {
			return CodeName(znode.Code(v))
		}
	}
	return "client error: " + err.Error()
}
