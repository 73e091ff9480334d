package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

type forceUnlockOptions struct {
	common commonFlags
	force  bool
}

func runForceUnlock(ctx context.Context, args []string, s *IOStreams) int {
	var o forceUnlockOptions
	fs := pflag.NewFlagSet("force-unlock", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.force, "force", false, "do not ask for confirmation")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply force-unlock [flags] LOCK_ID\n\nBreak the state lock left by a run that died. The lock error names the ID.\nOnly do this when that run is surely gone: two runs writing at once lose updates.\n\nExample: azapply force-unlock --chdir stacks/prod 6f1c2a9e-3b7d-4c0e-9a51-2d8f0b7e4c13\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(s.Err, "Error: force-unlock takes the lock ID that the lock error names: azapply force-unlock LOCK_ID")
		return exitError
	}
	id := fs.Arg(0)
	_, backend, err := loadConfig(ctx, o.common)
	if err != nil {
		return reportError(s, err)
	}
	if !o.force {
		if !s.InTerminal {
			return reportError(s, errors.New("force-unlock needs confirmation, and standard input is not a terminal: run it with --force"))
		}
		fmt.Fprintf(s.Out, "Break lock %s on the state %s?\n  Only 'yes' will be accepted.\n\n  Enter a value: ", id, backend)
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			fmt.Fprintln(s.Err, "Force-unlock cancelled.")
			return exitError
		}
	}
	if err := backend.ForceUnlock(ctx, id); err != nil {
		return reportError(s, err)
	}
	fmt.Fprintf(s.Out, "Lock %s on the state %s was broken.\n", id, backend)
	return exitOK
}
