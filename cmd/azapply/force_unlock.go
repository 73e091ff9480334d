package main

import (
	"bufio"
	"context"
	"errors"
	"strings"

	"github.com/azapply/azapply/cmd/azapply/views"
)

type forceUnlockOptions struct {
	factory *Factory
	common  commonFlags
	force   bool
	// id is the lock's ID, as the lock error names it.
	id string
}

// NewCmdForceUnlock defines azapply force-unlock; runF, when a test gives
// it, runs instead of forceUnlockRun.
func NewCmdForceUnlock(f *Factory, runF func(context.Context, *forceUnlockOptions) error) *command {
	o := &forceUnlockOptions{factory: f}
	c := newCommand(f, "force-unlock", "LOCK_ID", "Break a state lock left by a run that died",
		"Break the state lock left by a run that died. The lock error names the ID.\nOnly do this when that run is surely gone: two runs writing at once lose updates.",
		"azapply force-unlock --chdir stacks/prod 6f1c2a9e-3b7d-4c0e-9a51-2d8f0b7e4c13")
	o.common.register(c.flags) // no --lock: it breaks the lock, never takes it
	c.flags.BoolVar(&o.force, "force", false, "do not ask for confirmation")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) != 1 {
			return errors.New("force-unlock takes the lock ID that the lock error names: azapply force-unlock LOCK_ID")
		}
		o.id = args[0]
		if runF != nil {
			return runF(ctx, o)
		}
		return forceUnlockRun(ctx, o)
	}
	return c
}

func forceUnlockRun(ctx context.Context, o *forceUnlockOptions) error {
	s := o.factory.IOStreams
	v := views.NewState(viewStreams(s, o.common.noColor))
	_, backend, err := loadConfig(ctx, o.factory, o.common)
	if err != nil {
		return err
	}
	if !o.force {
		if !s.InTerminal {
			return errors.New("force-unlock needs confirmation, and standard input is not a terminal: run it with --force")
		}
		v.UnlockPrompt(o.id, backend.String())
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			v.UnlockCancelled()
			return errShown
		}
	}
	if err := backend.ForceUnlock(ctx, o.id); err != nil {
		return err
	}
	v.Unlocked(o.id, backend.String())
	return nil
}
