package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/secret"
	"github.com/zclconf/go-cty/cty"
)

// planFlags are the flags of every command that makes a plan.
type planFlags struct {
	parallelism int
	format      string
	// refresh is the --refresh mode; "" takes the provider block's.
	refresh string
	// targets are the --target addresses: the run is limited to them and
	// what they depend on.
	targets []string
	// replace are the --replace addresses (plan and apply only).
	replace []string
	// preflight is plan --preflight; the provider's preflight = true
	// turns it on for plan and apply.
	preflight bool
}

// registerReplace adds --replace, for plan and apply.
func registerReplace(fs *pflag.FlagSet, addrs *[]string) {
	fs.StringArrayVar(addrs, "replace", nil, "replace (delete, then create) the resource at this `address` even though nothing forces it; repeat for more")
}

func (f *planFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&f.parallelism, "parallelism", plan.DefaultParallelism, "how many resources to read (GET) at once")
	fs.StringVar(&f.format, "format", "text", "output format: text, markdown (a pull-request comment) or json")
	registerRefresh(fs, &f.refresh)
}

// registerRefresh adds --refresh, for every command that refreshes.
func registerRefresh(fs *pflag.FlagSet, mode *string) {
	fs.StringVar(mode, "refresh", "", "how to read live resources (`mode`): resource (a GET each; the default unless the provider block's refresh says otherwise) "+
		"or collection (one list per collection of 3 or more declared resources, checked against a GET)")
}

func (f *planFlags) validate() error {
	if err := checkTargets(f.targets); err != nil {
		return err
	}
	if f.parallelism < 1 {
		return fmt.Errorf("--parallelism %d: give a number of at least 1", f.parallelism)
	}
	if f.refresh != "" {
		if _, err := plan.ParseRefreshMode(f.refresh); err != nil {
			return fmt.Errorf("--%w", err)
		}
	}
	switch f.format {
	case "text", "markdown", "json":
		return nil
	}
	return fmt.Errorf("--format %q: choose text, markdown or json", f.format)
}

type planOptions struct {
	factory          *Factory
	common           commonFlags
	plan             planFlags
	detailedExitCode bool
	refreshOnly      bool
	out              string
}

// view is the plan's view, as its flags choose.
func (o *planOptions) view() views.Operation {
	return operationView("plan", o.plan.format, o.common.noColor, o.factory.IOStreams)
}

// NewCmdPlan defines azapply plan; runF, when a test gives it, runs
// instead of planRun with the options the flags made.
func NewCmdPlan(f *Factory, runF func(context.Context, *planOptions) error) *command {
	o := &planOptions{factory: f}
	c := newCommand(f, "plan", "", "Show what apply would change",
		"Show what apply would change, without changing anything.",
		"azapply plan --chdir examples/quickstart --out tfplan")
	fs := c.flags
	o.common.registerAll(fs)
	o.plan.register(fs)
	registerTargets(fs, &o.plan.targets)
	registerReplace(fs, &o.plan.replace)
	fs.BoolVar(&o.plan.preflight, "preflight", false, "send every planned create and update to ARM's deployment validation, and fail (exit 1) on what it finds, before anything is written")
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none, 1 on error")
	fs.BoolVar(&o.refreshOnly, "refresh-only", false, "show only what changed outside azapply since the last apply (drift)")
	fs.StringVar(&o.out, "out", "", "write the plan to this file, for azapply apply FILE and azapply show FILE")
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
		return planRun(ctx, o)
	}
	return c
}

