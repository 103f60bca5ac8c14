package znode_test

import (
	"fmt"

	"github.com/ensemble-go/ensemble/znode"
)

// The write path: the leader prepares a request into a txn, every replica
// applies the txn, and reads are served from the tree.
func Example() {
	tree := znode.New(znode.Options{})
	prep := znode.NewPreparer(tree)
	const session = 0x1234
	zxid := int64(0)
	write := func(req znode.Request) znode.Result {
		zxid++
		txn, err := prep.Prepare(znode.Header{Session: session, Zxid: zxid, Time: 1000 * zxid}, req, znode.Auth{})
		if err != nil {
			panic(err)
		}
		res, events := tree.Apply(txn) // on every replica
		prep.Applied(zxid)
		for _, e := range events {
			fmt.Println("event", e.Type, e.Path)
		}
		return res
	}
	write(znode.CreateSessionRequest{Timeout: 30000})
	write(znode.CreateRequest{Path: "/app", Data: []byte("config"), ACL: znode.OpenACL})
	res := write(znode.CreateRequest{Path: "/app/lock-", ACL: znode.OpenACL, Mode: znode.EphemeralSequential})
	fmt.Println("created", res.Path)
	res = write(znode.SetDataRequest{Path: "/app", Data: []byte("v2"), Version: 7})
	fmt.Println("stale setData:", res.Err())

	data, stat, _ := tree.Get("/app", znode.Auth{})
	fmt.Printf("%s version=%d children=%d\n", data, stat.Version, stat.NumChildren)
	write(znode.CloseSessionRequest{})
	// Output:
	// event 1 /app
	// event 4 /
	// event 1 /app/lock-0000000000
	// event 4 /app
	// created /app/lock-0000000000
	// stale setData: zk: bad version
	// config version=0 children=1
	// event 2 /app/lock-0000000000
	// event 4 /app
}
