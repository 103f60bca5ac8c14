package wal_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/ensemble-go/ensemble/wal"
)

// A peer logs txns, snapshots its tree now and then, and on restart loads
// the newest snapshot and replays the log after it.
func Example() {
	dir, err := os.MkdirTemp("", "wal-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	opts := wal.Options{LogDir: dir, SegmentSize: 1 << 20}

	l, err := wal.Open(ctx, opts)
	if err != nil {
		panic(err)
	}
	_ = l.SetAcceptedEpoch(ctx, 1)
	_ = l.SetCurrentEpoch(ctx, 1)
	for c := int64(1); c <= 3; c++ {
		if err := l.Append(ctx, wal.Record{Zxid: 1<<32 | c, Data: fmt.Appendf(nil, "txn %d", c)}); err != nil {
			panic(err)
		}
	}
	err = l.SaveSnapshot(ctx, 1<<32|2, func(w io.Writer) error {
		_, err := io.WriteString(w, "the tree after txn 2")
		return err
	})
	if err != nil {
		panic(err)
	}
	_ = l.Close()

	// The restart.
	l, err = wal.Open(ctx, opts)
	if err != nil {
		panic(err)
	}
	defer l.Close()
	zxid, r, err := l.LatestSnapshot()
	if err != nil {
		panic(err)
	}
	tree, err := io.ReadAll(r)
	_ = r.Close()
	if err != nil {
		panic(err)
	}
	fmt.Printf("load %#x: %s\n", zxid, tree)
	_ = l.Scan(zxid, func(zxid int64, data []byte) error {
		fmt.Printf("replay %#x: %s\n", zxid, data)
		return nil
	})
	fmt.Println(l.Epochs())
	// Output:
	// load 0x100000002: the tree after txn 2
	// replay 0x100000003: txn 3
	// 1 1
}
