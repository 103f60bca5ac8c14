package main

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ensemble-go/ensemble"
)

// fakePeer stands in for a Node whose fate the test decides.
type fakePeer struct {
	ready, done chan struct{}
	err         error // what Err reports once done is closed
	closeErr    error // what Close returns
	closed      int
}

func newFakePeer() *fakePeer {
	return &fakePeer{ready: make(chan struct{}), done: make(chan struct{})}
}

func (f *fakePeer) ID() uint64             { return 7 }
func (f *fakePeer) Role() ensemble.Role    { return ensemble.Following }
func (f *fakePeer) Ready() <-chan struct{} { return f.ready }
func (f *fakePeer) Done() <-chan struct{}  { return f.done }
func (f *fakePeer) Err() error             { return f.err }
func (f *fakePeer) Close() error           { f.closed++; return f.closeErr }

var errDiskGone = errors.New("txn log: fsync: input/output error")

// TestSupervise covers how a running peer ends: canceled (a signal),
// failing by itself, or failing to close.
func TestSupervise(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(f *fakePeer, cancel context.CancelFunc)
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{
			name:       "signal after ready",
			setup:      func(f *fakePeer, cancel context.CancelFunc) { close(f.ready); cancel() },
			wantCode:   exitOK,
			wantStdout: "stopped\n",
		},
		{
			name:       "signal before ready",
			setup:      func(_ *fakePeer, cancel context.CancelFunc) { cancel() },
			wantCode:   exitOK,
			wantStdout: "stopping: context canceled\nstopped\n",
		},
		{
			name: "the node fails",
			setup: func(f *fakePeer, _ context.CancelFunc) {
				f.err = errDiskGone
				close(f.done)
			},
			wantCode:   exitFailure,
			wantStderr: "ensemble: peer 7 failed: txn log: fsync: input/output error\n",
		},
		{
			name:       "the node stops with no error",
			setup:      func(f *fakePeer, _ context.CancelFunc) { close(f.done) },
			wantCode:   exitFailure,
			wantStderr: "ensemble: peer 7 failed: stopped by itself\n",
		},
		{
			name:       "close fails",
			setup:      func(f *fakePeer, cancel context.CancelFunc) { f.closeErr = errDiskGone; cancel() },
			wantCode:   exitFailure,
			wantStderr: "ensemble: peer 7 stopped with an error: txn log: fsync: input/output error\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePeer()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			tt.setup(f, cancel)
			var stdout, stderr bytes.Buffer
			assert.Equal(t, tt.wantCode, supervise(ctx, f, &stdout, &stderr))
			assert.Equal(t, 1, f.closed, "Close is called exactly once")
			assert.Contains(t, stdout.String(), tt.wantStdout)
			assert.Equal(t, tt.wantStderr, stderr.String())
		})
	}
}

// TestSuperviseSaysReady: the ready line comes once the peer is ready,
// before the stop.
func TestSuperviseSaysReady(t *testing.T) {
	f := newFakePeer()
	ctx, cancel := context.WithCancel(t.Context())
	stdout := newSyncBuffer()
	returned := make(chan int, 1)
	go func() { returned <- supervise(ctx, f, stdout, &bytes.Buffer{}) }()
	close(f.ready)
	_, err := stdout.waitLine(ctx, nil, readyPrefix)
	assert.NoError(t, err)
	cancel()
	assert.Equal(t, exitOK, <-returned)
	assert.Equal(t, "ready: peer 7 is FOLLOWING\nstopping: context canceled\nstopped\n", stdout.String())
}
