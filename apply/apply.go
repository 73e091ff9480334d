package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/arm/armid"
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
	// in memory only.
	Learn func(secrets ...string)
	// Save stores the state; it is called after every finished operation,
	// never concurrently, with the addresses whose record changed (and
	// state.OutputsChanged for the outputs), so that it can record only
	// those (state.Save). No address means the whole state.
	Save func(st *state.State, changed ...string) error
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
	if err := CheckLocks(o.Plan); err != nil {
		return Result{}, err
	}
	r := &runner{o: o, outputs: map[string]any{}, insts: map[string]*config.Instance{}, locks: newParentLocks(),
		deletedWith: map[string][]*plan.Change{}}
	if o.Plan != nil {
		// Moved blocks first: the records take their new addresses, with
		// no request to Azure.
		if err := r.move(); err != nil {
			return r.res, err
		}
	}
	live := map[string]map[string]any{}
	if o.Plan != nil {
		for _, c := range o.Plan.Changes {
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
	for _, sr := range o.State.Resources {
		if sr.Output != nil {
			r.outputs[sr.Address] = sr.Output
			// The state keeps only hashes of secrets: what reads one
			// reads the live body the plan read.
			if l, ok := live[sr.Address]; ok && state.HoldsHashes(sr.Output) {
				r.outputs[sr.Address] = l
			}
		}
	}
	for _, in := range o.Instances {
		r.insts[in.Address] = in
	}
	if o.Config != nil {
		r.eval = o.Config.NewEvaluator()
	}
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

// recordOutputs evaluates the output blocks with everything applied and
// keeps them in the state, sensitive ones as a salted hash.
func (r *runner) recordOutputs() error {
	if r.o.Config == nil {
		return nil
	}
	if len(r.o.Config.Outputs) == 0 {
		if len(r.o.State.Outputs) == 0 {
			return nil
		}
		// Every output block was removed: so are their records.
		r.mu.Lock()
		defer r.mu.Unlock()
		r.o.State.Outputs = map[string]*state.Output{}
		return r.save(state.OutputsChanged)
	}
	ev, diags := r.o.Config.EvaluateAll(r.outputs)
	if diags.HasErrors() {
		return fmt.Errorf("evaluating the outputs: %w", diags)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	prior := r.o.State.Outputs
	r.o.State.Outputs = map[string]*state.Output{}
	for _, out := range ev.Outputs {
		if !out.Value.IsWhollyKnown() {
			// Never dropped without a word: the state keeps what it had.
			if p, ok := prior[out.Name]; ok {
				r.o.State.Outputs[out.Name] = p
			}
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: "output." + out.Name,
				Message: "its value is still not known after apply (it reads something apply did not create or read); the state keeps its earlier value, if any"})
			continue
		}
		sensitive := out.Sensitive || out.Value.ContainsMarked()
		// A sensitive output is kept as a hash; one that returns a whole
		// body (a listKeys answer) keeps the secrets in it as hashes.
		v := r.o.State.OutputValue(config.ToJSONValue(out.Value), sensitive)
		r.o.State.Outputs[out.Name] = &state.Output{Value: v, Sensitive: sensitive}
		r.res.Outputs = append(r.res.Outputs, out)
	}
	return r.save(state.OutputsChanged)
}

// node is one operation of the walk.
type node struct {
	change *plan.Change
	op     Op
	// id is the resource the operation acts on (the prior ID for the delete
	// half of a replace to a new ID).
	id   string
	deps []*node
}

type runner struct {
	o     Options
	insts map[string]*config.Instance
	locks *parentLocks
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

	// lateSensitive are, by address, the sensitive paths of instances
	// evaluated during apply: a value not known when planning (a key read
	// by a data source deferred to apply) may turn out to be a secret.
	lateSensitive sync.Map
}

// phases builds the three walks of Run, drops from the state the resources
// the plan found already gone and records those imported with nothing to
// change; changed lists their addresses.
func (r *runner) phases() (phases [][]*node, changed []string) {
	var deletes, puts, late []*node
	byAddr := map[string]*node{}
	for _, c := range r.o.Plan.Changes {
		switch c.Action {
		case plan.Delete:
			if c.DeletedWith != "" {
				// Its resource group's delete removes it: no DELETE of its own.
				r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
				continue
			}
			deletes = append(deletes, &node{change: c, op: OpDelete, id: c.ID})
		case plan.Replace:
			if c.DeletedWith != "" {
				// Its resource group's delete removes it; it is created
				// again after the group.
				r.deletedWith[c.DeletedWith] = append(r.deletedWith[c.DeletedWith], c)
			} else if c.PriorID != "" && !armid.Equal(c.PriorID, c.ID) {
				// A new ID: create the new one, then delete the old one.
				late = append(late, &node{change: c, op: OpDelete, id: c.PriorID})
			} else {
				deletes = append(deletes, &node{change: c, op: OpDelete, id: c.ID})
			}
			n := &node{change: c, op: OpCreate, id: c.ID}
			puts = append(puts, n)
			byAddr[c.Address] = n
		case plan.Create, plan.Update:
			op := OpCreate
			if c.Action == plan.Update {
				op = OpUpdate
			}
			n := &node{change: c, op: op, id: c.ID}
			puts = append(puts, n)
			byAddr[c.Address] = n
		case plan.Forget:
			r.o.State.Remove(c.Address)
			changed = append(changed, c.Address)
		case plan.NoOp:
			if c.Import && c.Live != nil && c.Desired != nil && !hasUnknown(c.Desired) {
				// Taken over with nothing to change: record it, its
				// sensitive values hashed as after any write.
				if err := r.o.State.RecordApplied(c.Address, liveID(c.Live, c.ID), c.APIVersion, c.Desired, c.Live, r.sensitive(c.Address)); err != nil {
					slog.Warn("recording an imported resource without its bodies", "address", c.Address, "error", err)
					r.o.State.Set(&state.Resource{Address: c.Address, ID: liveID(c.Live, c.ID), APIVersion: c.APIVersion})
				}
				r.outputs[c.Address] = c.Live
				changed = append(changed, c.Address)
			}
		}
	}
	for _, in := range r.o.Deferred {
		n := &node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpRead, id: in.ID}
		puts = append(puts, n)
		byAddr[in.Address] = n
	}
	for _, in := range r.o.Actions {
		n := &node{change: &plan.Change{Address: in.Address, ID: in.ID, APIVersion: in.APIVersion, DependsOn: in.DependsOn}, op: OpPost, id: in.ID}
		puts = append(puts, n)
		byAddr[in.Address] = n
	}
	for _, n := range puts {
		for _, d := range n.change.DependsOn {
			if dn, ok := byAddr[d]; ok {
				n.deps = append(n.deps, dn)
			}
		}
	}
	linkDeletes(deletes)
	linkDeletes(late)
	return [][]*node{deletes, puts, late}, changed
}

