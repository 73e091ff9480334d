package apply

import (
	"context"
	"sync"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// Client is what apply needs of the ARM client (*arm.Client is one). Do
// sends a request and waits for the operation it starts to finish.
type Client interface {
	Get(ctx context.Context, id, apiVersion string) (*arm.Response, error)
	Do(ctx context.Context, r arm.Request) (*arm.Response, error)
	// Resume waits for an operation started by an earlier run, from the
	// resume token that run recorded in the state.
	Resume(ctx context.Context, token string, opts arm.WaitOptions) (*arm.Response, error)
}

// DefaultTimeout bounds an operation whose resource sets no timeouts.
const DefaultTimeout = 30 * time.Minute

// DefaultParallelism is how many operations run at once by default. It is
// higher than Terraform's 10 because a long-running operation spends most
// of its time waiting between polls: under ARM's read bucket (25 a second)
// 10 creates of about 3 s each use barely half of it, while 32 keep it
// full. The ARM client's pacer, not this number, keeps the requests under
// ARM's limits.
const DefaultParallelism = 32

// Options are the inputs of Run.
type Options struct {
	Plan   *plan.Plan
	Config *config.Config
	// Instances are the evaluated resources the plan was made from; they
	// give each resource its timeouts and settings.
	Instances []*config.Instance
	// Deferred are the data sources the plan could not read yet (they
	// depend on resources it creates): apply reads them once those exist.
	Deferred []*config.Instance
	// Actions are the action blocks that run in this apply (see
	// ActionsToRun): each is POSTed once what it depends on is done.
	Actions []*config.Instance
	Client  Client
	State   *state.State
	// Learn, when set, is told the clear secrets the run comes to know as
	// it goes (the sensitive values of a body evaluated at apply, the
	// secrets in an action's answer or a data source read at apply), so
	// that the ARM errors printed after are cleaned of them. It keeps them
	// in memory only. It is never called concurrently.
	Learn func(secrets ...string)
	// Save stores the state; it is called after every finished operation,
	// never concurrently, with the addresses whose record changed (and
	// state.OutputsChanged for the outputs), so that it can record only
	// those (state.Save). No address means the whole state.
	Save func(st *state.State, changed ...string) error
	// Stage, when set, is used instead of Save: Save split in two, as
	// state.Stage does, so that the saves of operations that finish
	// together are committed together (group commit, see saver.go). It is
	// called with the state unchanging, never concurrently; its commit
	// runs while the state changes, and returns once the changes are
	// durable.
	Stage func(st *state.State, changed ...string) (commit func() error, err error)
	// Reporter receives progress events.
	Reporter Reporter
	// Parallelism bounds the operations in flight; DefaultParallelism when 0.
	Parallelism int
	// Drain, when closed, stops apply from starting new operations; those in
	// flight run to their end. Cancelling ctx instead abandons their waits.
	Drain <-chan struct{}
	// ProgressInterval is how often a long operation reports that it is
	// still running; 10s when 0.
	ProgressInterval time.Duration
	// Now returns the time; time.Now when nil.
	Now func() time.Time
	// RegisterProviders registers a resource provider namespace that a
	// write finds unregistered, waits for it, and sends the write again
	// (the provider block's register_providers); RegisterPoll is the first
	// wait between reads of its state (2 s when 0).
	RegisterProviders bool
	RegisterPoll      time.Duration
	// SoftDeleted is what a create does when a soft-deleted resource holds
	// its name: plan.SoftDeletedRecover (the default) or
	// plan.SoftDeletedPurge. PurgeOnDestroy purges what a delete of a
	// soft-deleting type leaves.
	SoftDeleted    string
	PurgeOnDestroy bool
	// ConsistencyDelay is the first wait between two tries within a window
	// of ARM's eventual consistency (see ReadAfterCreateWindow); it doubles
	// up to 15s. 1s when 0.
	ConsistencyDelay time.Duration
}

// Result counts what was done.
type Result struct {
	Added, Changed, Destroyed int
	// Read counts deferred data sources read; Actions the POSTs sent.
	Read, Actions int
	// Outputs are the configuration's output values after a successful
	// apply, in declaration order.
	Outputs []*config.Output
	// NotStarted counts operations skipped after a failure or interruption.
	NotStarted int
}

// Run applies the plan: deletes first (children before parents), then
// creates and updates in dependency order, then the deletes of resources
// replaced by one at a new ID. Independent operations run in parallel. On
// the first failure (or when Drain closes) no new operation starts; those in
// flight finish and are recorded; every error is returned, joined.
func Run(ctx context.Context, o Options) (Result, error) {
	o = o.withDefaults()
	if err := CheckLocks(o.Plan); err != nil {
		return Result{}, err
	}
	r := newRunner(o)
	defer r.startSaver()()
	if o.Plan != nil {
		// Moved blocks first: the records take their new addresses, with
		// no request to Azure.
		if err := r.move(); err != nil {
			return r.res, err
		}
	}
	r.seedOutputs()
	phases, forgotten := r.phases()
	if len(forgotten) > 0 {
		r.mu.Lock()
		err := r.save(forgotten...)
		r.mu.Unlock()
		if err != nil {
			return r.res, err
		}
	}
	for _, phase := range phases {
		if err := r.walk(ctx, phase); err != nil {
			if ctx.Err() == nil {
				r.rereadParents(ctx)
			}
			return r.res, err
		}
	}
	r.rereadParents(ctx)
	if err := r.recordOutputs(); err != nil {
		return r.res, err
	}
	return r.res, nil
}

// withDefaults fills in the options left zero.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.ConsistencyDelay <= 0 {
		o.ConsistencyDelay = time.Second
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 10 * time.Second
	}
	if o.Reporter == nil {
		o.Reporter = NoReporter{}
	}
	return o
}

