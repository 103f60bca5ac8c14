package jute

// Op codes are package znode's (znode.OpCode): the request types of the
// protocol and the txn types of the tree are one list in ZooKeeper.

// Special xids the server and client use instead of a request's own.
const (
	XidNotification int32 = -1 // a watch event
	XidPing         int32 = -2 // a ping and its reply
	XidAuth         int32 = -4 // an AuthPacket and its reply
	XidSetWatches   int32 = -8 // setWatches or setWatches2 on reconnect
)
