package quorum

import (
	"fmt"
	"slices"
)

// Verifier decides which peers vote and which sets of them form a quorum.
type Verifier interface {
	// IsVoter reports whether id votes.
	IsVoter(id uint64) bool
	// HasQuorum reports whether the voters among ids form a quorum.
	// Duplicates and non-voters in ids are ignored.
	HasQuorum(ids []uint64) bool
	// Voters returns the voting ids in ascending order.
	Voters() []uint64
}

// Majority is the plain majority rule: more than half of the voters.
type Majority struct {
	voters []uint64 // sorted, distinct
}

// NewMajority returns a majority verifier over the given voters. It fails
// if there are none or if an id appears twice.
func NewMajority(voters ...uint64) (Majority, error) {
	if len(voters) == 0 {
		return Majority{}, fmt.Errorf("quorum: no voters")
	}
	v := slices.Clone(voters)
	slices.Sort(v)
	for i := 1; i < len(v); i++ {
		if v[i] == v[i-1] {
			return Majority{}, fmt.Errorf("quorum: voter %d listed twice", v[i])
		}
	}
	return Majority{voters: v}, nil
}

// IsVoter reports whether id is one of the voters.
func (m Majority) IsVoter(id uint64) bool {
	_, ok := slices.BinarySearch(m.voters, id)
	return ok
}

// HasQuorum reports whether more than half of the voters are among ids.
func (m Majority) HasQuorum(ids []uint64) bool {
	n := 0
	for i, id := range ids {
		if !m.IsVoter(id) || slices.Contains(ids[:i], id) {
			continue
		}
		n++
	}
	return n > len(m.voters)/2
}

// Voters returns the voting ids in ascending order.
func (m Majority) Voters() []uint64 { return slices.Clone(m.voters) }
