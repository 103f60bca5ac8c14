package recipe_test

import (
	"context"
	"testing"
	"time"
)

// timeAfter is time.After, named so polling loops read as what they are.
func timeAfter(d time.Duration) <-chan time.Time { return time.After(d) }

// ended waits for ch (a context's Done) to close, failing the test if
// ctx ends first.
func ended(t *testing.T, ctx context.Context, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("timed out waiting for %s", what)
	}
}
