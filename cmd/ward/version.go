package main

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"
)

// version is set at link time for releases: -ldflags "-X main.version=v1.2.3".
var version = "devel"

var versionCommand = &command{
	name:    "version",
	summary: "print Ward's version",
	flags: func(fs *flag.FlagSet) func(context.Context, *env, []string) error {
		return func(_ context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usagef("version", "version takes no arguments")
			}
			fmt.Fprintln(e.stdout, versionString())
			return nil
		}
	},
}

func versionString() string {
	v, goV, rev := version, "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goV = bi.GoVersion
		if v == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("ward %s%s (%s)", v, rev, goV)
}
