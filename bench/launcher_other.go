//go:build !linux

package main

import (
	"context"
	"os/exec"
)

// startLauncher starts no launcher elsewhere than on Linux, whose wait4
// alone reports a child's peak RSS as at least its parent's: the bench
// runs azapply itself.
func startLauncher(ctx context.Context) (*launcher, error) { return nil, nil }

func dieWithParent(cmd *exec.Cmd) {}
