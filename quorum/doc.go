// Package quorum holds the one rule that decides when a set of peers is
// enough: the quorum verifier shared by election and zab, so that the two
// can never disagree on what a quorum is.
//
// It owns the voter set and the counting; it knows nothing of messages,
// epochs or zxids. Observers are not voters and never count.
package quorum
