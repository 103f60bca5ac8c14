package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary be a worker process too: run starts its
// workers by running its own executable, which here is the test binary.
func TestMain(m *testing.M) {
	if isWorker() {
		os.Exit(workerMain())
	}
	os.Exit(m.Run())
}

// TestRun runs the whole demonstration, as "go run ./examples/lock"
// does, and checks that every contender held the lock its share of times
// and that the data is gone afterwards.
func TestRun(t *testing.T) {
	root := t.TempDir()
	// A bound on a hang, not a speed requirement.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var logger hclog.Logger
	if testing.Verbose() {
		logger = hclog.New(&hclog.LoggerOptions{Output: os.Stderr, Level: hclog.Info})
	}
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, root, logger), out.String())
	for _, who := range []string{
		"main/goroutine-1", "main/goroutine-2", "main/goroutine-3",
		"process-1/goroutine-1", "process-1/goroutine-2",
		"process-2/goroutine-1", "process-2/goroutine-2",
	} {
		assert.Equal(t, rounds, strings.Count(out.String(), who+" "), "%s's holds in:\n%s", who, out.String())
	}
	assert.Contains(t, out.String(), "3. the counter is 28")
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	assert.Empty(t, entries, "the demonstration leaves nothing behind")
}

// TestRunStopsWhenCanceled: a canceled run fails (main exits 1) and still
// removes its data.
func TestRunStopsWhenCanceled(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out bytes.Buffer
	require.ErrorIs(t, run(ctx, &out, root, nil), context.Canceled)
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// TestWorkerFailsWithoutServers: a worker that cannot reach the ensemble
// exits with an error rather than hanging.
func TestWorkerFailsWithoutServers(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	require.Error(t, work(ctx, "lonely", []string{"127.0.0.1:1"}, &out))
}
