package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

type applyOptions struct {
	factory     *Factory
	common      commonFlags
	plan        planFlags
	autoApprove bool
	refreshOnly bool
	// progress is the progress output: text or json.
	progress string
	// planFile is a plan saved with plan --out: applied only if still fresh.
	planFile string
}

// view is the view of apply (or destroy), as its flags choose.
func (o *applyOptions) view(command string) views.Operation {
	return operationView(command, o.progress, o.common.noColor, o.factory.IOStreams)
}

// NewCmdApply defines azapply apply; runF, when a test gives it, runs
// instead of applyRun with the options the flags made.
func NewCmdApply(f *Factory, runF func(context.Context, *applyOptions) error) *command {
	o := &applyOptions{factory: f}
	c := newCommand(f, "apply", "[FILE]", "Make Azure match the configuration",
		"Plan, ask for confirmation, then make Azure match the configuration.\nWith FILE (from azapply plan --out FILE), apply exactly that plan, and refuse if it is stale.",
		"azapply apply --chdir examples/quickstart --auto-approve")
	fs := c.flags
	o.common.registerAll(fs)
	fs.IntVar(&o.plan.parallelism, "parallelism", apply.DefaultParallelism, "how many reads, and how many writes, may run at once")
	registerRefresh(fs, &o.plan.refresh)
	registerTargets(fs, &o.plan.targets)
	registerReplace(fs, &o.plan.replace)
	fs.StringVar(&o.progress, "format", "text", "output: text, or json (JSON only on stdout: the plan, each progress event, the summary, the outputs and every diagnostic, one JSON object per line)")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.BoolVar(&o.refreshOnly, "refresh-only", false, "accept what changed outside azapply into the state; change nothing in Azure")
	c.run = func(ctx context.Context, args []string) error {
		if o.progress != "text" && o.progress != "json" {
			return flagErrorf(c.path, "--format %q: choose text or json", o.progress)
		}
		switch len(args) {
		case 0:
		case 1:
			o.planFile = args[0]
		default:
			return fail(o.view("apply"), errors.New("apply takes at most one plan file: azapply apply [FILE]"))
		}
		o.plan.format = "text"
		if err := o.plan.validate(); err != nil {
			return fail(o.view("apply"), err)
		}
		if runF != nil {
			return runF(ctx, o)
		}
		return applyRun(ctx, o)
	}
	return c
}

