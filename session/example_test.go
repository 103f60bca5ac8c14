package session_test

import (
	"fmt"

	"github.com/ensemble-go/ensemble/session"
	"github.com/ensemble-go/ensemble/znode"
)

// A leader creates a session, a follower reports it alive with its pings,
// and once the client goes silent the leader's tracker expires it.
func Example_expiry() {
	secret := []byte("ensemble-wide secret")
	ids, _ := session.NewIDGenerator(1, 1_700_000_000_000)
	leader, _ := session.NewTracker(2000) // tickTime 2 s

	id := ids.Next()
	leader.Add(id, 6000)
	password := session.Password(id, secret)
	fmt.Printf("session %#x made by server %d\n", id, session.ServerOf(id))

	// The client moves to a follower, which checks the password without
	// asking anyone, and touches the session with every request.
	fmt.Println("password ok:", session.CheckPassword(id, password, secret))
	follower := session.NewTouchSet()
	for tick := 1; tick <= 6; tick++ {
		if tick <= 3 {
			follower.Touch(id, 6000) // the client is busy for three ticks
		}
		ping := session.AppendTouches(nil, follower.Touched())
		touches, err := session.DecodeTouches(ping)
		if err != nil {
			panic(err)
		}
		leader.TouchAll(touches)
		if expired := leader.Tick(); len(expired) > 0 {
			fmt.Printf("tick %d: expired %#x; propose closeSession\n", tick, expired[0])
		}
	}
	// Output:
	// session 0x18bcfe568000000 made by server 1
	// password ok: true
	// tick 6: expired 0x18bcfe568000000; propose closeSession
}

// Watches route each event a txn fires to the watchers waiting for it.
func Example_watches() {
	w := session.NewWatches()
	const alice, bob = session.WatcherID(1), session.WatcherID(2)
	w.Add(alice, "/app/config", session.DataWatch)                   // getData with watch
	w.Add(bob, "/app", session.ChildWatch)                           // getChildren with watch
	_ = w.AddWatch(bob, "/app", session.AddWatchPersistentRecursive) // addWatch

	// The events of "create /app/worker-1" at zxid 0x100000005, then
	// "setData /app/config" at 0x100000006.
	for _, ev := range []znode.Event{
		{Type: znode.EventNodeCreated, Path: "/app/worker-1", Zxid: 0x100000005},
		{Type: znode.EventNodeChildrenChanged, Path: "/app", Zxid: 0x100000005},
		{Type: znode.EventNodeDataChanged, Path: "/app/config", Zxid: 0x100000006},
	} {
		for _, d := range w.Trigger(ev) {
			fmt.Printf("watcher %d: type %d %s at %#x\n", d.Watcher, d.Event.Type, d.Event.Path, d.Event.Zxid)
		}
	}
	fmt.Printf("%+v\n", w.Summary())
	// Output:
	// watcher 2: type 1 /app/worker-1 at 0x100000005
	// watcher 2: type 4 /app at 0x100000005
	// watcher 1: type 3 /app/config at 0x100000006
	// watcher 2: type 3 /app/config at 0x100000006
	// {Watchers:1 Paths:1 Watches:1}
}
