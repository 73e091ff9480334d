package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

type applyOptions struct {
	common      commonFlags
	autoApprove bool
}

func runApply(ctx context.Context, args []string, s *IOStreams) int {
	var o applyOptions
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply apply [flags]\n\nPlan, ask for confirmation, then make Azure match the configuration.\n\nExample: azapply apply --chdir examples/quickstart --auto-approve\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	return doApply(ctx, o, s)
}

func doApply(ctx context.Context, o applyOptions, s *IOStreams) int {
	w, err := openWorkspace(ctx, o.common, s)
	if err != nil {
		return reportError(s, err)
	}
	defer closeWorkspace(w, s)
	p, err := plan.Make(ctx, w.client, w.insts, w.state)
	if err != nil {
		return reportError(s, err)
	}
	color := s.OutTerminal && !o.common.noColor
	if err := plan.RenderText(s.Out, p, plan.TextOptions{Color: color}); err != nil {
		return reportError(s, err)
	}
	if !p.HasChanges() && !hasForget(p) {
		return exitOK
	}
	if p.HasChanges() && !o.autoApprove {
		ok, err := confirm(s)
		if err != nil {
			return reportError(s, err)
		}
		if !ok {
			fmt.Fprintln(s.Err, "Apply cancelled.")
			return exitError
		}
	}
	fmt.Fprintln(s.Out)
	res, err := apply.Run(ctx, apply.Options{
		Plan: p, Config: w.cfg, Client: w.client, State: w.state,
		Save: func(st *state.State) error { return w.backend.Write(ctx, st) }, Out: s.Out,
	})
	if err != nil {
		fmt.Fprintf(s.Err, "Error: %v\n", err)
		fmt.Fprintf(s.Out, "\nApply failed. Resources: %d added, %d changed, %d destroyed. The state records what finished; run apply again to continue.\n", res.Added, res.Changed, res.Destroyed)
		return exitError
	}
	fmt.Fprintf(s.Out, "\nApply complete! Resources: %d added, %d changed, %d destroyed.\n", res.Added, res.Changed, res.Destroyed)
	return exitOK
}

func hasForget(p *plan.Plan) bool {
	for _, c := range p.Changes {
		if c.Action == plan.Forget {
			return true
		}
	}
	return false
}

// confirm asks for "yes" on a terminal and refuses without one, so that a CI
// job never hangs on a prompt.
func confirm(s *IOStreams) (bool, error) {
	if !s.InTerminal {
		return false, errors.New("apply needs confirmation, and standard input is not a terminal: run it with --auto-approve")
	}
	fmt.Fprint(s.Out, "\nDo you want to perform these actions?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("reading the confirmation: %w", err)
	}
	return strings.TrimSpace(line) == "yes", nil
}
