package ensemble_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/znode"
)

// Start a standalone peer (an ensemble of one) and wait until it serves.
func ExampleStart() {
	dir, err := os.MkdirTemp("", "example-start")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	node, err := ensemble.Start(ensemble.Config{DataDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	<-node.Ready()
	fmt.Println("serving:", node.Serving(), "leading:", node.IsLeader())
	// Output: serving: true leading: true
}

// A session on a peer: writes with versions, a watch, sequential nodes.
func ExampleNode_NewClient() {
	dir, err := os.MkdirTemp("", "example-client")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	node, err := ensemble.Start(ensemble.Config{DataDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()

	ctx := context.Background()
	c, err := node.NewClient(ctx, ensemble.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if _, err := c.Create(ctx, "/config", []byte("v1"), znode.Persistent, nil); err != nil {
		log.Fatal(err)
	}
	data, stat, changed, err := c.GetW(ctx, "/config")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s at version %d\n", data, stat.Version)

	if _, err := c.Set(ctx, "/config", []byte("v2"), stat.Version); err != nil {
		log.Fatal(err)
	}
	ev := <-changed
	fmt.Println(ev.Path, "changed")

	// A stale version is refused, as in ZooKeeper.
	_, err = c.Set(ctx, "/config", []byte("v3"), stat.Version)
	fmt.Println(err)

	for i := 0; i < 2; i++ {
		p, err := c.Create(ctx, "/config/job-", nil, znode.PersistentSequential, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p)
	}
	// Output:
	// v1 at version 0
	// /config changed
	// ensemble: set /config: zk: bad version
	// /config/job-0000000000
	// /config/job-0000000001
}
