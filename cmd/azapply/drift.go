package main

import (
	"context"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/plan"
)

type driftOptions struct {
	factory          *Factory
	common           commonFlags
	plan             planFlags
	detailedExitCode bool
}

func (o *driftOptions) view() views.Operation {
	return operationView("drift", o.plan.format, o.common.noColor, o.factory.IOStreams)
}

// NewCmdDrift defines azapply drift: plan --refresh-only under the name
// drift jobs look for. runF, when a test gives it, runs instead of
// driftRun with the options the flags made.
func NewCmdDrift(f *Factory, runF func(context.Context, *driftOptions) error) *command {
	o := &driftOptions{factory: f}
	c := newCommand(f, "drift", "", "Show what changed outside azapply since the last apply",
		"Show what changed outside azapply since the last apply, declared or not.\nAccept it into the state with azapply apply --refresh-only.",
		"azapply drift --chdir stacks/prod --detailed-exitcode")
	fs := c.flags
	o.common.registerAll(fs)
	o.plan.register(fs)
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 2 when anything drifted, 0 when nothing did, 1 on error")
	c.run = func(ctx context.Context, args []string) error {
		if err := noArgs(c, args, ": point --chdir at the configuration directory"); err != nil {
			return err
		}
		if err := o.plan.validate(); err != nil {
			return fail(o.view(), err)
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return driftRun(ctx, o)
	}
	return c
}

// driftRun refreshes and shows only what changed outside azapply.
func driftRun(ctx context.Context, o *driftOptions) error {
	v := o.view()
	w, err := openWorkspace(ctx, o.factory, o.common)
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
		return exitWith(plan.DetailedExitCode(p))
	}
	return nil
}
