package znode

import (
	"errors"
	"strconv"
)

// Code is a ZooKeeper error code, with the numeric values of Apache
// ZooKeeper's KeeperException.Code. A Code is itself an error, so the
// exported Err* constants are sentinels that errors.Is matches through any
// amount of wrapping:
//
//	if errors.Is(err, znode.ErrNoNode) { ... }
//
// and CodeOf recovers the code to put on the wire.
type Code int32

// Error codes. The values are ZooKeeper's and travel on the wire unchanged.
const (
	OK Code = 0

	// System errors (ZooKeeper's SYSTEMERROR range, -1 to -99).
	ErrSystemError          Code = -1
	ErrRuntimeInconsistency Code = -2
	ErrDataInconsistency    Code = -3
	ErrConnectionLoss       Code = -4
	ErrMarshallingError     Code = -5
	ErrUnimplemented        Code = -6
	ErrOperationTimeout     Code = -7
	ErrBadArguments         Code = -8
	ErrUnknownSession       Code = -12
	ErrNewConfigNoQuorum    Code = -13
	ErrReconfigInProgress   Code = -14

	// API errors (ZooKeeper's APIERROR range, -100 and below).
	ErrAPIError                     Code = -100
	ErrNoNode                       Code = -101
	ErrNoAuth                       Code = -102
	ErrBadVersion                   Code = -103
	ErrNoChildrenForEphemerals      Code = -108
	ErrNodeExists                   Code = -110
	ErrNotEmpty                     Code = -111
	ErrSessionExpired               Code = -112
	ErrInvalidCallback              Code = -113
	ErrInvalidACL                   Code = -114
	ErrAuthFailed                   Code = -115
	ErrSessionMoved                 Code = -118
	ErrNotReadOnly                  Code = -119
	ErrEphemeralOnLocalSession      Code = -120
	ErrNoWatcher                    Code = -121
	ErrRequestTimeout               Code = -122
	ErrReconfigDisabled             Code = -123
	ErrSessionClosedRequireSASLAuth Code = -124
	ErrQuotaExceeded                Code = -125
	ErrThrottledOp                  Code = -127
)

var codeNames = map[Code]string{
	OK:                              "ok",
	ErrSystemError:                  "system error",
	ErrRuntimeInconsistency:         "runtime inconsistency",
	ErrDataInconsistency:            "data inconsistency",
	ErrConnectionLoss:               "connection loss",
	ErrMarshallingError:             "marshalling error",
	ErrUnimplemented:                "unimplemented",
	ErrOperationTimeout:             "operation timeout",
	ErrBadArguments:                 "bad arguments",
	ErrUnknownSession:               "unknown session",
	ErrNewConfigNoQuorum:            "new config has no quorum",
	ErrReconfigInProgress:           "reconfig in progress",
	ErrAPIError:                     "api error",
	ErrNoNode:                       "node does not exist",
	ErrNoAuth:                       "not authorized",
	ErrBadVersion:                   "bad version",
	ErrNoChildrenForEphemerals:      "ephemeral nodes may not have children",
	ErrNodeExists:                   "node already exists",
	ErrNotEmpty:                     "node has children",
	ErrSessionExpired:               "session expired",
	ErrInvalidCallback:              "invalid callback",
	ErrInvalidACL:                   "invalid ACL",
	ErrAuthFailed:                   "authentication failed",
	ErrSessionMoved:                 "session moved",
	ErrNotReadOnly:                  "not a read-only call",
	ErrEphemeralOnLocalSession:      "ephemeral on local session",
	ErrNoWatcher:                    "no such watcher",
	ErrRequestTimeout:               "request timeout",
	ErrReconfigDisabled:             "reconfig disabled",
	ErrSessionClosedRequireSASLAuth: "session closed: SASL authentication required",
	ErrQuotaExceeded:                "quota exceeded",
	ErrThrottledOp:                  "operation throttled",
}

// Error returns the code's description, as "zk: <description>".
func (c Code) Error() string {
	if name, ok := codeNames[c]; ok {
		return "zk: " + name
	}
	return "zk: error code " + strconv.Itoa(int(c))
}

// Known reports whether c is one of the codes ZooKeeper defines.
func (c Code) Known() bool {
	_, ok := codeNames[c]
	return ok
}

// CodeOf returns the ZooKeeper code that err carries: OK for nil, the Code
// found by errors.As for an error that wraps one, and ErrSystemError for
// any other error.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var c Code
	if errors.As(err, &c) {
		return c
	}
	return ErrSystemError
}
