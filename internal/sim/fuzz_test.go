package sim

import (
	"strings"
	"testing"
)

// FuzzSim lets the fuzzer choose seeds: coverage guidance over election
// and zab steers it toward schedules that reach new protocol paths, which
// plain seed counting finds only by luck. A failure is replayed by the
// seed it prints, like any other.
func FuzzSim(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(s, uint16(600))
	}
	f.Fuzz(func(t *testing.T, seed uint64, steps uint16) {
		if seed == 0 {
			seed = 1
		}
		n := int64(steps%2000) + 100
		c, _, err := Run(RandomOptions(seed), n)
		if err != nil {
			tail := ""
			if c != nil {
				ev := c.Trace().Events()
				tail = strings.Join(ev[max(0, len(ev)-100):], "\n")
			}
			t.Fatalf("%v\nreplay: %s\n%s", err, replayCommand(seed, n), tail)
		}
	})
}

// FuzzUnmarshalChain checks that snapshot bytes never panic the decoder
// and that what decodes re-encodes to the same bytes.
func FuzzUnmarshalChain(f *testing.F) {
	good, _ := Chain{Zxid: 1<<32 | 5, State: 77}.MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := UnmarshalChain(b)
		if err != nil {
			return
		}
		back, err := c.MarshalBinary()
		if err != nil || string(back) != string(b) {
			t.Fatalf("%x decodes to %v, encodes to %x (%v)", b, c, back, err)
		}
	})
}
