//go:build race

package main

// raceEnabled makes the tests build the binary with -race too.
const raceEnabled = true