// applyRun plans, asks, and applies; with a plan file, applies that plan
// if it is still fresh.
func applyRun(ctx context.Context, o *applyOptions) error {
	v := o.view("apply")
	saved, err := o.readSavedPlan()
	if err != nil {
		return fail(v, err)
	}
	w, err := openWorkspace(ctx, o.factory, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	if len(w.state.InFlight()) > 0 && !o.refreshOnly {
		// An earlier run crashed or was interrupted while ARM worked: wait
		// for those operations instead of sending them again.
		if err := resumeInFlight(ctx, w, o.common.noColor, v); err != nil {
			return fail(v, err)
		}
		v.Section()
	}
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
	shown := p
	if saved != nil {
		// The plan was reviewed when it was saved: apply it without asking,
		// but only if nothing it was made from has changed. Show what show
		// showed, from the file's own content: Check found that it is what
		// this apply does.
		if err := saved.Check(p); err != nil {
			return fail(v, err)
		}
		o.autoApprove = true
		shown = saved.Plan
	}
	if err := v.Plan(shown); err != nil {
		return fail(v, err)
	}
	v.Preflight(p)
	if err := p.PreflightError(); err != nil {
		return fail(v, err)
	}
	if o.refreshOnly {
		return acceptDrift(ctx, o, p, w, v)
	}
	v.ApplyWork(applyWork(p, w))
	actions := apply.ActionsToRun(p, w.actions)
	if !p.HasChanges() && !p.HasForget() && len(actions) == 0 && !p.HasOutputChanges() {
		return nil
	}
	if (p.HasChanges() || len(actions) > 0 || p.HasOutputChanges()) && !o.autoApprove {
		if err := confirm(o.factory.IOStreams, v); err != nil {
			return err
		}
	}
	v.Section()
	return runPlanned(ctx, o, w, p, actions, v)
}

// readSavedPlan reads the plan file of apply FILE, if any, and takes its
// targets, replacements and mode into the options; the workspace checks it
// against the state and the configuration (CheckConfig) before anything
// is sent, so that a corrupt one or one from elsewhere costs no request.
func (o *applyOptions) readSavedPlan() (*plan.SavedPlan, error) {
	if o.planFile == "" {
		return nil, nil
	}
	saved, err := plan.ReadFile(o.planFile)
	if err != nil {
		return nil, err
	}
	if len(o.plan.targets) > 0 {
		return nil, errors.New("--target with a plan file: the plan file keeps the targets it was made with; apply it without --target")
	}
	if len(o.plan.replace) > 0 {
		return nil, errors.New("--replace is given to plan, not to apply with a plan file: the plan file already says what it replaces")
	}
	o.refreshOnly = saved.Plan.RefreshOnly
	o.plan.targets = saved.Plan.Targets
	o.plan.replace = saved.Replace()
	o.common.check = func(cfg *config.Config, st *state.State) error {
		return saved.CheckConfig(cfg, st.Lineage)
	}
	return saved, nil
}

// resumeInFlight waits for the operations an earlier run left in flight,
// then evaluates the configuration again with what they made.
func resumeInFlight(ctx context.Context, w *workspace, noColor bool, v views.Operation) error {
	if err := apply.ResumeInFlight(ctx, apply.Options{Client: w.client, State: w.state, Instances: w.insts,
		Save: w.save(ctx), Stage: w.stage(ctx), Reporter: v}); err != nil {
		return err
	}
	return w.evaluate(ctx, noColor)
}

// runPlanned makes the changes of the plan p and the actions, and shows
// the summary and the outputs.
func runPlanned(ctx context.Context, o *applyOptions, w *workspace, p *plan.Plan, actions []*config.Instance, v views.Operation) error {
	res, err := apply.Run(ctx, apply.Options{
		Plan: p, Config: w.cfg, Instances: w.insts, Deferred: w.deferred, Actions: actions,
		Client: w.client, State: w.state,
		Save: w.save(ctx), Stage: w.stage(ctx), Reporter: v,
		Parallelism: o.plan.parallelism, Drain: drainOf(ctx),
		RegisterProviders: w.cfg.Provider.Ops.RegisterProviders,
		SoftDeleted:       w.cfg.Provider.Ops.SoftDeleted, PurgeOnDestroy: w.cfg.Provider.Ops.PurgeOnDestroy,
		Learn: w.secrets.Add,
	})
	if ferr := w.flush(); ferr != nil {
		err = errors.Join(err, ferr)
	}
	summary := views.Summary{Command: "apply", Added: res.Added, Changed: res.Changed, Destroyed: res.Destroyed, Actions: res.Actions}
	if err != nil {
		v.Error(err)
		summary.Failed = true
		v.Summary(summary)
		return errShown
	}
	v.Summary(summary)
	v.Outputs(res.Outputs)
	if len(o.plan.targets) > 0 {
		v.Targeted(true)
	}
	return nil
}

// confirm asks for "yes" on a terminal and refuses without one, so that a
// CI job never hangs on a prompt. Any answer but yes cancels: the view
// says so and the command ends with exit 1.
func confirm(s *IOStreams, v views.Operation) error {
	if !s.InTerminal {
		return fail(v, errors.New("apply needs confirmation, and standard input is not a terminal: run it with --auto-approve"))
	}
	v.Prompt()
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && line == "" {
		return fail(v, fmt.Errorf("reading the confirmation: %w", err))
	}
	if strings.TrimSpace(line) != "yes" {
		v.Cancelled()
		return errShown
	}
	return nil
}

// acceptDrift records what drifted into the state (apply.AcceptDrift),
// changing nothing in Azure, and writes it.
func acceptDrift(ctx context.Context, o *applyOptions, p *plan.Plan, w *workspace, v views.Operation) error {
	if !p.HasDrift() {
		return nil
	}
	if !o.autoApprove {
		if err := confirm(o.factory.IOStreams, v); err != nil {
			return err
		}
	}
	if err := apply.AcceptDrift(p, w.state, w.insts); err != nil {
		return fail(v, err)
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return fail(v, fmt.Errorf("saving the state: %w", err))
	}
	v.Summary(views.Summary{Command: "apply", RefreshOnly: true, Drifted: len(p.Drift)})
	return nil
}
