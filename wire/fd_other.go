//go:build !unix

package wire

// maxFileDescriptors is unknown on this system.
func maxFileDescriptors() int64 { return -1 }
