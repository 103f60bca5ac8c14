// Cluster runs a three-peer ensemble in one process and shows it riding
// out the loss of its leader.
//
// The peers talk over TCP on 127.0.0.1, on ports the system picks, with
// their data in a temporary directory that is removed at the end. The
// program writes znodes through a session on a follower, watches a znode
// from another peer and sees the watch fire, closes the leader, waits for
// a new one, checks that every write survived and that new writes work,
// then restarts the old leader and checks that it caught up. It prints
// each step, and exits 0 when all went as expected, 1 otherwise:
//
//	go run ./examples/cluster      # -v also shows the peers' logs
//
// It uses only the ensemble package's exported API (Start, Node, Client),
// as any program embedding peers would; its test runs the whole tour.
package main
