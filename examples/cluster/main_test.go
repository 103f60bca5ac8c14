package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun runs the whole tour, as "go run ./examples/cluster" does, and
// checks that every step happened and that the data is gone afterwards.
func TestRun(t *testing.T) {
	root := t.TempDir()
	// A bound on a hang, not a speed requirement: the tour takes seconds.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var logger hclog.Logger
	if testing.Verbose() {
		logger = hclog.New(&hclog.LoggerOptions{Output: os.Stderr, Level: hclog.Info})
	}
	var out bytes.Buffer
	require.NoError(t, run(ctx, &out, root, logger), out.String())

	for _, want := range []string{
		"1. starting peers 1, 2 and 3",
		"created /demo/jobs/job-0000000001 = \"second\"",
		"watch fired: NodeDataChanged /demo/config",
		"4. closing peer",
		"now leads",
		"has all 5 znodes written so far",
		"created /demo/after-failover",
		"created /demo/jobs/job-0000000002 = \"third\"",
		"with all 7 znodes; every peer is at zxid",
		"7. closing the sessions and the peers",
	} {
		assert.Contains(t, out.String(), want)
	}
	assertEmptyDir(t, root)
}

// TestRunFails: a tour that cannot go on returns an error (main exits 1)
// and still removes its data.
func TestRunFails(t *testing.T) {
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))

	tests := []struct {
		name    string
		ctx     context.Context
		root    string
		wantErr error
	}{
		{"canceled", canceled, t.TempDir(), context.Canceled},
		{"no place for the data", t.Context(), file, syscall.ENOTDIR},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.ctx, &out, tt.root, nil)
			require.ErrorIs(t, err, tt.wantErr)
			if info, err := os.Stat(tt.root); err == nil && info.IsDir() {
				assertEmptyDir(t, tt.root)
			}
		})
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the tour leaves nothing behind in %s", dir)
}
