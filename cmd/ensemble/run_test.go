package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunUsageErrors: every mistake in flags, arguments or configuration
// exits 2 with a message that says what is wrong, before any peer starts.
func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.cfg")
	badTick := writeCfg(t, filepath.Join(dir, "bad-tick.cfg"), "tickTime=soon", "dataDir="+dir)
	noMyID := writeCfg(t, filepath.Join(dir, "no-myid.cfg"), "dataDir="+filepath.Join(dir, "empty"),
		"server.1=127.0.0.1:2888:3888", "server.2=127.0.0.1:2889:3889")
	good := writeCfg(t, filepath.Join(dir, "zoo.cfg"), "dataDir="+dir, "clientPort=0")
	data := filepath.Join(dir, "data")

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"serve", "-bogus"}, "flag provided but not defined: -bogus"},
		{"unknown flag without serve", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"flag without its value", []string{"serve", "-config"}, "flag needs an argument: -config"},
		{"missing zoo.cfg", []string{"serve", "-config", missing}, "no such file or directory"},
		{"malformed zoo.cfg", []string{"serve", "-config", badTick}, "tickTime"},
		{"zoo.cfg without myid", []string{"serve", "-config", noMyID}, "myid"},
		{"-data with -config", []string{"serve", "-config", good, "-data", data}, "-data and -client are for a standalone peer"},
		{"-client with -config", []string{"serve", "-config", good, "-client", "127.0.0.1:0"}, "-data and -client are for a standalone peer"},
		{"bad client address", []string{"serve", "-data", data, "-client", "2181"}, "ClientAddr"},
		{"unknown log level", []string{"serve", "-data", data, "-log-level", "loud"}, `unknown -log-level "loud"`},
		{"stray argument", []string{"serve", "zoo.cfg"}, `unexpected argument "zoo.cfg" (did you mean -config zoo.cfg?)`},
		{"unknown command", []string{"start"}, `unknown command "start"`},
		{"version with an argument", []string{"version", "now"}, `unexpected argument "now"`},
		{"help on an unknown command", []string{"help", "start"}, `unknown command "start"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr.String())
			assert.Contains(t, stderr.String(), tt.want)
			assert.Empty(t, stdout.String())
		})
	}
}

// TestRunHelpAndVersion: help, -h and version succeed and print to the
// right stream.
func TestRunHelpAndVersion(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStdout string
		wantStderr string
	}{
		{"help", []string{"help"}, "ensemble serve -config zoo.cfg", ""},
		{"help serve", []string{"help", "serve"}, "-log-level level", ""},
		{"help help", []string{"help", "help"}, "ensemble help [serve]", ""},
		{"serve -h", []string{"serve", "-h"}, "", "-config zoo.cfg"},
		{"-help", []string{"-help"}, "", "-config zoo.cfg"},
		{"version", []string{"version"}, "ensemble ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			require.Equal(t, exitOK, run(t.Context(), tt.args, &stdout, &stderr))
			if tt.wantStdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

// TestRunServesUntilCanceled runs a standalone peer in this process with
// -data and -client, as main does but with a context the test cancels in
// place of a signal: it prints where it lives, gets ready, serves the
// client port, and stops cleanly with exit status 0.
func TestRunServesUntilCanceled(t *testing.T) {
	data := filepath.Join(t.TempDir(), "not", "yet", "there")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout, stderr := newSyncBuffer(), newSyncBuffer()
	returned := make(chan int, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		returned <- run(ctx, []string{"-data", data, "-client", "127.0.0.1:0", "-log-level", "warn"}, stdout, stderr)
	}()

	_, err := stdout.waitLine(ctx, stopped, readyPrefix+" peer 1 is LEADING")
	require.NoError(t, err, "stderr: %s", stderr)
	addr := field(t, stdout.String(), "clients")
	assert.Contains(t, fourLetterWord(t, addr, "srvr"), "Mode: standalone")
	assert.Equal(t, data, field(t, stdout.String(), "data"))
	assert.Equal(t, "1, standalone", field(t, stdout.String(), "peer"))
	assert.DirExists(t, data)
	assert.NotContains(t, stderr.String(), "[INFO]", "-log-level warn reaches the logger")

	cancel()
	<-stopped
	assert.Equal(t, exitOK, <-returned, "stderr: %s", stderr)
	assert.True(t, strings.HasSuffix(stdout.String(), "stopping: context canceled\nstopped\n"), stdout.String())
}

// TestRunStartFailure: a peer that cannot start (its client port is
// taken) exits 1 and says why.
func TestRunStartFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-data", t.TempDir(), "-client", ln.Addr().String(), "-log-level", "off"}, &stdout, &stderr)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr.String(), ln.Addr().String())
	assert.Contains(t, stderr.String(), "address already in use")
}

// TestRunDataDirUnusable: a data directory that cannot be created is a
// failure (exit 1), not a usage error.
func TestRunDataDirUnusable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"-data", filepath.Join(file, "data"), "-client", "127.0.0.1:0"}, &stdout, &stderr)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr.String(), "creating the data directory")
}

func TestDefaultDataDir(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"XDG_DATA_HOME wins", map[string]string{"XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/ensemble", ""},
		{"HOME without XDG_DATA_HOME", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/ensemble", ""},
		{"relative XDG_DATA_HOME is ignored", map[string]string{"XDG_DATA_HOME": "xdg", "HOME": "/home/u"}, "/home/u/.local/share/ensemble", ""},
		{"neither", map[string]string{}, "", "use -data"},
		{"relative HOME", map[string]string{"HOME": "home"}, "", "use -data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := defaultDataDir(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
