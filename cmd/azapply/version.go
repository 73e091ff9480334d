package main

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"

	"github.com/azapply/azapply/cmd/azapply/views"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

type versionOptions struct {
	factory *Factory
}

// NewCmdVersion defines azapply version; runF, when a test gives it, runs
// instead of versionRun.
func NewCmdVersion(f *Factory, runF func(context.Context, *versionOptions) error) *command {
	o := &versionOptions{factory: f}
	c := newCommand(f, "version", "", "Print the version, commit and Go version",
		"Print azapply's version, the commit it was built from and the Go version.",
		"azapply version")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) > 0 {
			return errors.New("version takes no arguments")
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return versionRun(ctx, o)
	}
	return c
}

func versionRun(_ context.Context, o *versionOptions) error {
	v, commit, modified := version, "unknown", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, kv := range info.Settings {
			switch kv.Key {
			case "vcs.revision":
				commit = kv.Value
			case "vcs.modified":
				modified = kv.Value == "true"
			}
		}
	}
	if modified {
		commit += " (modified)"
	}
	return views.Version(viewStreams(o.factory.IOStreams, true), v, commit, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH)
}
