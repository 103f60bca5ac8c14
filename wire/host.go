package wire

import (
	"os"
	"os/user"
	"runtime"
	"strings"
)

// osName is the operating system as Java's os.name spells it.
func osName() string {
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "Mac OS X"
	case "windows":
		return "Windows"
	case "freebsd":
		return "FreeBSD"
	}
	return runtime.GOOS
}

// osVersion is the kernel release where the system tells it.
func osVersion() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func userName() string {
	u, err := user.Current()
	if err != nil {
		return "unknown"
	}
	return u.Username
}

// fileDescriptors returns the open and the maximum file descriptor counts,
// or -1 where the system does not tell.
func fileDescriptors() (open, limit int64) {
	open, limit = -1, maxFileDescriptors()
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = int64(len(ents))
	}
	return open, limit
}
