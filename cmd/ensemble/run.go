package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Exit statuses.
const (
	exitOK      = 0 // a clean stop, or a command that succeeded
	exitFailure = 1 // the peer could not start or failed while running
	exitUsage   = 2 // bad flags, arguments or configuration
)

// run is the whole command: args are the arguments after the program
// name; it returns the exit status. ctx ending (a signal, in main) stops a
// running peer cleanly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// "ensemble" alone, or "ensemble -flag ...", means serve.
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return serveCommand(ctx, args, stdout, stderr)
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serveCommand(ctx, rest, stdout, stderr)
	case "version":
		if len(rest) != 0 {
			fmt.Fprintf(stderr, "ensemble version: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help":
		return helpCommand(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "ensemble: unknown command %q\n\n", cmd)
		usage(stderr)
		return exitUsage
	}
}

// helpCommand prints the overview, or one command's flags.
func helpCommand(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		usage(stdout)
		return exitOK
	case len(args) == 1 && args[0] == "serve":
		fs, _ := serveFlags(stdout)
		fs.Usage()
		return exitOK
	case len(args) == 1 && (args[0] == "version" || args[0] == "help"):
		usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "ensemble help: unknown command %q\n\n", strings.Join(args, " "))
		usage(stderr)
		return exitUsage
	}
}

// usage writes the overview of every command.
func usage(w io.Writer) {
	fmt.Fprint(w, `ensemble runs a ZooKeeper-compatible peer.

Usage:
  ensemble serve -config zoo.cfg   run a peer from an unchanged ZooKeeper zoo.cfg
  ensemble [serve] [flags]         run a standalone peer (default data dir, `+defaultClientAddr+`)
  ensemble version                 print the version
  ensemble help [serve]            print this help, or the flags of serve

SIGTERM or SIGINT stops the peer cleanly. Run "ensemble help serve" for the flags.
`)
}
