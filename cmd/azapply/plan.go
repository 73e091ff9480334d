package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/plan"
)

type planOptions struct {
	common           commonFlags
	detailedExitCode bool
}

func runPlan(ctx context.Context, args []string, s *IOStreams) int {
	var o planOptions
	fs := pflag.NewFlagSet("plan", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none, 1 on error")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply plan [flags]\n\nShow what apply would change, without changing anything.\n\nExample: azapply plan --chdir examples/quickstart\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	return doPlan(ctx, o, s)
}

func doPlan(ctx context.Context, o planOptions, s *IOStreams) int {
	w, err := openWorkspace(ctx, o.common, s)
	if err != nil {
		return reportError(s, err)
	}
	defer closeWorkspace(w, s)
	p, err := plan.Make(ctx, w.client, w.insts, w.state)
	if err != nil {
		return reportError(s, err)
	}
	if err := plan.RenderText(s.Out, p, plan.TextOptions{Color: s.OutTerminal && !o.common.noColor}); err != nil {
		return reportError(s, err)
	}
	if o.detailedExitCode && p.HasChanges() {
		return exitChanges
	}
	return exitOK
}

func closeWorkspace(w *workspace, s *IOStreams) {
	if err := w.close(); err != nil {
		fmt.Fprintf(s.Err, "Error: %v\n", err)
	}
}
