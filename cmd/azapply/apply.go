package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/azapply/azapply/apply"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

type applyOptions struct {
	common      commonFlags
	plan        planFlags
	autoApprove bool
	refreshOnly bool
	// progress is the progress output: text or json.
	progress string
	// planFile is a plan saved with plan --out: applied only if still fresh.
	planFile string
}

func runApply(ctx context.Context, args []string, s *IOStreams) int {
	var o applyOptions
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	fs.SetOutput(s.Err)
	o.common.register(fs)
	fs.IntVar(&o.plan.parallelism, "parallelism", apply.DefaultParallelism, "how many reads, and how many writes, may run at once")
	registerRefresh(fs, &o.plan.refresh)
	registerTargets(fs, &o.plan.targets)
	registerReplace(fs, &o.plan.replace)
	fs.StringVar(&o.progress, "format", "text", "output: text, or json (JSON only on stdout: the plan, each progress event, the summary, the outputs and every diagnostic, one JSON object per line)")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "apply without asking for confirmation")
	fs.BoolVar(&o.refreshOnly, "refresh-only", false, "accept what changed outside azapply into the state; change nothing in Azure")
	fs.Usage = func() {
		fmt.Fprintln(s.Err, "Usage: azapply apply [FILE] [flags]\n\nPlan, ask for confirmation, then make Azure match the configuration.\nWith FILE (from azapply plan --out FILE), apply exactly that plan, and refuse if it is stale.\n\nExample: azapply apply --chdir examples/quickstart --auto-approve\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(ctx, fs, args, s); err != nil {
		return parseExit(err)
	}
	if o.progress != "text" && o.progress != "json" {
		return reportError(s, fmt.Errorf("--format %q: choose text or json", o.progress))
	}
	v := operationView("apply", o.progress, o.common.noColor, s)
	switch fs.NArg() {
	case 0:
	case 1:
		o.planFile = fs.Arg(0)
	default:
		return fail(v, errors.New("apply takes at most one plan file: azapply apply [FILE]"))
	}
	o.plan.format = "text"
	if err := o.plan.validate(); err != nil {
		return fail(v, err)
	}
	return doApply(ctx, o, s, v)
}

func doApply(ctx context.Context, o applyOptions, s *IOStreams, v views.Operation) int {
	// A saved plan is read, and checked against the state and the
	// configuration, before anything is sent: a corrupt one or one from
	// elsewhere costs no request.
	var saved *plan.SavedPlan
	if o.planFile != "" {
		var err error
		if saved, err = readPlanFile(o.planFile); err != nil {
			return fail(v, err)
		}
		o.refreshOnly = saved.Plan.RefreshOnly
		if len(o.plan.targets) > 0 {
			return fail(v, errors.New("--target with a plan file: the plan file keeps the targets it was made with; apply it without --target"))
		}
		o.plan.targets = saved.Plan.Targets
		if len(o.plan.replace) > 0 {
			return fail(v, errors.New("--replace is given to plan, not to apply with a plan file: the plan file already says what it replaces"))
		}
		o.plan.replace = saved.Replace()
		o.common.check = func(cfg *config.Config, st *state.State) error {
			var declared []string
			expanded := map[string]bool{}
			for _, r := range cfg.Resources {
				declared = append(declared, r.Address())
				// A targeted plan leaves blocks out on purpose.
				expanded[r.Address()] = r.ForEach != nil || r.Count != nil || len(saved.Plan.Targets) > 0
			}
			return saved.CheckBefore(st.Lineage, declared, expanded)
		}
	}
	w, err := openWorkspace(ctx, o.common)
	if err != nil {
		return fail(v, err)
	}
	defer closeWorkspace(w, v.Error)
	if len(w.state.InFlight()) > 0 && !o.refreshOnly {
		// An earlier run crashed or was interrupted while ARM worked: wait
		// for those operations instead of sending them again.
		if err := apply.ResumeInFlight(ctx, apply.Options{Client: w.client, State: w.state, Instances: w.insts,
			Save: w.save(ctx), Stage: w.stage(ctx), Reporter: v}); err != nil {
			return fail(v, err)
		}
		if err := w.evaluate(ctx, o.common.noColor); err != nil {
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
	if saved != nil {
		// The plan was reviewed when it was saved: apply it without asking,
		// but only if nothing it was made from has changed.
		if err := saved.Check(p); err != nil {
			return fail(v, err)
		}
		o.autoApprove = true
	}
	shown := p
	if saved != nil {
		// Show what show showed, from the file's own content: Check found
		// that it is what this apply does.
		shown = saved.Plan
	}
	if err := v.Plan(shown); err != nil {
		return fail(v, err)
	}
	v.Preflight(p)
	if p.PreflightFailed() {
		return fail(v, preflightError(p))
	}
	if o.refreshOnly {
		return acceptDrift(ctx, o, p, w, s, v)
	}
	v.ApplyWork(applyWork(p, w))
	actions := apply.ActionsToRun(p, w.actions)
	if !p.HasChanges() && !hasForget(p) && len(actions) == 0 && !p.HasOutputChanges() {
		return exitOK
	}
	if (p.HasChanges() || len(actions) > 0 || p.HasOutputChanges()) && !o.autoApprove {
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
		return exitError
	}
	v.Summary(summary)
	v.Outputs(res.Outputs)
	if len(o.plan.targets) > 0 {
		v.Targeted(true)
	}
	return exitOK
}

func hasForget(p *plan.Plan) bool {
	for _, c := range p.Changes {
		if c.Action == plan.Forget || c.MovedFrom != "" {
			return true
		}
	}
	return false
}

// confirm asks for "yes" on a terminal and refuses without one, so that a CI
// job never hangs on a prompt.
func confirm(s *IOStreams, v views.Operation) (bool, error) {
	if !s.InTerminal {
		return false, errors.New("apply needs confirmation, and standard input is not a terminal: run it with --auto-approve")
	}
	v.Prompt()
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && line == "" {
		return false, fmt.Errorf("reading the confirmation: %w", err)
	}
	return strings.TrimSpace(line) == "yes", nil
}

// acceptDrift records the live bodies of what drifted as the state's
// outputs (and forgets what was deleted), changing nothing in Azure.
// Declared paths keep their post-apply values: the plan changes them back.
func acceptDrift(ctx context.Context, o applyOptions, p *plan.Plan, w *workspace, s *IOStreams, v views.Operation) int {
	if !p.HasDrift() {
		return exitOK
	}
	if !o.autoApprove {
		ok, err := confirm(s, v)
		if err != nil {
			return fail(v, err)
		}
		if !ok {
			v.Cancelled()
			return exitError
		}
	}
	for _, d := range p.Drift {
		if d.Deleted {
			w.state.Remove(d.Address)
			continue
		}
		if r := w.state.Get(d.Address); r != nil {
			// The accepted body is the live one: record it as apply
			// records any, its secrets hashed (declared ones, and by name
			// through Set).
			out := plan.AcceptedOutput(r.Output, d)
			for _, in := range w.insts {
				if in.Address == d.Address && len(in.Sensitive) > 0 {
					redacted, err := w.state.Redact(out, in.Sensitive)
					if err != nil {
						return fail(v, err)
					}
					out = redacted
				}
			}
			accepted := *r
			accepted.Output = out
			w.state.Set(&accepted)
		}
	}
	if err := w.backend.Write(ctx, w.state); err != nil {
		return fail(v, fmt.Errorf("saving the state: %w", err))
	}
	v.Summary(views.Summary{Command: "apply", RefreshOnly: true, Drifted: len(p.Drift)})
	return exitOK
}
