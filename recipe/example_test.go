package recipe_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/ensemble-go/ensemble"
	"github.com/ensemble-go/ensemble/recipe"
)

// The quickstart: a program that embeds a peer and takes a lock.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "quickstart")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	node, err := ensemble.Start(ensemble.Config{DataDir: dir}) // a standalone peer
	if err != nil {
		log.Fatal(err)
	}
	defer node.Close()
	client, err := node.NewClient(ctx, ensemble.ClientOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	lock := recipe.NewLock(client, "/locks/quickstart", "me")
	held, err := lock.Lock(ctx) // held ends if the lock is lost
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("holding the lock:", held.Err() == nil)
	if err := lock.Unlock(ctx); err != nil {
		log.Fatal(err)
	}
	// Output: holding the lock: true
}

// peer starts a standalone peer with a short tickTime for the examples and
// returns a function that opens sessions on it, and one that stops it.
func peer() (session func() *ensemble.Client, stop func()) {
	dir, err := os.MkdirTemp("", "recipe-example")
	if err != nil {
		log.Fatal(err)
	}
	node, err := ensemble.Start(ensemble.Config{DataDir: dir, TickTime: 50 * time.Millisecond, LogSegmentSize: 1 << 20})
	if err != nil {
		log.Fatal(err)
	}
	var clients []*ensemble.Client
	session = func() *ensemble.Client {
		c, err := node.NewClient(context.Background(), ensemble.ClientOptions{})
		if err != nil {
			log.Fatal(err)
		}
		clients = append(clients, c)
		return c
	}
	return session, func() {
		for _, c := range clients {
			c.Close()
		}
		node.Close()
		os.RemoveAll(dir)
	}
}

func ExampleLock() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	a := recipe.NewLock(session(), "/locks/report", "worker-a")
	b := recipe.NewLock(session(), "/locks/report", "worker-b")
	if _, err := a.Lock(ctx); err != nil {
		log.Fatal(err)
	}
	_, err := b.TryLock(ctx)
	fmt.Println("b while a holds:", err)

	// b waits in Lock until a unlocks.
	got := make(chan error)
	go func() {
		_, err := b.Lock(ctx)
		got <- err
	}()
	a.Unlock(ctx)
	fmt.Println("b after a unlocks:", <-got)
	b.Unlock(ctx)
	// Output:
	// b while a holds: recipe: the lock is held by another contender
	// b after a unlocks: <nil>
}

func ExampleRWLock() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	r1 := recipe.NewRWLock(session(), "/locks/table", "reader-1").Reader()
	r2 := recipe.NewRWLock(session(), "/locks/table", "reader-2").Reader()
	w := recipe.NewRWLock(session(), "/locks/table", "writer").Writer()
	_, err1 := r1.Lock(ctx)
	_, err2 := r2.TryLock(ctx)
	fmt.Println("two readers:", err1, err2)
	_, err := w.TryLock(ctx)
	fmt.Println("a writer meanwhile:", errors.Is(err, recipe.ErrLocked))
	r1.Unlock(ctx)
	r2.Unlock(ctx)
	_, err = w.TryLock(ctx)
	fmt.Println("a writer once they are done:", err)
	w.Unlock(ctx)
	// Output:
	// two readers: <nil> <nil>
	// a writer meanwhile: true
	// a writer once they are done: <nil>
}

func ExampleElection() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	watcher := recipe.NewElection(session(), "/election/scheduler", "watcher")
	octx, stopObserving := context.WithCancel(ctx)
	defer stopObserving()
	leaders := watcher.Observe(octx)
	fmt.Printf("leader: %q\n", <-leaders)

	one := recipe.NewElection(session(), "/election/scheduler", "scheduler-1")
	two := recipe.NewElection(session(), "/election/scheduler", "scheduler-2")
	lead, err := one.Campaign(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("leader: %q\n", <-leaders)

	one.Resign(ctx)
	fmt.Println("scheduler-1's leadership ended:", context.Cause(lead))
	fmt.Printf("leader: %q\n", <-leaders)
	if _, err := two.Campaign(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("leader: %q\n", <-leaders)
	// Output:
	// leader: ""
	// leader: "scheduler-1"
	// scheduler-1's leadership ended: recipe: released
	// leader: ""
	// leader: "scheduler-2"
}

func ExampleWatchConfig() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	type Limits struct {
		MaxConns int `json:"max_conns"`
	}
	codec := recipe.JSON[Limits]()
	admin := session()
	if _, err := recipe.PutConfig(ctx, admin, "/config/limits", codec, Limits{MaxConns: 100}); err != nil {
		log.Fatal(err)
	}

	limits, err := recipe.WatchConfig(ctx, session(), "/config/limits", codec)
	if err != nil {
		log.Fatal(err)
	}
	defer limits.Close()
	v, _ := limits.Value()
	fmt.Println("starting with", v.MaxConns)

	recipe.PutConfig(ctx, admin, "/config/limits", codec, Limits{MaxConns: 500})
	v = <-limits.Changes()
	fmt.Println("reloaded with", v.MaxConns)
	// Output:
	// starting with 100
	// reloaded with 500
}

func ExampleGroup() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	for _, addr := range []string{"10.0.0.1:8080", "10.0.0.2:8080"} {
		if _, err := recipe.NewGroup(session(), "/services/api").Join(ctx, addr, nil); err != nil {
			log.Fatal(err)
		}
	}
	members, err := recipe.NewGroup(session(), "/services/api").Members(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range members {
		fmt.Println(m.Name)
	}
	// Output:
	// 10.0.0.1:8080
	// 10.0.0.2:8080
}

func ExampleBarrier() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	gate := recipe.NewBarrier(session(), "/barriers/deploy")
	gate.Raise(ctx)
	passed := make(chan struct{})
	go func() {
		recipe.NewBarrier(session(), "/barriers/deploy").Wait(ctx)
		close(passed)
	}()
	fmt.Println("lowering the barrier")
	gate.Lower(ctx)
	<-passed
	fmt.Println("the worker went through")
	// Output:
	// lowering the barrier
	// the worker went through
}

func ExampleDoubleBarrier() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	const workers = 3
	var wg sync.WaitGroup
	entered := make(chan string, workers)
	for i := range workers {
		b := recipe.NewDoubleBarrier(session(), "/barriers/batch", workers, fmt.Sprint("worker-", i))
		wg.Go(func() {
			b.Enter(ctx) // returns once all three have entered
			entered <- "in"
			b.Leave(ctx) // returns once all three have left
		})
	}
	wg.Wait()
	fmt.Println(len(entered), "workers computed together")
	// Output: 3 workers computed together
}

func ExampleQueue() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	producer := recipe.NewQueue(session(), "/queues/jobs")
	for _, job := range []string{"resize", "encode", "upload"} {
		producer.Put(ctx, []byte(job))
	}
	consumer := recipe.NewQueue(session(), "/queues/jobs")
	for range 3 {
		job, err := consumer.Take(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(job))
	}
	// Output:
	// resize
	// encode
	// upload
}

func ExampleCounter() {
	session, stop := peer()
	defer stop()
	ctx := context.Background()

	var wg sync.WaitGroup
	for range 3 {
		hits := recipe.NewCounter(session(), "/counters/hits")
		wg.Go(func() {
			for range 10 {
				hits.Add(ctx, 1)
			}
		})
	}
	wg.Wait()
	total, _, _ := recipe.NewCounter(session(), "/counters/hits").Value(ctx)
	fmt.Println(total)
	// Output: 30
}
