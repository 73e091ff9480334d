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
)

type applyOptions struct {
	common      commonFlags
	autoApprove bool
	parallelism int
	format      string
}

func runApply(ctx context.Context, args []string, s *IOStreams) int {
	var o applyOptions
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.IntVar(&o.parallelism, "parallelism", apply.DefaultParallelism, "how many operations may run at once")
	fs.StringVar(&o.format, "format", "text", "progress output: text (one line per event) or json (one JSON object per line)")
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
	if o.parallelism < 1 {
		fmt.Fprintln(s.Err, "Error: --parallelism must be at least 1")
		return exitError
	}
	if o.format != "text" && o.format != "json" {
		fmt.Fprintf(s.Err, "Error: --format %q: use text or json\n", o.format)
		return exitError
	}
	return doApply(ctx, o, s)
}

func doApply(ctx context.Context, o applyOptions, s *IOStreams) int {
	w, err := openWorkspace(o.common, s)
	if err != nil {
		return reportError(s, err)
	}
	defer closeWorkspace(w, s)
	planCtx, stop := stopOnFirstInterrupt(ctx)
	p, err := plan.Make(planCtx, w.client, w.insts, w.state)
	stop()
	if err != nil {
		return reportError(s, err)
	}
	if err := apply.CheckPreventDestroy(p, w.insts); err != nil {
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
	var reporter apply.Reporter = &apply.TextReporter{W: s.Out}
	if o.format == "json" {
		reporter = &apply.JSONReporter{W: s.Out}
	}
	res, err := apply.Run(ctx, apply.Options{
		Plan: p, Config: w.cfg, Instances: w.insts, Client: w.client, State: w.state,
		Save: w.backend.Write, Reporter: reporter, Parallelism: o.parallelism,
		Drain: drainOf(ctx),
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