// linkDeletes makes the delete of a resource wait for the deletes of
// everything inside it.
// Each ID's containers are found by looking up its prefixes, so the cost
// grows with the number of deletes times the depth of the IDs, not with
// the square of the number of deletes.
func linkDeletes(nodes []*node) {
	byID := make(map[string][]*node, len(nodes))
	for _, n := range nodes {
		k := armid.Key(n.id)
		byID[k] = append(byID[k], n)
	}
	for _, child := range nodes {
		k := armid.Key(child.id)
		for j := strings.LastIndexByte(k, '/'); j > 0; j = strings.LastIndexByte(k[:j], '/') {
			for _, parent := range byID[k[:j]] {
				parent.deps = append(parent.deps, child)
			}
		}
	}
}

type outcome struct {
	n   *node
	err error
}

// walk runs the nodes of one phase, each once all its deps succeeded, at
// most Parallelism at a time.
func (r *runner) walk(ctx context.Context, nodes []*node) error {
	if len(nodes) == 0 {
		return nil
	}
	waiting := map[*node]int{}
	dependents := map[*node][]*node{}
	ready := &readyQueue{refs: make(map[*node]lockRef, len(nodes))}
	for _, n := range nodes {
		waiting[n] = len(n.deps)
		for _, d := range n.deps {
			dependents[d] = append(dependents[d], n)
		}
		if len(n.deps) == 0 {
			ready.push(n)
		}
	}
	results := make(chan outcome)
	running, started := 0, 0
	stopping := false
	drain := r.o.Drain
	var errs []error
	for {
		for !stopping && running < r.o.Parallelism {
			n, held := ready.take(r.locks)
			if n == nil {
				break
			}
			running++
			started++
			go func() { results <- outcome{n, r.run(ctx, n, held)} }()
		}
		if running == 0 {
			break
		}
		select {
		case out := <-results:
			running--
			if out.err != nil {
				errs = append(errs, out.err)
				stopping = true
				continue
			}
			for _, d := range dependents[out.n] {
				waiting[d]--
				if waiting[d] == 0 {
					ready.push(d)
				}
			}
		case <-drain:
			drain = nil
			stopping = true
		}
	}
	r.res.NotStarted += len(nodes) - started
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if stopping {
		return ErrInterrupted
	}
	return nil
}

