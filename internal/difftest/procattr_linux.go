package difftest

import "syscall"

// dieWithParent kills the JVM if the test binary dies first, so no
// ZooKeeper outlives a crashed or killed test run.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
