package main

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs the whole demonstration, as "go run ./examples/config"
// does, and checks each step and that the data is gone afterwards.
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
	for _, want := range []string{
		"service-2 starts with 100 req/s, burst 10",
		"service-3 starts with 100 req/s, burst 10",
		"service-2 reloaded: 200 req/s, burst 20",
		"service-3 reloaded: 200 req/s, burst 20",
		"service-2 reloaded: 500 req/s, burst 50",
		"service-3 reloaded: 500 req/s, burst 50",
		"every service runs with 500 req/s, burst 50",
		"5. shutting down",
	} {
		assert.Contains(t, out.String(), want)
	}
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