// readyQueue holds the nodes whose dependencies are done, those under a
// parent that serializes its children apart.
type readyQueue struct {
	refs          map[*node]lockRef
	serial, other []*node
}

func (q *readyQueue) push(n *node) {
	ref, ok := q.refs[n]
	if !ok {
		ref = lockRefOf(n.id)
		q.refs[n] = ref
	}
	if ref.serialized {
		q.serial = append(q.serial, n)
	} else {
		q.other = append(q.other, n)
	}
}

// take removes and returns a node that can start now, with its parent's
// lock taken for it, or nil. A node waiting for its parent's lock would
// hold one of the Parallelism slots doing nothing, so those whose parent
// is busy stay queued until the write under it ends (and sends its
// result). Children of a serializing parent go first: each parent takes
// one slot at a time, and the chain of its children, started last, would
// be what the apply waits for at its end.
func (q *readyQueue) take(locks *parentLocks) (*node, func()) {
	for _, list := range []*[]*node{&q.serial, &q.other} {
		for i, n := range *list {
			if release, ok := locks.tryAcquire(q.refs[n]); ok {
				if i == 0 {
					*list = (*list)[1:] // the usual case: no copy
				} else {
					*list = slices.Delete(*list, i, i+1)
				}
				return n, release
			}
		}
	}
	return nil, nil
}

// ErrInterrupted reports an apply stopped by Drain before it finished.
var ErrInterrupted = errors.New("apply was interrupted: operations in flight finished and were recorded, the rest did not start; run apply again to continue")

// run performs one operation with its timeout, progress reports and the
// per-parent serialization ARM needs.
func (r *runner) run(ctx context.Context, n *node, held func()) error {
	address := n.change.Address
	timeout := r.timeout(address, n.op)
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	start := r.o.Now()
	r.o.Reporter.Report(Event{Time: start, Kind: EventStart, Op: n.op, Address: address, ID: n.id})
	stop := r.ticker(n, start)
	err := r.perform(opCtx, n, held)
	stop()
	elapsed := r.o.Now().Sub(start)
	if err != nil {
		if errors.Is(opCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("%s: gave up waiting after %s (its timeouts { %s = ... } allow %s); the operation may still be running in Azure — check it, then run apply again: %w",
				address, seconds(elapsed), timeoutName(n.op), timeout, err)
		} else {
			err = fmt.Errorf("%s: %s %s: %w", address, opVerb(n.op), n.id, err)
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventFailed, Op: n.op, Address: address, ID: n.id, Elapsed: elapsed, Error: err.Error()})
		return err
	}
	r.noteWritten(n.id)
	r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventComplete, Op: n.op, Address: address, ID: r.recordedID(address, n), Elapsed: elapsed})
	return nil
}

// ticker reports every ProgressInterval that n is still running. stop
// returns only once the ticker's goroutine has ended, so that no "still
// running" line can follow the operation's last line.
func (r *runner) ticker(n *node, start time.Time) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	t := time.NewTicker(r.o.ProgressInterval)
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-t.C:
				select {
				case <-done:
					return
				default:
				}
				r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventProgress, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: r.o.Now().Sub(start)})
			}
		}
	}()
	return func() {
		t.Stop()
		close(done)
		<-exited
	}
}

