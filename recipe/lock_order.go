package recipe

import (
	"regexp"
	"slices"
	"strings"
)

// ordering is how a family of lock clients names its nodes and decides who
// goes first. Two processes contend safely for one lock only if they
// agree on both, so these follow kazoo and Curator exactly.
type ordering interface {
	// name returns the node name to create (before the sequence number
	// ZooKeeper appends), given a fresh 32-digit hex UUID.
	name(uuid string) string
	// predecessor returns the contender that self must wait for, "" when
	// self holds the lock, and found false when self is not among
	// children (its node is gone).
	predecessor(children []string, self string) (pred string, found bool)
	// contenders returns every contender, of every kind, first first.
	contenders(children []string) []string
}

// kazoo is kazoo's (2.8) Lock, WriteLock and ReadLock rule. A node is
// named <uuid hex><kind><sequence>, kind "__lock__" for an exclusive or
// write lock and "__rlock__" for a read lock. A contender's kind and
// sequence are read with the pattern (?:kinds)(-?\d{10})$, and contenders
// are ordered by the sequence as a string (Python sorts the match groups).
// A node waits for the last contender before it whose kind blocks its own:
// a write lock for every kind, a read lock for write locks only.
//
// kazoo 2.8's ReadLock also waits for write locks queued after it, which
// can deadlock a reader and a later writer (kazoo issue 649, fixed in
// kazoo 2.9). Here a reader waits only for writers before it, the rule of
// ZooKeeper's shared-lock recipe and of kazoo 2.9; with writers alone, as
// with kazoo's Lock, the two rules are the same.
type kazoo struct {
	kind     string         // this contender's kind
	blockers *regexp.Regexp // the kinds that block it
}

// The kinds of kazoo's lock nodes, and the pattern that finds any of them.
const (
	kazooWrite = "__lock__"
	kazooRead  = "__rlock__"
)

var (
	kazooAny    = kazooPattern(kazooWrite, kazooRead)
	kazooWriter = kazoo{kind: kazooWrite, blockers: kazooAny}
	kazooReader = kazoo{kind: kazooRead, blockers: kazooPattern(kazooWrite)}
)

// kazooPattern is kazoo's contender pattern for the given kinds.
func kazooPattern(kinds ...string) *regexp.Regexp {
	quoted := make([]string, len(kinds))
	for i, k := range kinds {
		quoted[i] = regexp.QuoteMeta(k)
	}
	return regexp.MustCompile(`(?:` + strings.Join(quoted, "|") + `)(-?\d{10})$`)
}

// match is one contender: its node name and its sequence as kazoo sorts it.
type match struct{ name, seq string }

// matching returns the children re matches, ordered as kazoo orders them:
// by sequence, stably (the children's own order breaks no tie in
// practice: sequence numbers are unique under one parent).
func matching(re *regexp.Regexp, children []string) []match {
	var ms []match
	for _, c := range children {
		if m := re.FindStringSubmatch(c); m != nil {
			ms = append(ms, match{name: c, seq: m[1]})
		}
	}
	slices.SortStableFunc(ms, func(a, b match) int { return strings.Compare(a.seq, b.seq) })
	return ms
}

func (k kazoo) name(uuid string) string { return uuid + k.kind }

func (k kazoo) predecessor(children []string, self string) (string, bool) {
	m := kazooAny.FindStringSubmatch(self)
	if m == nil || !slices.Contains(children, self) {
		return "", false
	}
	pred := ""
	for _, c := range matching(k.blockers, children) {
		if c.seq >= m[1] {
			break
		}
		pred = c.name
	}
	return pred, true
}

func (k kazoo) contenders(children []string) []string {
	ms := matching(kazooAny, children)
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.name
	}
	return names
}

// curator is Apache Curator's InterProcessMutex rule (with protection, as
// Curator creates lock nodes): a node is named _c_<dashed uuid>-lock-
// <sequence>; every child is a contender, ordered (stably) by what follows
// the last "lock-" in its name, or by its whole name if it has none; a
// node waits for the one just before it.
type curator struct{}

// curatorLockName is the node name InterProcessMutex gives its LockInternals.
const curatorLockName = "lock-"

func (curator) name(uuid string) string { return "_c_" + dashed(uuid) + "-" + curatorLockName }

// curatorKey is Curator's StandardLockInternalsDriver.fixForSorting.
func curatorKey(name string) string {
	if i := strings.LastIndex(name, curatorLockName); i >= 0 {
		return name[i+len(curatorLockName):]
	}
	return name
}

func (curator) contenders(children []string) []string {
	sorted := slices.Clone(children)
	slices.SortStableFunc(sorted, func(a, b string) int { return strings.Compare(curatorKey(a), curatorKey(b)) })
	return sorted
}

func (c curator) predecessor(children []string, self string) (string, bool) {
	sorted := c.contenders(children)
	i := slices.Index(sorted, self)
	switch {
	case i < 0:
		return "", false
	case i == 0:
		return "", true
	}
	return sorted[i-1], true
}
