// Ensemble runs one ZooKeeper-compatible peer, a drop-in for zkServer.sh.
//
// Usage:
//
//	ensemble serve -config zoo.cfg   run a peer from an unchanged ZooKeeper zoo.cfg
//	ensemble                         run a standalone peer on 127.0.0.1:2181
//	ensemble serve -data DIR -client HOST:PORT
//	ensemble version
//	ensemble help [command]
//
// With -config, everything comes from the zoo.cfg: the myid file in its
// dataDir, its server.N lines, its dynamicConfigFile and its clientPort
// and clientPortAddress. Without it, ensemble runs a standalone peer whose
// data lives in $XDG_DATA_HOME/ensemble (or ~/.local/share/ensemble),
// created when missing; -data and -client override those defaults.
//
// What the peer does goes to stderr as hclog lines (-log-level). Stdout
// gets a few lines meant for people and scripts: where the data lives,
// where clients connect, a "ready:" line once the peer serves, and
// "stopped" once it has shut down. SIGTERM and SIGINT stop the peer
// cleanly, with exit status 0; a second signal kills it at once.
//
// Exit status: 0 after a clean stop, 1 when the peer cannot start or fails
// while running, 2 for a usage or configuration error.
//
// This command owns the process around a Node: flags, signals, logging and
// exit codes. Everything a peer does is the ensemble package's; the
// command uses only its exported API.
package main
