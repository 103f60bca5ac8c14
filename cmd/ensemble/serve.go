package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/go-hclog"

	"github.com/ensemble-go/ensemble"
)

// defaultClientAddr is where a standalone peer serves clients unless
// -client says otherwise: ZooKeeper's port, on loopback only, so that a
// peer started without a configuration is not reachable from the network.
const defaultClientAddr = "127.0.0.1:2181"

// serveOptions are the flags of serve.
type serveOptions struct {
	config   string
	data     string
	client   string
	logLevel string
}

// serveFlags declares the flags of serve; parse errors and -h go to out.
func serveFlags(out io.Writer) (*flag.FlagSet, *serveOptions) {
	o := &serveOptions{}
	fs := flag.NewFlagSet("ensemble serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.config, "config", "", "run the peer an Apache ZooKeeper `zoo.cfg` describes")
	fs.StringVar(&o.data, "data", "", "data `directory` of a standalone peer (default $XDG_DATA_HOME/ensemble or ~/.local/share/ensemble)")
	fs.StringVar(&o.client, "client", defaultClientAddr, "`host:port` a standalone peer serves clients on")
	fs.StringVar(&o.logLevel, "log-level", "info", "log `level` on stderr: trace, debug, info, warn, error or off")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: ensemble serve -config zoo.cfg [-log-level LEVEL]
       ensemble serve [-data DIR] [-client HOST:PORT] [-log-level LEVEL]

With -config, run the peer an unchanged ZooKeeper zoo.cfg describes (its
dataDir holds myid). Without it, run a standalone peer.

Flags:
`)
		fs.PrintDefaults()
	}
	return fs, o
}

// usageError is a mistake in what the user gave: flags, arguments or the
// configuration. It makes the exit status exitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// serveCommand parses serve's flags, starts the peer and runs it until
// ctx ends or the peer fails.
func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, o := serveFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // the flag package has said what is wrong
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ensemble serve: unexpected argument %q", fs.Arg(0))
		if strings.HasSuffix(fs.Arg(0), ".cfg") {
			fmt.Fprintf(stderr, " (did you mean -config %s?)", fs.Arg(0))
		}
		fmt.Fprintln(stderr)
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	level := hclog.LevelFromString(o.logLevel)
	if level == hclog.NoLevel {
		fmt.Fprintf(stderr, "ensemble serve: unknown -log-level %q (want trace, debug, info, warn, error or off)\n", o.logLevel)
		return exitUsage
	}
	cfg, err := o.peerConfig(set, os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitCode(err)
	}
	cfg.Logger = hclog.New(&hclog.LoggerOptions{Output: stderr, Level: level})

	node, err := ensemble.Start(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitCode(err)
	}
	describe(stdout, cfg, node.ClientAddr())
	return supervise(ctx, node, stdout, stderr)
}

// exitCode is exitUsage for what the user can fix in flags or zoo.cfg,
// exitFailure for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, ensemble.ErrInvalidConfig) {
		return exitUsage
	}
	return exitFailure
}

// peerConfig builds the Config: from the zoo.cfg, or a standalone peer
// from the defaults and -data and -client.
func (o *serveOptions) peerConfig(set map[string]bool, getenv func(string) string) (ensemble.Config, error) {
	if o.config != "" {
		if set["data"] || set["client"] {
			return ensemble.Config{}, usageError{errors.New("ensemble serve: -data and -client are for a standalone peer; with -config, set dataDir and clientPort in the zoo.cfg")}
		}
		cfg, err := ensemble.ParseZooCfg(o.config)
		if err != nil {
			return ensemble.Config{}, usageError{fmt.Errorf("%w (in %s)", err, o.config)}
		}
		return cfg, nil
	}
	dir := o.data
	if dir == "" {
		var err error
		if dir, err = defaultDataDir(getenv); err != nil {
			return ensemble.Config{}, usageError{err}
		}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return ensemble.Config{}, fmt.Errorf("ensemble serve: creating the data directory: %w", err)
	}
	return ensemble.Config{DataDir: dir, ClientAddr: o.client}, nil
}

// defaultDataDir is where a standalone peer keeps its data when -data is
// not given, following the XDG base directory spec: $XDG_DATA_HOME/ensemble,
// or ~/.local/share/ensemble when XDG_DATA_HOME is unset or (as the spec
// says to treat it) not an absolute path.
func defaultDataDir(getenv func(string) string) (string, error) {
	if xdg := getenv("XDG_DATA_HOME"); filepath.IsAbs(xdg) {
		return filepath.Join(xdg, "ensemble"), nil
	}
	home := getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", errors.New("ensemble serve: no default data directory: neither XDG_DATA_HOME nor HOME is an absolute path; use -data")
	}
	return filepath.Join(home, ".local", "share", "ensemble"), nil
}

// describe tells the operator what is running and where.
func describe(w io.Writer, cfg ensemble.Config, clientAddr string) {
	fmt.Fprintln(w, versionString())
	id := cfg.ID
	if id == 0 {
		id = 1 // a standalone peer's default
	}
	if len(cfg.Peers) == 0 {
		fmt.Fprintf(w, "peer:    %d, standalone\n", id)
	} else {
		for _, p := range cfg.Peers {
			if p.ID == id {
				kind := "voter"
				if p.Observer {
					kind = "observer"
				}
				fmt.Fprintf(w, "peer:    %d of %d (%s), quorum %s, election %s\n", id, len(cfg.Peers), kind, p.QuorumAddr, p.ElectionAddr)
			}
		}
	}
	fmt.Fprintf(w, "data:    %s\n", absPath(cfg.DataDir))
	if cfg.DataLogDir != "" && cfg.DataLogDir != cfg.DataDir {
		fmt.Fprintf(w, "txn log: %s\n", absPath(cfg.DataLogDir))
	}
	if clientAddr == "" {
		fmt.Fprintln(w, "clients: none (no clientPort configured)")
	} else {
		fmt.Fprintf(w, "clients: %s\n", clientAddr)
	}
}

// absPath makes a path absolute for display, leaving it as it is if that
// fails.
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