// perform sends the operation, retrying it under the parent's lock when
// the parent answers that another operation is in progress. held, when
// set, releases the parent's lock already taken for the first attempt.
func (r *runner) perform(ctx context.Context, n *node, held func()) error {
	var settleStart time.Time
	settleDelay := r.o.ConsistencyDelay
	for attempt := 0; ; attempt++ {
		// The first attempt runs under the lock the scheduler took.
		release := held
		if held = nil; release == nil {
			release = r.locks.acquire(n.id)
		}
		opCtx := ctx
		if r.locks.serializes(n.id) {
			// One of a chain ARM runs one at a time: each of its reads
			// (polls above all) waiting behind unrelated ones delays the
			// whole chain, so they go first.
			opCtx = arm.WithPriority(ctx)
		}
		err := r.once(opCtx, n)
		release()
		if err == nil {
			return nil
		}
		if reason, ok := r.replicationError(n.change.Address, err); ok {
			// A principal created moments ago, not yet replicated: resend
			// within the window.
			if settleStart.IsZero() {
				settleStart = r.o.Now()
			}
			waited := r.o.Now().Sub(settleStart)
			window := r.window(n.change.Address, ReplicationWindow)
			if waited+settleDelay > window {
				return fmt.Errorf("%s, still after %s (its window is %s; a retry block's within lengthens it): %w", reason, seconds(waited), window, err)
			}
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWaiting, Op: n.op, Address: n.change.Address, ID: n.id, Elapsed: waited,
				Message: fmt.Sprintf("%s; trying again in %s (waited %s of at most %s)", reason, seconds(settleDelay), seconds(waited), window)})
			if perr := r.pause(ctx, settleDelay); perr != nil {
				return fmt.Errorf("%s; %w: %w", reason, perr, err)
			}
			settleDelay = min(settleDelay*2, maxSettleDelay)
			continue
		}
		if !isParentBusy(err) {
			return err
		}
		// The parent serializes its children: from now on writes under it
		// wait for each other; this one tries again after a pause.
		r.locks.learn(n.id)
		if perr := r.pause(ctx, time.Duration(1<<min(attempt, 5))*time.Second); perr != nil {
			return fmt.Errorf("%w (the parent was still busy with another operation; %w)", err, perr)
		}
	}
}

