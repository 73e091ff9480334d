package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/plan"
)

type driftOptions struct {
	common           commonFlags
	plan             planFlags
	detailedExitCode bool
}

// runDrift shows only what changed outside azapply since the last apply:
// plan --refresh-only under the name drift jobs look for.
func runDrift(ctx context.Context, args []string, s *IOStreams) int {
	var o driftOptions
	fs := pflag.NewFlagSet("drift", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	o.plan.register(fs)
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 2 when anything drifted, 0 when nothing did, 1 on error")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply drift [flags]\n\nShow what changed outside azapply since the last apply, declared or not.\nAccept it into the state with azapply apply --refresh-only.\n\nExample: azapply drift --chdir stacks/prod --detailed-exitcode\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	v := operationView("drift", o.plan.format, o.common.noColor, s)
	if err := o.plan.validate(); err != nil {
		return fail(v, err)
	}
	w, err := openWorkspace(ctx, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	planCtx, stop := stopOnFirstInterrupt(ctx)
	p, err := buildPlan(planCtx, w, o.plan, true)
	stop()
	if interrupted(ctx) {
		return fail(v, errPlanInterrupted)
	}
	if err != nil {
		return fail(v, err)
	}
	if err := v.Plan(p); err != nil {
		return fail(v, err)
	}
	if o.detailedExitCode {
		return plan.DetailedExitCode(p)
	}
	return exitOK
}
