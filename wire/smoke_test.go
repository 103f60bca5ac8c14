package wire_test

import (
	"testing"

	"github.com/go-zookeeper/zk"
	"github.com/stretchr/testify/require"

	"github.com/ensemble-go/ensemble/wire"
	"github.com/ensemble-go/ensemble/wire/wiretest"
)

func TestSmoke(t *testing.T) {
	ts := start(t, wire.Config{}, wiretest.Options{})
	c, _ := ts.connect(t)
	p, err := c.Create("/a", []byte("x"), 0, zk.WorldACL(zk.PermAll))
	require.NoError(t, err)
	require.Equal(t, "/a", p)
	data, st, err := c.Get("/a")
	require.NoError(t, err)
	require.Equal(t, "x", string(data))
	require.EqualValues(t, 1, st.DataLength)
}
