package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version, when set at link time (-ldflags "-X main.version=v1.2.3"),
// overrides the module version the build recorded.
var version string

// versionString says which build this is: the version, the commit it was
// built from (marked "+dirty" for uncommitted changes) and the Go release.
func versionString() string {
	v, rev, dirty := version, "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	if rev == "" {
		return fmt.Sprintf("ensemble %s %s", v, runtime.Version())
	}
	return fmt.Sprintf("ensemble %s (%s) %s", v, rev, runtime.Version())
}