func (r *runner) once(ctx context.Context, n *node) error {
	c := n.change
	timeout := r.timeout(c.Address, n.op)
	switch n.op {
	case OpRead:
		return r.read(ctx, n, timeout)
	case OpPost:
		return r.post(ctx, n, timeout)
	}
	if n.op == OpDelete {
		if plan.IsResourceGroup(n.id) {
			if err := r.checkGroup(ctx, n); err != nil {
				return err
			}
		}
		req := arm.Request{Method: http.MethodDelete, ID: n.id, APIVersion: c.APIVersion, Timeout: timeout}
		req.Progress = r.recordInFlight(c.Address, n.id, c.APIVersion, http.MethodDelete, nil)
		req.OnBusy = func(error) { r.locks.learn(n.id) }
		resp, err := r.o.Client.Do(ctx, req)
		if err != nil && !arm.IsNotFound(err) {
			r.operationEnded(c.Address, err)
			return err
		}
		if err == nil {
			if err := r.confirmDeleted(ctx, n, resp); err != nil {
				return err
			}
		}
		if err := r.purgeAfterDelete(ctx, c, n.id); err != nil {
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if armid.Equal(n.id, c.ID) || c.Action != plan.Replace {
			r.o.State.Remove(c.Address)
			delete(r.outputs, c.Address)
		}
		r.res.Destroyed++
		changed := []string{c.Address}
		for _, child := range r.deletedWith[c.Address] {
			if sr := r.o.State.Get(child.Address); sr != nil && !armid.IsUnder(sr.ID, n.id) {
				// Created again elsewhere already (a group replaced by
				// one at a new ID, deleted last): that record stays.
				continue
			}
			r.o.State.Remove(child.Address)
			delete(r.outputs, child.Address)
			r.res.Destroyed++
			changed = append(changed, child.Address)
		}
		return r.save(changed...)
	}
	desired, err := r.desiredBody(c)
	if err != nil {
		return err
	}
	// The request the plan showed: for an update, built from the live body
	// the plan read (read, merge, write), with the values known now.
	planned, err := c.RequestFor(desired, r.recorded(c.Address))
	if err != nil {
		return err
	}
	req := arm.Request{Method: planned.Method, ID: c.ID, APIVersion: c.APIVersion, Body: planned.Body, Timeout: timeout}
	if n.op == OpUpdate {
		// Only if nobody changed it since the plan read it. A child this
		// run already wrote (a subnet deleted before its network's update)
		// moved the ETag itself: the request leaves that child out, and
		// the ETag the plan read no longer tells anything.
		if !r.wroteUnder(c.ID) {
			req.IfMatch, _ = c.Live["etag"].(string)
		}
	}
	// The state records the declared body as the last applied one, as
	// kubectl's last-applied configuration: what the configuration asked
	// for, not the live values the merge carried along.
	req.Progress = r.recordInFlight(c.Address, c.ID, c.APIVersion, req.Method, desired)
	// The client resends a write its parent is busy for; from the first
	// such answer on, writes under that parent wait for each other.
	req.OnBusy = func(error) { r.locks.learn(c.ID) }
	if err := r.recordIntent(c.Address, c.ID, c.APIVersion, req.Method, desired); err != nil {
		return err
	}
	live, err := r.registerWrite(ctx, c.Address, req)
	if t := plan.SoftDeleteOf(c.ID); err != nil && n.op == OpCreate && t != nil && t.IsConflict(err) {
		live, err = r.softDeletedCreate(ctx, c, t, req, err)
	}
	if err != nil && n.op == OpCreate && finalReadNotFound(err) {
		// The operation succeeded, but the GET that ends it found nothing
		// yet: read it back within the window below.
		live, err = nil, nil
	}
	if err != nil {
		r.operationEnded(c.Address, err)
		if n.op == OpCreate {
			r.settleFailedCreate(ctx, c, err)
		}
		if arm.IsPreconditionFailed(err) {
			return fmt.Errorf("it changed in Azure after the plan read it (its ETag no longer matches), so azapply did not overwrite it: run plan again and review the new plan: %w", err)
		}
		if n.op == OpUpdate {
			return r.learnRefusal(c, err)
		}
		return err
	}
	// A long-running write ends with a GET of the resource already: read
	// it again only when the answer is not such a read.
	if live == nil || !live.ReadAfterOperation || live.Body == nil {
		if live, err = r.readBack(ctx, n); err != nil {
			return fmt.Errorf("reading it back after the write: %w", err)
		}
	}
	id := liveID(live.Body, c.ID)
	r.warnKeptDifferently(c.Address, c.APIVersion, desired, live.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	// The state keeps a salted hash of every sensitive value, never the
	// value; dependants in this run get the clear output.
	if err := r.o.State.RecordApplied(c.Address, id, c.APIVersion, desired, live.Body, r.sensitive(c.Address)); err != nil {
		return err
	}
	r.outputs[c.Address] = live.Body
	if n.op == OpUpdate {
		r.res.Changed++
	} else {
		r.res.Added++
	}
	return r.save(c.Address)
}

// save stores the changes to the records at the addresses changed; callers
// hold r.mu.
func (r *runner) save(changed ...string) error {
	if r.o.Save == nil {
		return nil
	}
	if err := r.o.Save(r.o.State, changed...); err != nil {
		return fmt.Errorf("saving the state: %w", err)
	}
	return nil
}

// liveID is the ID as ARM spells it, when the body carries the same ID.
func liveID(body map[string]any, id string) string {
	if s, ok := body["id"].(string); ok && armid.Equal(s, id) {
		return s
	}
	return id
}

// warnKeptDifferently reports, once, each declared value the service
// answered differently right after the write.
func (r *runner) warnKeptDifferently(address, apiVersion string, sent, answered map[string]any) {
	rules := plan.Rules{}
	if in, ok := r.insts[address]; ok {
		rules = plan.Rules{IgnoreChanges: in.IgnoreChanges, Sensitive: in.Sensitive, ArrayKeys: in.ArrayKeys, Unordered: in.Unordered, ID: in.ID}
	}
	kept, err := plan.KeptDifferently(sent, answered, rules)
	if err != nil {
		return
	}
	for _, pc := range kept {
		if pc.NotReturned {
			r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
				"the service did not return %s (azapply sent %s): %s; later plans list it under \"Values the service keeps differently\"",
				pc.Path, plan.FormatValue(pc.After, pc.Sensitive), plan.NotReturnedHint(apiVersion))})
			continue
		}
		r.o.Reporter.Report(Event{Time: r.o.Now(), Kind: EventWarning, Address: address, Message: fmt.Sprintf(
			"the service keeps %s as %s (azapply sent %s); later plans list it under \"Values the service keeps differently\" until the configuration or the live value changes",
			pc.Path, plan.FormatValue(pc.Before, pc.Sensitive), plan.FormatValue(pc.After, pc.Sensitive))})
	}
}

