package election

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStateNamesAndWireValues(t *testing.T) {
	// ZooKeeper's ServerState ordinals, which are the values on the wire.
	for s, name := range map[State]string{0: "LOOKING", 1: "FOLLOWING", 2: "LEADING", 3: "OBSERVING", 4: "State(4)"} {
		assert.Equal(t, name, s.String())
	}
}
