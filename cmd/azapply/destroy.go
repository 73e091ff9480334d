package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/plan"
)

func runDestroy(ctx context.Context, args []string, s *IOStreams) int {
	var o applyOptions
	fs := pflag.NewFlagSet("destroy", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "destroy without asking for confirmation")
	fs.IntVar(&o.plan.parallelism, "parallelism", apply.DefaultParallelism, "how many operations may run at once")
	fs.StringVar(&o.progress, "format", "text", "output: text, or json (JSON only on stdout: the plan, each progress event, the summary and every diagnostic, one JSON object per line)")
	fs.StringArrayVar(&o.plan.targets, "target", nil, "destroy only this `ADDRESS` (resource.NAME, module.NAME, ...) and what depends on it; repeatable. Not for routine use: the result is partial")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply destroy [flags]\n\nDelete every resource the state records, children first. A resource group that\nholds resources azapply does not manage is refused unless its block sets\ndelete_unmanaged_contents = true.\n\nExample: azapply destroy --chdir examples/quickstart --auto-approve\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if o.progress != "text" && o.progress != "json" {
		return reportError(s, fmt.Errorf("--format %q: choose text or json", o.progress))
	}
	v := operationView("destroy", o.progress, o.common.noColor, s)
	if o.plan.parallelism < 1 {
		return fail(v, errors.New("--parallelism must be at least 1"))
	}
	if err := checkTargets(o.plan.targets); err != nil {
		return fail(v, err)
	}
	w, err := openWorkspace(ctx, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	var only func(string) bool
	if len(o.plan.targets) > 0 {
		v.Targeted(false)
		only = destroyTargets(o.plan.targets, w.insts, w.state)
		found := false
		for _, r := range w.state.Resources {
			found = found || only(r.Address)
		}
		if !found {
			return fail(v, fmt.Errorf("--target names nothing the state records; nothing was sent. 'azapply state list' lists what it records"))
		}
	}
	planCtx, stop := stopOnFirstInterrupt(ctx)
	// A destroy plan deletes everything in the state; the configuration
	// gives only each resource's settings (prevent_destroy,
	// delete_unmanaged_contents) and the provider's soft-delete ones.
	p, err := plan.Build(planCtx, plan.Options{Reader: w.client, State: w.state, Destroy: true, Only: only,
		Instances: w.insts, Removed: w.cfg.Removed, SecretMatches: w.state.SensitiveMatches,
		SoftDeleted: w.cfg.Provider.Ops.SoftDeleted, PurgeOnDestroy: w.cfg.Provider.Ops.PurgeOnDestroy})
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
	if !p.HasChanges() && !hasForget(p) {
		return exitOK
	}
	if p.HasChanges() && !o.autoApprove {
		ok, err := confirm(s, v)
		if err != nil {
			return fail(v, err)
		}
		if !ok {
			v.Cancelled()
			return exitError
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
		return exitError
	}
	v.Summary(summary)
	if len(o.plan.targets) > 0 {
		v.Targeted(true)
	}
	return exitOK
}