// planRun refreshes, plans and shows the plan; with --out it saves it.
func planRun(ctx context.Context, o *planOptions) error {
	v := o.view()
	w, err := openWorkspace(ctx, o.factory, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	if len(o.plan.targets) > 0 {
		v.Targeted(false)
	}
	planCtx, stop := stopOnFirstInterrupt(ctx)
	p, err := buildPlan(planCtx, w, o.plan, o.refreshOnly)
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
	v.ApplyWork(applyWork(p, w))
	v.Preflight(p)
	if err := p.PreflightError(); err != nil {
		return fail(v, err)
	}
	v.Locked(p)
	if o.out != "" {
		if err := plan.SaveFile(o.out, p); err != nil {
			return fail(v, err)
		}
		v.Saved(o.out)
	}
	if o.detailedExitCode {
		return exitWith(plan.DetailedExitCode(p))
	}
	return nil
}

// buildPlan refreshes and plans with the configuration's provider settings.
// The --refresh flag wins over the provider block's refresh.
func buildPlan(ctx context.Context, w *workspace, f planFlags, refreshOnly bool) (*plan.Plan, error) {
	p := w.cfg.Provider
	mode := f.refresh
	if mode == "" {
		mode = p.Refresh
	}
	refresh, err := plan.ParseRefreshMode(mode)
	if err != nil {
		return nil, err // config and validate already refused it
	}
	var only func(string) bool
	var untargeted []*config.Instance
	if len(f.targets) > 0 {
		all := slices.Clone(w.insts)
		if err := w.narrowToTargets(f.targets); err != nil {
			return nil, err
		}
		only = func(addr string) bool { return targeted(addr, f.targets) }
		// Their settings (prevent_destroy) hold for a group delete.
		untargeted = slices.DeleteFunc(all, func(in *config.Instance) bool { return slices.Contains(w.insts, in) })
	}
	pl, err := plan.Build(ctx, plan.Options{
		Only:           only,
		Reader:         w.planReader(),
		Instances:      w.insts,
		State:          w.state,
		Parallelism:    f.parallelism,
		Refresh:        refresh,
		IgnoreChanges:  p.IgnoreChanges,
		AdoptExisting:  p.AdoptExisting,
		Imports:        w.cfg.Imports,
		Removed:        w.cfg.Removed,
		Moved:          w.cfg.Moved,
		RefreshOnly:    refreshOnly,
		Data:           w.data,
		DataBodies:     w.dataBodies,
		SecretMatches:  w.state.SensitiveMatches,
		Replace:        f.replace,
		SoftDeleted:    p.Ops.SoftDeleted,
		PurgeOnDestroy: p.Ops.PurgeOnDestroy,
		Untargeted:     untargeted,
	})
	if err != nil {
		return nil, err
	}
	pl.Targets = f.targets
	if !refreshOnly {
		plan.PlanOutputs(pl, w.outputs, w.state)
	}
	// The secrets the service returned are known now: an ARM error of the
	// apply (or of the preflight) that quotes one is cleaned of it.
	for _, c := range pl.Changes {
		w.secrets.Add(secret.Strings(c.ID, c.Live)...)
	}
	if (f.preflight || p.Ops.Preflight) && !refreshOnly {
		if _, err := plan.Preflight(ctx, w.client, pl); err != nil {
			return nil, err
		}
	}
	// The plan holds every body now, as JSON. The evaluated bodies are not
	// read again (apply takes each instance's settings, and evaluates anew
	// a body that was not known), and at 10,000 resources they are a
	// third of the live heap: let them go.
	for _, in := range w.insts {
		in.Body = cty.NilVal
	}
	return pl, nil
}

// applyWork says, after a text plan, what apply does besides the planned
// changes: operations an earlier run left in flight, data sources read
// during apply, and the actions that will run.
func applyWork(p *plan.Plan, w *workspace) []string {
	var lines []string
	for _, r := range w.state.InFlight() {
		lines = append(lines, fmt.Sprintf("  # %s has a %s that an earlier run started and did not see finish: apply waits for it first", r.Address, r.InFlight.Method))
	}
	if p.RefreshOnly {
		return lines
	}
	for _, d := range w.deferred {
		lines = append(lines, fmt.Sprintf("  <= %s will be read during apply (it depends on what apply creates)", d.Address))
	}
	for _, a := range apply.ActionsToRun(p, w.actions) {
		lines = append(lines, fmt.Sprintf("  ! %s will run: POST %s (when = %q)", a.Address, a.ID, a.When))
	}
	return lines
}
