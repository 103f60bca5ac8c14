package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/ensemble-go/ensemble/znode"
)

// Codec turns a typed value into a znode's data and back.
type Codec[T any] struct {
	Encode func(T) ([]byte, error)
	Decode func([]byte) (T, error)
}

// JSON is the Codec that stores a value as JSON (encoding/json).
func JSON[T any]() Codec[T] {
	return Codec[T]{
		Encode: func(v T) ([]byte, error) { return json.Marshal(v) },
		Decode: func(b []byte) (T, error) {
			var v T
			err := json.Unmarshal(b, &v)
			return v, err
		},
	}
}

// String is the Codec that stores a string as its bytes.
func String() Codec[string] {
	return Codec[string]{
		Encode: func(s string) ([]byte, error) { return []byte(s), nil },
		Decode: func(b []byte) (string, error) { return string(b), nil },
	}
}

// Config is a typed value at a znode, read once and then kept current
// through watches: a service reads its settings with Value and reloads
// on Changes. Writers use PutConfig.
//
// ZooKeeper's watches are one-shot and a value may change several times
// before a watch is set again, so a Config may skip intermediate values,
// never the last: once writes stop, Value is the last one written and
// Changes has delivered it.
type Config[T any] struct {
	c     Client
	path  string
	codec Codec[T]
	out   chan T
	stop  context.CancelCauseFunc
	done  chan struct{}

	mu      sync.Mutex
	value   T
	version int32 // the Stat version of value; -1 before any value
	mzxid   int64 // the zxid that wrote the data last read
	exists  bool
	err     error // the last decode error, then why watching ended
}

// WatchConfig reads the value at path and keeps it current until ctx
// ends, Close is called or the session ends. A missing znode is not an
// error: Value reports it missing until it is created. Data that does not
// decode is reported by Err and otherwise ignored: Value keeps the last
// good value.
func WatchConfig[T any](ctx context.Context, c Client, path string, codec Codec[T]) (*Config[T], error) {
	w := &Config[T]{c: c, path: path, codec: codec, out: make(chan T, 1), version: -1, done: make(chan struct{})}
	wctx, stop := context.WithCancelCause(ctx)
	w.stop = stop
	ch, err := w.read(wctx, false)
	if err != nil {
		stop(err)
		close(w.done)
		close(w.out)
		return nil, wrapf(err, "config %s", path)
	}
	go w.run(wctx, ch)
	return w, nil
}

// read reads the znode and sets the next watch: a data watch if it
// exists, an exists watch if not. It publishes a new value when publish
// is set.
func (w *Config[T]) read(ctx context.Context, publish bool) (<-chan znode.Event, error) {
	for {
		data, st, ch, err := w.c.GetW(ctx, w.path)
		if errors.Is(err, znode.ErrNoNode) {
			var ok bool
			if ok, _, ch, err = w.c.ExistsW(ctx, w.path); err == nil && ok {
				continue // created in between
			}
			if err == nil {
				w.mu.Lock()
				w.exists = false
				w.mu.Unlock()
			}
			return ch, err
		}
		if err != nil {
			return nil, err
		}
		v, derr := w.codec.Decode(data)
		w.mu.Lock()
		// The data's zxid, not its version, tells a change: a znode
		// deleted and created again starts again at version 0.
		changed := !w.exists || st.Mzxid != w.mzxid
		w.exists, w.mzxid = true, st.Mzxid
		if derr != nil {
			w.err = wrapf(derr, "config %s: decoding version %d", w.path, st.Version)
		} else if changed {
			w.value, w.version, w.err = v, st.Version, nil
		}
		w.mu.Unlock()
		if derr == nil && changed && publish {
			latest(w.out, v)
		}
		return ch, nil
	}
}

// run keeps the value current until ctx or the session ends.
func (w *Config[T]) run(ctx context.Context, ch <-chan znode.Event) {
	defer close(w.done)
	defer close(w.out)
	for {
		if _, _, err := wait(ctx, w.c, ch); err != nil {
			w.end(ctx, err)
			return
		}
		var err error
		for {
			if ch, err = w.read(ctx, true); err == nil {
				break
			}
			if ctx.Err() != nil || sessionErr(w.c) != nil || !backoff(ctx, w.c) {
				w.end(ctx, err)
				return
			}
		}
	}
}

// end records why watching stopped.
func (w *Config[T]) end(ctx context.Context, err error) {
	if cause := context.Cause(ctx); cause != nil {
		err = cause
	} else if serr := sessionErr(w.c); serr != nil {
		err = serr
	}
	w.mu.Lock()
	w.err = err
	w.mu.Unlock()
}

// Value returns the current value and whether the znode exists with data
// that decoded. After a deletion it returns the last value and false.
func (w *Config[T]) Value() (T, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.value, w.exists && w.version >= 0
}

// Version returns the znode version of Value (its Stat.Version), -1 before
// any value.
func (w *Config[T]) Version() int32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.version
}

// Changes returns the channel that receives each new value after the one
// WatchConfig read. A slow reader misses intermediate values but always
// gets the newest. It is closed when watching ends.
func (w *Config[T]) Changes() <-chan T { return w.out }

// Err returns why the last data could not be decoded (while watching),
// or why watching ended: ErrClosed after Close, the context's error, or
// the session's.
func (w *Config[T]) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Close stops watching and waits for the watcher to end.
func (w *Config[T]) Close() error {
	w.stop(ErrClosed)
	<-w.done
	return nil
}

// PutConfig stores v at path, creating the znode and its parents if they
// are missing, and returns the znode's new version. Every Config watching
// path gets it.
func PutConfig[T any](ctx context.Context, c Client, path string, codec Codec[T], v T) (int32, error) {
	data, err := codec.Encode(v)
	if err != nil {
		return 0, wrapf(err, "config %s: encoding", path)
	}
	var version int32
	err = retry(ctx, c, func() (err error) {
		version, err = putConfig(ctx, c, path, data)
		return err
	})
	return version, err
}

// putConfig sets or creates the znode once.
func putConfig(ctx context.Context, c Client, path string, data []byte) (int32, error) {
	for {
		st, err := c.Set(ctx, path, data, -1)
		if err == nil {
			return st.Version, nil
		}
		if !errors.Is(err, znode.ErrNoNode) {
			return 0, wrapf(err, "config %s", path)
		}
		if i := lastSlash(path); i > 0 {
			if err := ensurePath(ctx, c, path[:i]); err != nil {
				return 0, wrapf(err, "config %s", path)
			}
		}
		_, err = c.Create(ctx, path, data, znode.Persistent, nil)
		if err == nil {
			return 0, nil
		}
		if !errors.Is(err, znode.ErrNodeExists) {
			return 0, wrapf(err, "config %s", path)
		}
		// Created by another writer meanwhile: set it.
	}
}
