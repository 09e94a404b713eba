package main

import "runtime/debug"

// version is set at build time with -ldflags "-X main.version=v1.2.3"; otherwise the module's.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
