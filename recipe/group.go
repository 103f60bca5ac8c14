package recipe

import (
	"context"
	"errors"
	"slices"

	"github.com/ensemble-go/ensemble/znode"
)

// Group is group membership, the base of service discovery: each member
// registers an ephemeral znode under the group's path, which the ensemble
// deletes when the member's session ends, so the list of members is the
// list of live processes. Members that join without a name get kazoo
// Party's (<uuid hex>__party__), so kazoo parties and Go groups mix.
type Group struct {
	c    Client
	path string
}

// Member is one member of a group: its node's name and data (an address,
// say).
type Member struct {
	Name string
	Data []byte
}

// NewGroup returns the group at path.
func NewGroup(c Client, path string) *Group {
	return &Group{c: c, path: path}
}

// Membership is this process's place in a group.
type Membership struct {
	c    Client
	path string
}

// Join registers this session in the group as name (a generated name if
// "") with data. A name already taken fails with znode.ErrNodeExists. An
// error that leaves the outcome unknown (znode.ErrConnectionLoss) may
// mean the member was registered: Join again with the same name, and
// read ErrNodeExists as success, or Leave.
func (g *Group) Join(ctx context.Context, name string, data []byte) (*Membership, error) {
	if name == "" {
		name = newUUID() + "__party__"
	}
	if err := ensurePath(ctx, g.c, g.path); err != nil {
		return nil, wrapf(err, "join %s", g.path)
	}
	p, err := g.c.Create(ctx, join(g.path, name), data, znode.Ephemeral, nil)
	if err != nil {
		return nil, wrapf(err, "join %s", g.path)
	}
	return &Membership{c: g.c, path: p}, nil
}

// Name returns the member's name in the group.
func (m *Membership) Name() string { return base(m.path) }

// Leave removes the member from the group. Leaving twice is not an error.
func (m *Membership) Leave(ctx context.Context) error {
	err := retry(ctx, m.c, func() error { return m.c.Delete(ctx, m.path, -1) })
	if err != nil && !errors.Is(err, znode.ErrNoNode) {
		return wrapf(err, "leave %s", m.path)
	}
	return nil
}

// Members returns the group's members, sorted by name.
func (g *Group) Members(ctx context.Context) ([]Member, error) {
	ms, _, err := g.members(ctx, false)
	return ms, err
}

// members reads the members, with a child watch when watch is set. A
// group whose path does not exist has no members; with watch, the
// returned channel then fires when the path is created.
func (g *Group) members(ctx context.Context, watch bool) ([]Member, <-chan znode.Event, error) {
	var (
		kids []string
		ch   <-chan znode.Event
		err  error
	)
	for {
		if watch {
			kids, _, ch, err = g.c.ChildrenW(ctx, g.path)
		} else {
			kids, _, err = g.c.Children(ctx, g.path)
		}
		if errors.Is(err, znode.ErrNoNode) {
			if !watch {
				return nil, nil, nil
			}
			var ok bool
			if ok, _, ch, err = g.c.ExistsW(ctx, g.path); err == nil && ok {
				continue
			}
			return nil, ch, err
		}
		if err != nil {
			return nil, nil, wrapf(err, "members of %s", g.path)
		}
		break
	}
	ms := make([]Member, 0, len(kids))
	for _, k := range kids {
		data, _, err := g.c.Get(ctx, join(g.path, k))
		if errors.Is(err, znode.ErrNoNode) {
			continue // left meanwhile; the watch will fire
		}
		if err != nil {
			return nil, nil, wrapf(err, "members of %s", g.path)
		}
		ms = append(ms, Member{Name: k, Data: data})
	}
	slices.SortFunc(ms, func(a, b Member) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return ms, ch, nil
}

// Watch returns a channel that receives the group's members now and each
// time a member joins or leaves (a member's data is read as it is then). A slow reader misses intermediate lists but always
// gets the newest. The channel is closed when ctx ends or the session
// ends.
func (g *Group) Watch(ctx context.Context) <-chan []Member {
	out := make(chan []Member, 1)
	go func() {
		defer close(out)
		for ctx.Err() == nil && sessionErr(g.c) == nil {
			ms, ch, err := g.members(ctx, true)
			if err != nil {
				if !backoff(ctx, g.c) {
					return
				}
				continue
			}
			latest(out, ms)
			if _, _, err := wait(ctx, g.c, ch); err != nil {
				return
			}
		}
	}()
	return out
}