// sensitive lists the paths of a resource whose values the state hashes.
func (r *runner) sensitive(address string) []string {
	var out []string
	if in, ok := r.insts[address]; ok {
		out = in.Sensitive
	}
	if late, ok := r.lateSensitive.Load(address); ok {
		out = append(out[:len(out):len(out)], late.([]string)...)
	}
	return out
}

// recordInFlight returns the progress callback that records an accepted
// long-running operation in the state (with what was sent, sensitive values
// hashed), so that a rerun after a crash resumes waiting on it instead of
// sending it again.
func (r *runner) recordInFlight(address, id, apiVersion, method string, sent map[string]any) func(arm.Progress) {
	return func(p arm.Progress) {
		if p.ResumeToken == "" {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if sr := r.o.State.Get(address); sr != nil && sr.InFlight != nil &&
			sr.InFlight.Method == method && sr.InFlight.ResumeToken == p.ResumeToken {
			// Recorded when polling started; a poll that leaves the
			// operation running changes nothing a rerun needs, and a save
			// per poll costs a whole state write.
			return
		}
		redacted, err := r.o.State.Redact(sent, r.sensitive(address))
		if err != nil {
			redacted = nil
		}
		r.o.State.StartOperation(address, id, apiVersion, state.Operation{
			Method: method, PollingURL: pollingURL(p.ResumeToken), Started: r.o.Now().Add(-p.Elapsed),
			ResumeToken: p.ResumeToken, Sent: redacted,
		})
		if err := r.save(address); err != nil {
			slog.Warn("could not record an operation in flight in the state", "address", address, "error", err)
		}
	}
}

// recordIntent records, before a create is sent, that it is about to be:
// an operation in flight with no resume token yet. Without it, a crash
// between ARM's answer and the next state write leaves a resource that
// exists in Azure and that no state knows, which the rerun's plan must
// refuse to adopt silently. With it, the rerun reads the resource back
// (see ResumeInFlight) and the crash loses nothing. A resource the state
// records already needs no intent: its address is known.
func (r *runner) recordIntent(address, id, apiVersion, method string, sent map[string]any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.State.Get(address) != nil || method != http.MethodPut {
		return nil
	}
	redacted, err := r.o.State.Redact(sent, r.sensitive(address))
	if err != nil {
		return err
	}
	r.o.State.StartOperation(address, id, apiVersion, state.Operation{Method: method, Started: r.o.Now(), Sent: redacted})
	return r.save(address)
}

// settleFailedCreate makes the state match Azure after a create that ARM
// answered with an error: a resource that exists (most providers leave one
// in provisioningState Failed when its operation fails) stays recorded,
// with no last-applied body, so that the next plan sends it again instead
// of refusing to adopt it; one that does not exist (the request was
// refused) is forgotten, intent and all. An error that is no answer from
// ARM (interrupted, network) leaves the record to the next run.
func (r *runner) settleFailedCreate(ctx context.Context, c *plan.Change, err error) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return
	}
	live, gerr := r.o.Client.Get(ctx, c.ID, c.APIVersion)
	r.mu.Lock()
	defer r.mu.Unlock()
	sr := r.o.State.Get(c.Address)
	switch {
	case arm.IsNotFound(gerr):
		if sr != nil && sr.LastApplied == nil && sr.Output == nil {
			r.o.State.Remove(c.Address)
			_ = r.save(c.Address)
		}
	case gerr == nil && sr == nil:
		r.o.State.Set(&state.Resource{Address: c.Address, ID: liveID(live.Body, c.ID), APIVersion: c.APIVersion})
		_ = r.save(c.Address)
	}
}

