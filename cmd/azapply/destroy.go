package main

import (
	"context"
	"errors"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/plan"
)

// NewCmdDestroy defines azapply destroy; runF, when a test gives it, runs
// instead of destroyRun with the options the flags made. Its options are
// apply's: it is an apply of a plan that deletes.
func NewCmdDestroy(f *Factory, runF func(context.Context, *applyOptions) error) *command {
	o := &applyOptions{factory: f}
	c := newCommand(f, "destroy", "", "Delete everything the state records",
		"Delete every resource the state records, children first. A resource group that\nholds resources azapply does not manage is refused unless its block sets\ndelete_unmanaged_contents = true.",
		"azapply destroy --chdir examples/quickstart --auto-approve")
	fs := c.flags
	o.common.registerAll(fs)
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "destroy without asking for confirmation")
	fs.IntVar(&o.plan.parallelism, "parallelism", apply.DefaultParallelism, "how many operations may run at once")
	fs.StringVar(&o.progress, "format", "text", "output: text, or json (JSON only on stdout: the plan, each progress event, the summary and every diagnostic, one JSON object per line)")
	fs.StringArrayVar(&o.plan.targets, "target", nil, "destroy only this `ADDRESS` (resource.NAME, module.NAME, ...) and what depends on it; repeatable. Not for routine use: the result is partial")
	c.run = func(ctx context.Context, args []string) error {
		if err := noArgs(c, args, ": point --chdir at the configuration directory"); err != nil {
			return err
		}
		if o.progress != "text" && o.progress != "json" {
			return flagErrorf(c.path, "--format %q: choose text or json", o.progress)
		}
		if o.plan.parallelism < 1 {
			return fail(o.view("destroy"), errors.New("--parallelism must be at least 1"))
		}
		if err := checkTargets(o.plan.targets); err != nil {
			return fail(o.view("destroy"), err)
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return destroyRun(ctx, o)
	}
	return c
}

// destroyRun plans the deletion of everything the state records (or of the
// targets), asks, and deletes.
func destroyRun(ctx context.Context, o *applyOptions) error {
	v := o.view("destroy")
	w, err := openWorkspace(ctx, o.factory, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	if len(o.plan.targets) > 0 {
		v.Targeted(false)
	}
	p, err := buildDestroyPlan(ctx, w, o.plan.targets)
	if err != nil {
		return fail(v, err)
	}
	if err := v.Plan(p); err != nil {
		return fail(v, err)
	}
	if !p.HasChanges() && !p.HasForget() {
		return nil
	}
	if p.HasChanges() && !o.autoApprove {
		if err := confirm(o.factory.IOStreams, v); err != nil {
			return err
		}
	}
	v.Section()
	res, err := apply.Run(ctx, apply.Options{
		Plan: p, Config: w.cfg, Instances: w.insts, Client: w.client, State: w.state,
		Save: w.save(ctx), Stage: w.stage(ctx), Reporter: v, Parallelism: o.plan.parallelism,
		Drain: drainOf(ctx), PurgeOnDestroy: w.cfg.Provider.Ops.PurgeOnDestroy,
	})
	if ferr := w.flush(); ferr != nil {
		err = errors.Join(err, ferr)
	}
	summary := views.Summary{Command: "destroy", Destroyed: res.Destroyed}
	if err != nil {
		v.Error(err)
		summary.Failed = true
		v.Summary(summary)
		return errShown
	}
	v.Summary(summary)
	if len(o.plan.targets) > 0 {
		v.Targeted(true)
	}
	return nil
}

// buildDestroyPlan plans the deletion of everything the state records, or
// of the targets and what depends on them.
func buildDestroyPlan(ctx context.Context, w *workspace, targets []string) (*plan.Plan, error) {
	var only func(string) bool
	if len(targets) > 0 {
		only = destroyTargets(targets, w.insts, w.state)
		found := false
		for _, r := range w.state.Resources {
			found = found || only(r.Address)
		}
		if !found {
			return nil, errors.New("--target names nothing the state records; nothing was sent. 'azapply state list' lists what it records")
		}
	}
	planCtx, stop := stopOnFirstInterrupt(ctx)
	defer stop()
	// A destroy plan deletes everything in the state; the configuration
	// gives only each resource's settings (prevent_destroy,
	// delete_unmanaged_contents) and the provider's soft-delete ones.
	p, err := plan.Build(planCtx, plan.Options{Reader: w.client, State: w.state, Destroy: true, Only: only,
		Instances: w.insts, Removed: w.cfg.Removed, SecretMatches: w.state.SensitiveMatches,
		SoftDeleted: w.cfg.Provider.Ops.SoftDeleted, PurgeOnDestroy: w.cfg.Provider.Ops.PurgeOnDestroy})
	if interrupted(ctx) {
		return nil, errPlanInterrupted
	}
	return p, err
}
