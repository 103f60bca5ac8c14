package sim

import (
	"testing"
)

// BenchmarkSeed measures how fast the simulator runs one seed of faults
// (3 voters and an observer, 1000 steps, then the quiet phase): the budget
// of TestSimSeeds is seeds × this.
func BenchmarkSeed(b *testing.B) {
	var steps, delivered, committed int64
	for i := range b.N {
		opt := RandomOptions(uint64(i%64) + 1)
		opt.Voters, opt.Observers = 3, 1
		c, res, err := Run(opt, 1000)
		if err != nil {
			b.Fatal(err)
		}
		steps += res.Steps
		committed += int64(res.Committed)
		delivered += int64(c.Net().Delivered[ElectionPlane] + c.Net().Delivered[ZabPlane])
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(steps)/sec, "steps/s")
	b.ReportMetric(float64(delivered)/sec, "msgs/s")
	b.ReportMetric(float64(committed)/sec, "txns/s")
}

// BenchmarkBroadcast measures a healthy 3-voter ensemble committing
// writes, no faults: the cost of the host loop, codecs and checks per
// committed txn.
func BenchmarkBroadcast(b *testing.B) {
	opt := scenOptions(3)
	opt.ProposeRate = 1
	c, err := New(opt)
	if err != nil {
		b.Fatal(err)
	}
	start := c.Checker().Len()
	b.ResetTimer()
	for range b.N {
		c.Step()
	}
	if c.Err() != nil {
		b.Fatal(c.Err())
	}
	b.ReportMetric(float64(c.Checker().Len()-start)/b.Elapsed().Seconds(), "txns/s")
}
