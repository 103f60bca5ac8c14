//go:build !linux

package difftest

import "syscall"

// dieWithParent has no portable form outside Linux; Stop still kills the
// server when the test ends normally.
func dieWithParent() *syscall.SysProcAttr { return nil }
