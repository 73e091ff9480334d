package views

import "fmt"

// Version writes azapply version: the version, the commit it was built
// from and the Go toolchain and platform.
func Version(s Streams, version, commit, goVersion, platform string) error {
	_, err := fmt.Fprintf(s.Out, "azapply %s\ncommit %s\n%s %s\n", version, commit, goVersion, platform)
	return err
}
