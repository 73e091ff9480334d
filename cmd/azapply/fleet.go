package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/cmd/azapply/views"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/fleet"
	"github.com/azapply/azapply/plan"
)

type fleetOptions struct {
	factory          *Factory
	kind             fleet.Kind
	dirs             []string
	plan             planFlags
	shard            string
	detailedExitCode bool
	noColor          bool
	lockTimeout      time.Duration
	lock             bool
}

// NewCmdFleet defines `azapply fleet plan|drift DIR...`: many stacks in one
// process (see package fleet); each is planned as plan or drift would plan
// it. runF, when a test gives it, runs instead of fleetRun with the
// options the flags made.
func NewCmdFleet(f *Factory, runF func(context.Context, *fleetOptions) error) *command {
	o := &fleetOptions{factory: f}
	c := newCommand(f, "fleet", "plan|drift DIR...", "Plan, or look for drift in, many stacks in one process",
		"Plan, or look for drift in, many stacks in one process, sharing ARM's request\nbudget between them, and report them as one. Each stack reads fleet.vars (or\nfleet.vars.json) beside its configuration as its --var-file.",
		"azapply fleet drift --detailed-exitcode --format markdown stacks/*")
	fs := c.flags
	fs.IntVar(&o.plan.parallelism, "parallelism", plan.DefaultParallelism, "how many requests the whole fleet has in flight at once (and how many stacks it plans at once)")
	fs.StringVar(&o.plan.format, "format", "text", "output format: text, markdown (one summary for an issue or a chat message) or json (one document)")
	registerRefresh(fs, &o.plan.refresh)
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 2 when a stack has changes (plan) or drift (drift), 1 when a stack failed, 0 otherwise")
	fs.StringVar(&o.shard, "shard", "", "run only the stacks whose subscription hashes to shard `I/N` (I from 0 to N-1), e.g. 0/4")
	fs.BoolVar(&o.noColor, "no-color", false, "never print colour codes")
	fs.DurationVar(&o.lockTimeout, "lock-timeout", 0, "how long to wait for each stack's state lock held by another run, e.g. 30s (default: do not wait)")
	fs.BoolVar(&o.lock, "lock", true, "hold each stack's state lock while it is planned; --lock=false for read-only state credentials")
	c.run = func(ctx context.Context, args []string) error {
		if len(args) == 0 || (args[0] != "plan" && args[0] != "drift") {
			return flagErrorf("fleet", "say what to run: azapply fleet plan DIR... or azapply fleet drift DIR...")
		}
		o.kind, o.dirs = fleet.Kind(args[0]), args[1:]
		if runF != nil {
			return runF(ctx, o)
		}
		return fleetRun(ctx, o)
	}
	return c
}

// fleetRun plans the fleet and shows its report.
func fleetRun(ctx context.Context, o *fleetOptions) error {
	streams := viewStreams(o.factory.IOStreams, o.noColor)
	report, err := doFleet(ctx, o)
	if err != nil {
		views.FleetError(streams, views.Format(o.plan.format), err)
		return errShown
	}
	if err := views.Fleet(streams, report, views.Format(o.plan.format)); err != nil {
		views.FleetError(streams, views.Format(o.plan.format), err)
		return errShown
	}
	return exitWith(report.ExitCode(o.detailedExitCode))
}

// doFleet checks the flags, shards the stacks and plans them.
func doFleet(ctx context.Context, o *fleetOptions) (*fleet.Report, error) {
	if err := o.plan.validate(); err != nil {
		return nil, err
	}
	if len(o.dirs) == 0 {
		return nil, fmt.Errorf("azapply fleet %s: give the stacks' directories, e.g. azapply fleet %s stacks/*", o.kind, o.kind)
	}
	shard := fleet.All
	if o.shard != "" {
		var err error
		if shard, err = fleet.ParseShard(o.shard); err != nil {
			return nil, err
		}
	}
	dirs, err := fleet.Expand(o.dirs)
	if err != nil {
		return nil, err
	}
	stacks := make([]fleet.Stack, len(dirs))
	for i, d := range dirs {
		stacks[i].Dir = d
		if shard.Count > 1 {
			// A stack whose configuration does not load has no known
			// subscription: the shard of "" reports its error.
			if cfg, err := loadFiles(o.stackFlags(d)); err == nil {
				stacks[i].Subscriptions = fleet.Subscriptions(cfg)
			}
		}
	}
	mine := shard.Select(stacks)
	planCtx, stop := stopOnFirstInterrupt(ctx)
	defer stop()
	r := fleet.Run(planCtx, fleet.Options{Kind: o.kind, Stacks: mine, Shard: shard, Skipped: len(stacks) - len(mine),
		Plan: o.planStack, Shared: fleet.NewShared(o.plan.parallelism), Parallelism: o.plan.parallelism})
	if interrupted(ctx) {
		return nil, errPlanInterrupted
	}
	return r, nil
}

// stackFlags are the flags plan (or drift) would get in the stack's
// directory: its variables file beside it as --var-file.
func (o *fleetOptions) stackFlags(dir string) commonFlags {
	lock := o.lock
	f := commonFlags{chdir: dir, noColor: o.noColor, lockTimeout: o.lockTimeout, lockFlag: &lock, command: string(o.kind)}
	for _, file := range fleet.VarFilesOf(dir) {
		f.vars = append(f.vars, config.VarArg{File: file})
	}
	return f
}

// planStack plans one stack as plan or drift would, with the fleet's
// shared pacers and lists.
func (o *fleetOptions) planStack(ctx context.Context, dir string, sh *fleet.Shared) (p *plan.Plan, err error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory holding a configuration", dir)
	}
	f := o.stackFlags(dir)
	f.client = sh.ClientOptions(arm.ClientOptions{})
	w, err := openWorkspace(ctx, o.factory, f)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := w.close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	w.reader = sh.Reader(w.client)
	p, err = buildPlan(ctx, w, o.plan, o.kind == fleet.Drift)
	if err != nil {
		return nil, err
	}
	if p.PreflightFailed() {
		return nil, p.PreflightError()
	}
	return p, nil
}
