package fleet

import (
	"github.com/azapply/azapply/plan"
)

// Kind is what a fleet run computes for each stack.
type Kind string

const (
	// Plan is `fleet plan`: each stack's plan, as `plan` makes it.
	Plan Kind = "plan"
	// Drift is `fleet drift`: what changed outside azapply in each stack,
	// as `drift` shows it.
	Drift Kind = "drift"
)

// Status is how one stack came out.
type Status string

const (
	// Clean: nothing to change (plan) or nothing drifted (drift).
	Clean Status = "clean"
	// Changes: the plan would change something.
	Changes Status = "changes"
	// Drifted: something changed outside azapply.
	Drifted Status = "drifted"
	// Failed: the stack could not be planned; Result.Err says why.
	Failed Status = "failed"
)

// Result is one stack's outcome.
type Result struct {
	// Dir is the stack's directory, as given.
	Dir    string
	Status Status
	// Count is the number of changes (plan: resources added, changed,
	// destroyed or imported, else the outputs that change) or of drifted
	// resources (drift); 0 when Clean or Failed.
	Count int
	// Plan is the stack's plan; nil when Failed.
	Plan *plan.Plan
	// Err is why the stack failed.
	Err error
}

// resultOf classifies a stack's plan as --detailed-exitcode would.
func resultOf(kind Kind, dir string, p *plan.Plan, err error) Result {
	r := Result{Dir: dir, Plan: p, Err: err}
	switch {
	case err != nil || p == nil:
		r.Status, r.Plan = Failed, nil
		if r.Err == nil {
			r.Err = errNoPlan
		}
	case plan.DetailedExitCode(p) == 0:
		r.Status = Clean
	case kind == Drift:
		r.Status, r.Count = Drifted, len(p.Drift)
	default:
		r.Status = Changes
		add, change, destroy := p.Summary()
		r.Count = add + change + destroy + p.Imports()
		if r.Count == 0 {
			r.Count = len(p.OutputChanges)
		}
	}
	return r
}

// Report is a fleet run: every stack's result, in the order given.
type Report struct {
	Kind Kind
	// Shard is the part of the fleet this run took (All when unsharded).
	Shard Shard
	// Skipped counts the stacks given that belong to other shards.
	Skipped int
	Stacks  []Result
	// Throttled is how many 429 responses the stacks' requests received.
	Throttled int
}

// Count returns how many stacks have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, st := range r.Stacks {
		if st.Status == s {
			n++
		}
	}
	return n
}

// ExitCode is the fleet's exit code: 1 when a stack failed; with
// detailed, 2 when a stack has changes (plan) or drifted (drift); else 0.
func (r *Report) ExitCode(detailed bool) int {
	switch {
	case r.Count(Failed) > 0:
		return 1
	case detailed && r.Count(Changes)+r.Count(Drifted) > 0:
		return 2
	}
	return 0
}