func newRunner(o Options) *runner {
	r := &runner{o: o, outputs: map[string]any{}, insts: map[string]*config.Instance{}, locks: newParentLocks(),
		deletedWith: map[string][]*plan.Change{}, timeouts: map[string]config.Timeouts{}}
	for _, in := range o.Instances {
		r.insts[in.Address] = in
	}
	for _, list := range [][]*config.Instance{o.Instances, o.Deferred, o.Actions} {
		for _, in := range list {
			r.timeouts[in.Address] = in.Timeouts
		}
	}
	if o.Config != nil {
		r.eval = o.Config.NewEvaluator()
	}
	return r
}

// seedOutputs gives the evaluations of this run what is known before it
// starts: the data sources the plan read and the outputs the state records.
func (r *runner) seedOutputs() {
	live := map[string]map[string]any{}
	if r.o.Plan != nil {
		for _, c := range r.o.Plan.Changes {
			if c.Live == nil {
				continue
			}
			live[c.Address] = c.Live
			if c.Action == plan.Read {
				// A data source the plan read: outputs and deferred
				// bodies read it as the plan did.
				r.outputs[c.Address] = c.Live
			}
		}
	}
	for _, sr := range r.o.State.Resources {
		if sr.Output != nil {
			r.outputs[sr.Address] = sr.Output
			// The state keeps only hashes of secrets: what reads one
			// reads the live body the plan read.
			if l, ok := live[sr.Address]; ok && state.HoldsHashes(sr.Output) {
				r.outputs[sr.Address] = l
			}
		}
	}
}

type runner struct {
	o     Options
	insts map[string]*config.Instance
	// timeouts are the timeouts blocks of the resources, the deferred data
	// sources and the actions, by address.
	timeouts map[string]config.Timeouts
	locks    *parentLocks
	// deletedWith maps a resource group's address to the resources its
	// delete removes with it.
	deletedWith map[string][]*plan.Change

	// eval evaluates the bodies and ids not known at plan time; nil without
	// a Config.
	eval *config.Evaluator

	mu      sync.Mutex // guards outputs, res, written, State and Save
	outputs map[string]any
	res     Result
	// written are the resources this run created, changed or deleted,
	// by lower-cased ID (see rereadParents).
	written map[string]bool

	regs registrar
	// saver commits the saves (saver.go); nil when nothing is saved.
	saver *committer

	// lateSensitive are, by address, the sensitive paths of instances
	// evaluated during apply: a value not known when planning (a key read
	// by a data source deferred to apply) may turn out to be a secret.
	lateSensitive sync.Map
	// learnMu keeps the calls of Options.Learn apart.
	learnMu sync.Mutex
}

// move records each resource a moved block moves at its new address, as
// the plan says, before anything else: no request is sent.
func (r *runner) move() error {
	var changed []string
	for _, c := range r.o.Plan.Changes {
		if c.MovedFrom == "" {
			continue
		}
		sr := r.o.State.Get(c.MovedFrom)
		if sr == nil || r.o.State.Get(c.Address) != nil {
			continue
		}
		r.o.State.Remove(c.MovedFrom)
		sr.Address = c.Address
		r.o.State.Set(sr)
		r.o.Reporter.Report(Event{Time: r.o.Now(), Address: c.MovedFrom, Kind: EventMoved, Message: c.Address})
		changed = append(changed, c.MovedFrom, c.Address)
	}
	if len(changed) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.save(changed...)
}
