package fleet

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/azapply/azapply/plan"
)

// PlanFunc plans one stack as `plan` (Kind Plan) or `drift` (Kind Drift)
// would, building its ARM client with sh's pacers and reading through
// sh.Reader. The command supplies it: planning a stack is the command's.
type PlanFunc func(ctx context.Context, dir string, sh *Shared) (*plan.Plan, error)

// Options are a fleet run's inputs.
type Options struct {
	Kind Kind
	// Stacks are the stacks to run, already sharded (see Shard.Select).
	Stacks []Stack
	Shard  Shard
	// Skipped counts the stacks left to other shards, for the report.
	Skipped int
	// Plan plans one stack.
	Plan PlanFunc
	// Shared is what the stacks share; NewShared(Parallelism) when nil.
	Shared *Shared
	// Parallelism bounds how many stacks are planned at once (their
	// requests in flight are bounded by Shared); DefaultParallelism when
	// not positive.
	Parallelism int
}

// DefaultParallelism is how many stacks are planned at once unless told.
const DefaultParallelism = plan.DefaultParallelism

var errNoPlan = errors.New("planning the stack returned no plan")

// Run plans every stack and reports them all: a stack that fails (a
// configuration error, a state it cannot read, ARM refusing a read) is
// reported as Failed and the others go on. Results are in the order of
// o.Stacks.
func Run(ctx context.Context, o Options) *Report {
	if o.Shared == nil {
		o.Shared = NewShared(o.Parallelism)
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.Shard.Count == 0 {
		o.Shard = All
	}
	results := make([]Result, len(o.Stacks))
	slots := make(chan struct{}, o.Parallelism)
	var wg sync.WaitGroup
	for i, st := range o.Stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				results[i] = resultOf(o.Kind, st.Dir, nil, ctx.Err())
				return
			}
			defer func() { <-slots }()
			p, err := planOne(ctx, o.Plan, st.Dir, o.Shared)
			results[i] = resultOf(o.Kind, st.Dir, p, err)
		}()
	}
	wg.Wait()
	return &Report{Kind: o.Kind, Shard: o.Shard, Skipped: o.Skipped, Stacks: results, Throttled: o.Shared.Pacers.Throttled()}
}

// planOne plans a stack; a panic in it fails that stack, not the fleet's
// report of the others.
func planOne(ctx context.Context, fn PlanFunc, dir string, sh *Shared) (p *plan.Plan, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("azapply failed on this stack (a bug: please report it with this trace): %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx, dir, sh)
}
