// Package election is FastLeaderElection, Apache ZooKeeper's leader
// election, as a pure state machine.
//
// The full reference (rules, host contract, what it does not own) is being
// written; see the type and method docs meanwhile.
package election