// operationEnded clears the operation in flight of a resource whose
// operation reached an end (failed or canceled in Azure). One that was only
// abandoned (timeout, interrupt) stays recorded: it goes on in Azure, and
// the next apply resumes waiting on it.
func (r *runner) operationEnded(address string, err error) {
	var ae *arm.Error
	if !errors.As(err, &ae) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.o.State.Get(address); sr != nil && sr.InFlight != nil {
		// ARM accepted it, so the resource exists even when its operation
		// failed (in provisioningState Failed): keep it, and the next plan
		// sends it again.
		r.o.State.FinishOperation(address)
		_ = r.save(address)
	}
}

// pollingURL digs the polling URL out of an azcore resume token, for the
// people who read the state; the token itself is what resuming uses.
func pollingURL(token string) string {
	var t map[string]any
	if json.Unmarshal([]byte(token), &t) != nil {
		return ""
	}
	for _, k := range []string{"asyncURL", "opLocURL", "locURL", "origURL", "pollURL"} {
		if u, ok := t[k].(string); ok && u != "" {
			return u
		}
	}
	return ""
}

// outputOf is the output of an instance applied (or read) so far, for an
// evaluation.
func (r *runner) outputOf(address string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.outputs[address]
	return o, ok
}

// evaluate evaluates the instance at address with the outputs known now:
// what it refers to only, not the whole configuration, so that N bodies
// with values known only after apply cost N small evaluations.
func (r *runner) evaluate(address string) (*config.Instance, error) {
	if r.eval == nil {
		return nil, fmt.Errorf("no configuration was given to evaluate it")
	}
	in, diags := r.eval.Instance(address, r.outputOf)
	if diags.HasErrors() {
		return nil, fmt.Errorf("evaluating it with what is applied so far: %w", diags)
	}
	r.learn(config.SensitiveStrings(in.Body)...)
	if len(in.Sensitive) > 0 {
		r.lateSensitive.Store(address, in.Sensitive)
	}
	return in, nil
}

// learn passes secrets the run came to know to Options.Learn.
func (r *runner) learn(secrets ...string) {
	if r.o.Learn != nil && len(secrets) > 0 {
		r.o.Learn(secrets...)
	}
}

// recorded is what the state records of the resource at address, nil when
// nothing.
func (r *runner) recorded(address string) *state.Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.o.State.Get(address)
}

func (r *runner) recordedID(address string, n *node) string {
	if n.op == OpDelete {
		return n.id
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if sr := r.o.State.Get(address); sr != nil {
		return sr.ID
	}
	return n.id
}

// desiredBody returns the body to send: the planned one when it was fully
// known, else the resource evaluated again with the outputs of the
// resources applied so far.
func (r *runner) desiredBody(c *plan.Change) (map[string]any, error) {
	if c.Desired != nil && !hasUnknown(c.Desired) {
		return c.Desired, nil
	}
	if r.eval == nil {
		return nil, fmt.Errorf("its body has values known only after apply, and no configuration was given to evaluate them")
	}
	in, err := r.evaluate(c.Address)
	if err != nil {
		return nil, err
	}
	body, _ := config.ToJSONValue(in.Body).(map[string]any)
	if hasUnknown(body) {
		return nil, fmt.Errorf("its body still has values that are not known after its dependencies were applied")
	}
	return body, nil
}

func (r *runner) timeout(address string, op Op) time.Duration {
	in, ok := r.insts[address]
	if !ok {
		return DefaultTimeout
	}
	var d time.Duration
	switch op {
	case OpCreate:
		d = in.Timeouts.Create
	case OpUpdate:
		d = in.Timeouts.Update
	case OpDelete:
		d = in.Timeouts.Delete
	}
	if d <= 0 {
		return DefaultTimeout
	}
	return d
}

func timeoutName(op Op) string {
	return map[Op]string{OpCreate: "create", OpUpdate: "update", OpDelete: "delete"}[op]
}

func opVerb(op Op) string {
	return map[Op]string{OpCreate: "creating", OpUpdate: "updating", OpDelete: "deleting"}[op]
}

func hasUnknown(v any) bool {
	switch v := v.(type) {
	case config.Unknown:
		return true
	case map[string]any:
		for _, e := range v {
			if hasUnknown(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}
