package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/state"
)

// Options are the inputs of Build.
type Options struct {
	Reader    Reader
	Instances []*config.Instance
	State     *state.State
	// Parallelism bounds the concurrent GETs (DefaultParallelism when 0).
	Parallelism int
	// Refresh is how live resources are read: RefreshByResource (the
	// default, also when empty) or RefreshByCollection.
	Refresh RefreshMode
	// IgnoreChanges are the provider's ignore_changes paths, added to every
	// resource's.
	IgnoreChanges []string
	// AdoptExisting lets the plan take over a declared resource that exists
	// in Azure but not in the state; without it (or an import block) such a
	// resource is an error.
	AdoptExisting bool
	Imports       []*config.Import
	Removed       []*config.Removed
	// Only, when set, limits the resources the state records and the
	// configuration does not declare (deleted, or forgotten) to those it
	// accepts: a run with --target leaves the others alone.
	Only func(address string) bool
	// Moved are the moved blocks: what the state records at a moved
	// block's from is planned at its to (Change.MovedFrom), and apply
	// records it there, with no request to Azure.
	Moved []*config.Moved
	// Data are the data blocks, shown as reads. Their bodies, when already
	// read (see ReadData), are given in DataBodies by address and not read
	// again.
	Data       []DataSource
	DataBodies map[string]map[string]any
	// RefreshOnly plans drift only.
	RefreshOnly bool
	// Destroy plans the deletion of everything the state records (azapply
	// destroy). Instances and Removed then declare nothing: they give only
	// each resource's settings (prevent_destroy, delete_unmanaged_contents).
	Destroy bool
	// SecretMatches tells whether a hashed value in the state stands for a
	// clear one (state.State's SensitiveMatches); nil compares them equal.
	SecretMatches func(stored, clear any) bool
	// Replace are the addresses to replace (delete, then create) though
	// nothing forces it (plan --replace). Each must be a declared resource.
	Replace []string
	// SoftDeleted is what a create does when a soft-deleted resource holds
	// its name: SoftDeletedRecover (the default) or SoftDeletedPurge;
	// PurgeOnDestroy purges what a delete soft-deletes. The plan says so.
	SoftDeleted    string
	PurgeOnDestroy bool
	// Untargeted are the declared instances a --target run leaves out of
	// Instances. They are not planned, but a resource group the plan
	// deletes takes what lies in it with it, so their settings
	// (prevent_destroy) still hold there.
	Untargeted []*config.Instance
}

// Make refreshes every declared and state-tracked resource and plans the
// changes that bring Azure to the configuration, with default options.
func Make(ctx context.Context, r Reader, insts []*config.Instance, st *state.State) (*Plan, error) {
	return Build(ctx, Options{Reader: r, Instances: insts, State: st})
}

// Build refreshes (concurrent GETs of the declared, state-tracked and data
// resources), diffs each resource three ways, computes drift, and returns
// the plan. Problems that block the plan (a resource that would be taken
// over silently, prevent_destroy, a bad rule path) are all returned together.
func Build(ctx context.Context, o Options) (*Plan, error) {
	st := o.State
	if st == nil {
		st = state.New()
	}
	if err := checkChildOwners(o.Instances); err != nil {
		return nil, err
	}
	if err := checkReplace(o.Replace, o.Instances); err != nil {
		return nil, err
	}
	var movedFrom map[string]string
	if !o.Destroy {
		st, movedFrom = moveState(st, o.Moved)
	}
	b := &builder{st: st, plan: &Plan{RefreshOnly: o.RefreshOnly, Lineage: st.Lineage, Serial: st.Serial},
		settings: settingsOf(slices.Concat(o.Instances, o.Untargeted)), removed: o.Removed}
	if o.Destroy {
		o.Instances, o.Removed, o.Imports = nil, nil, nil
	}
	b.o = o
	gone := b.undeclaredResources()
	unread := b.unreadData()
	var targets []Target
	// outputs are the outputs the state recorded for the targets: a live
	// body read as it was then keeps the state's copy (see share).
	var outputs []map[string]any
	recorded := map[string]*state.Resource{}
	for _, sr := range st.Resources {
		recorded[sr.Address] = sr
	}
	for _, in := range o.Instances {
		targets = append(targets, Target{ID: in.ID, APIVersion: in.APIVersion, Timeout: in.Timeouts.Read})
		outputs = append(outputs, output(recorded[in.Address]))
	}
	for _, sr := range gone {
		targets = append(targets, Target{ID: sr.ID, APIVersion: sr.APIVersion})
		outputs = append(outputs, sr.Output)
	}
	for _, d := range unread {
		targets = append(targets, Target{ID: d.ID, APIVersion: d.APIVersion})
		outputs = append(outputs, nil)
	}
	bodies, err := RefreshWith(ctx, o.Reader, targets, RefreshOptions{Parallelism: o.Parallelism, Mode: o.Refresh,
		keep: func(i int, live map[string]any) map[string]any { return shareBody(live, outputs[i]) }})
	if err != nil {
		return nil, err
	}
	live, bodies := bodies[:len(o.Instances)], bodies[len(o.Instances):]
	goneLive, dataLive := bodies[:len(gone)], bodies[len(gone):]

	reads := b.reads(unread, dataLive)
	for i, in := range o.Instances {
		b.declared(in, live[i])
	}
	var deletes []*Change
	for i, sr := range gone {
		deletes = append(deletes, b.undeclared(sr, goneLive[i]))
	}
	if !o.RefreshOnly {
		// Deleting a resource group deletes what it holds: list it, and
		// plan the managed resources inside as deleted with it.
		b.containers(ctx, append(append([]*Change{}, b.plan.Changes...), deletes...))
		// Declared resources deleted with their group go with the deletes.
		kept := b.plan.Changes[:0]
		for _, c := range b.plan.Changes {
			if c.Action == Delete {
				deletes = append(deletes, c)
			} else {
				kept = append(kept, c)
			}
		}
		b.plan.Changes = append(reads, kept...)
		b.plan.Changes = append(b.plan.Changes, orderDeletes(deletes)...)
		b.checkPreventDestroy(b.plan.Changes)
		leaveOutDeleted(b.plan.Changes)
	}
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	for _, c := range b.plan.Changes {
		c.MovedFrom = movedFrom[c.Address]
	}
	if err := readLocks(ctx, o.Reader, b.plan.Changes, o.Parallelism); err != nil {
		return nil, err
	}
	readSoftDeleted(ctx, o.Reader, b.plan.Changes, o.SoftDeleted, o.PurgeOnDestroy)
	return b.plan, nil
}

// moveState returns st with the moves of moved made (a copy, when there
// are any), and the old address of each resource moved, by new address.
func moveState(st *state.State, moved []*config.Moved) (*state.State, map[string]string) {
	if len(moved) == 0 {
		return st, nil
	}
	addrs := make([]string, len(st.Resources))
	for i, sr := range st.Resources {
		addrs[i] = sr.Address
	}
	moves := config.MoveAddresses(moved, addrs)
	if len(moves) == 0 {
		return st, nil
	}
	st = st.Clone()
	from := map[string]string{}
	for old, nw := range moves {
		r := st.Get(old)
		st.Remove(old)
		r.Address = nw
		st.Set(r)
		from[nw] = old
	}
	return st, from
}

// undeclaredResources lists what the state records and the configuration
// no longer declares. One that is declared again under another address is
// an error, not a delete.
func (b *builder) undeclaredResources() []*state.Resource {
	declared := map[string]bool{}
	for _, in := range b.o.Instances {
		declared[in.Address] = true
	}
	var gone []*state.Resource
	for _, sr := range b.st.Resources {
		if declared[sr.Address] || (b.o.Only != nil && !b.o.Only(sr.Address)) {
			continue
		}
		if in := declaredAs(b.o.Instances, sr.ID); in != nil && !forgotten(b.o.Removed, sr.Address) {
			b.fail(fmt.Errorf("%s is recorded in the state as %s, and is now declared as %s: planning would delete it. To rename it, add moved { from = %s  to = %s } (or removed { from = %s  destroy = false } and import { to = %s  id = %q })", sr.ID, sr.Address, in.Address, sr.Address, in.Address, sr.Address, in.Address, sr.ID))
			continue
		}
		gone = append(gone, sr)
	}
	return gone
}

// unreadData lists the data sources whose bodies were not given.
func (b *builder) unreadData() []DataSource {
	var unread []DataSource
	for _, d := range b.o.Data {
		if _, ok := b.o.DataBodies[d.Address]; !ok {
			unread = append(unread, d)
		}
	}
	return unread
}

// reads plans the data sources: given bodies, and those just read.
func (b *builder) reads(unread []DataSource, bodies []map[string]any) []*Change {
	got := map[string]map[string]any{}
	for k, v := range b.o.DataBodies {
		got[k] = v
	}
	for i, d := range unread {
		if bodies[i] == nil {
			b.fail(fmt.Errorf("%s: %s does not exist (api-version %s): check its id, or create it first", d.Address, d.ID, d.APIVersion))
		}
		got[d.Address] = bodies[i]
	}
	var out []*Change
	for _, d := range b.o.Data {
		out = append(out, &Change{Address: d.Address, ID: d.ID, APIVersion: d.APIVersion, Action: Read, Live: got[d.Address]})
	}
	return out
}

type builder struct {
	o    Options
	st   *state.State
	plan *Plan
	errs []error
	// settings are the instances by address, declared or (for Destroy)
	// giving settings only; removed are the removed blocks, for their
	// settings.
	settings map[string]*config.Instance
	removed  []*config.Removed
}

func (b *builder) fail(err error) { b.errs = append(b.errs, err) }

func (b *builder) rules(in *config.Instance) body.Rules {
	return body.Rules{
		IgnoreChanges:    append(append([]string{}, b.o.IgnoreChanges...), in.IgnoreChanges...),
		Sensitive:        in.Sensitive,
		ArrayKeys:        in.ArrayKeys,
		Unordered:        in.Unordered,
		ReplaceOnChanges: in.ReplaceOnChanges,
		Immutable:        b.st.ImmutablePaths(resourceType(in.ID)),
		UpdateInPlace:    in.UpdateInPlace,
		SecretMatches:    b.o.SecretMatches,
		ID:               in.ID,
	}
}

// resourceType is the ARM type of id ("" when it does not parse).
func resourceType(id string) string {
	parsed, err := armid.Parse(id)
	if err != nil {
		return ""
	}
	return parsed.ResourceType()
}

// ReasonRequested is the reason of a replacement asked for with --replace.
const ReasonRequested = "requested with --replace"

// checkReplace refuses a --replace address that names no declared resource.
func checkReplace(replace []string, insts []*config.Instance) error {
	declared := map[string]bool{}
	for _, in := range insts {
		declared[in.Address] = true
	}
	var errs []error
	for _, a := range replace {
		if !declared[a] {
			errs = append(errs, fmt.Errorf("--replace %s: no declared resource has this address; give one that plan lists, such as resource.NAME or resource.NAME[\"key\"]", a))
		}
	}
	return errors.Join(errs...)
}

// failedState returns a live body's provisioningState when it is Failed or
// Canceled, else "".
func failedState(live map[string]any) string {
	props, _ := live["properties"].(map[string]any)
	st, _ := props["provisioningState"].(string)
	switch strings.ToLower(st) {
	case "failed", "canceled", "cancelled":
		return st
	}
	return ""
}

// declared plans one declared resource from its live body.
func (b *builder) declared(in *config.Instance, live map[string]any) {
	desired, _ := config.ToJSONValue(in.Body).(map[string]any)
	if desired == nil {
		desired = map[string]any{}
	}
	prior := b.st.Get(in.Address)
	// Declared as last applied: keep the state's copy (see share).
	desired = shareBody(desired, lastApplied(prior))
	rules := b.rules(in)
	c := &Change{
		Address: in.Address, ID: in.ID, APIVersion: in.APIVersion,
		Desired: desired, Live: live, DependsOn: in.DependsOn,
		Sensitive: in.Sensitive, UpdateMethod: in.UpdateMethod, UpdateBody: UpdateBody(in.UpdateBody),
		rules: rules,
	}
	// When the ID changed, the live body is another resource's: there is
	// nothing to compare the recorded output with.
	if prior != nil && armid.Equal(prior.ID, in.ID) {
		if err := b.drift(in.Address, prior, live, desired, rules); err != nil {
			b.fail(fmt.Errorf("%s: %w", in.Address, err))
			return
		}
	}
	if b.o.RefreshOnly {
		return
	}
	switch {
	case prior != nil && !armid.Equal(prior.ID, in.ID):
		// The ID changed: the old resource goes, the new one comes.
		c.Action, c.PriorID = Replace, prior.ID
	case live == nil:
		if prior == nil && importFor(b.o.Imports, in.Address) != nil {
			b.fail(fmt.Errorf("%s: the import block names %s, which does not exist in Azure: remove the import block to create it, or fix the id", in.Address, in.ID))
			return
		}
		c.Action = Create
	default:
		if prior == nil {
			if !b.mayAdopt(in) {
				return
			}
			c.Import = true
		}
		if err := b.existing(c, prior); err != nil {
			b.fail(fmt.Errorf("%s: %w", in.Address, err))
			return
		}
	}
	if c.Action == Replace && in.CreateBeforeDestroy {
		if c.PriorID == "" {
			b.fail(fmt.Errorf("%s (%s:%d) must be replaced, and sets create_before_destroy = true, but the replacement keeps the ID %s: ARM names a resource by its ID, so the new one cannot be created while the old one exists. Give it a new ID (a new name), or remove create_before_destroy to delete it first", in.Address, in.DeclRange.Filename, in.DeclRange.Start.Line, in.ID))
			return
		}
		c.CreateBeforeDestroy = true
	}
	if c.Action == Create || c.Action == Replace {
		c.Request = &Request{Method: "PUT", Body: desired}
	}
	if in.PreventDestroy && c.Action == Replace {
		b.fail(fmt.Errorf("%s has prevent_destroy set, and this plan would replace it (delete, then create). Remove prevent_destroy to allow it, or change the configuration back", in.Address))
		return
	}
	b.plan.Changes = append(b.plan.Changes, c)
}

// existing decides what to do with a declared resource that exists: the
// body engine compares its bodies three ways, and an update gets its exact
// request.
func (b *builder) existing(c *Change, prior *state.Resource) error {
	cmp, err := body.Compare(body.Bodies{
		Desired: c.Desired, Live: c.Live,
		LastApplied: lastApplied(prior), Output: output(prior), Managed: prior != nil,
	}, c.rules)
	if err != nil {
		return err
	}
	c.Paths, c.KeptDifferently = cmp.Changes, cmp.KeptDifferently
	if st := failedState(c.Live); st != "" && prior != nil && len(c.Paths) == 0 {
		// Its last operation failed or was canceled: ARM keeps the
		// resource in that state, and only another PUT repairs it.
		c.Paths = []PathChange{{Path: "properties.provisioningState", Before: st, After: "Succeeded (apply sends the body again)"}}
	}
	c.Action = NoOp
	if len(c.Paths) > 0 {
		c.Action = Update
		for _, p := range c.Paths {
			if p.ForcesReplace {
				c.Action = Replace
			}
		}
	}
	if slices.Contains(b.o.Replace, c.Address) && !c.Import {
		c.Action, c.ReplaceReason = Replace, ReasonRequested
	}
	if c.Action != Update {
		return nil
	}
	return b.request(c, prior, c.rules, cmp)
}

// request builds the exact request of an update and makes the change's
// paths every effect it has on live (DESIGN.md, "The request"): the
// declared changes the diff found, and whatever else the write changes (a
// live value an update_body = "declared" body drops, an element of a
// declared array that the service added).
func (b *builder) request(c *Change, prior *state.Resource, rules body.Rules, cmp body.Comparison) error {
	bodies := body.Bodies{Desired: c.Desired, Live: c.Live, LastApplied: lastApplied(prior), Output: output(prior), Managed: prior != nil}
	req, err := body.BuildRequest(c.UpdateMethod, c.UpdateBody, bodies, rules)
	if err != nil {
		return err
	}
	c.Request = req
	cmp.Changes = c.Paths
	c.Paths, err = body.Effects(req, bodies, rules, cmp)
	return err
}

// mayAdopt reports whether an existing resource that the state does not
// record may be taken over, and records the error when not.
func (b *builder) mayAdopt(in *config.Instance) bool {
	if im := importFor(b.o.Imports, in.Address); im != nil {
		if !armid.Equal(im.ID, in.ID) {
			b.fail(fmt.Errorf("%s: the import block (%s) names %s, but the resource is declared with id %s: make them the same", in.Address, im.DeclRange, im.ID, in.ID))
			return false
		}
		return true
	}
	if b.o.AdoptExisting {
		return true
	}
	b.fail(fmt.Errorf("%s: %s already exists in Azure, and azapply does not manage it yet. To take it over, add\n\n  import {\n    to = %s\n    id = %q\n  }\n\nto the configuration (or set adopt_existing = true in the provider block); otherwise choose another id", in.Address, in.ID, in.Address, in.ID))
	return false
}

// undeclared plans a resource the state records but the configuration no
// longer declares.
func (b *builder) undeclared(sr *state.Resource, live map[string]any) *Change {
	if err := b.drift(sr.Address, sr, live, nil, body.Rules{SecretMatches: b.o.SecretMatches, ID: sr.ID}); err != nil {
		b.fail(err)
	}
	c := &Change{Address: sr.Address, ID: sr.ID, APIVersion: sr.APIVersion, Live: live, Action: Delete}
	if live == nil {
		c.Action = Forget
	}
	if forgotten(b.o.Removed, sr.Address) {
		c.Action = Forget
	}
	return c
}

// drift records what changed on a managed resource since the last apply.
func (b *builder) drift(address string, prior *state.Resource, live, desired map[string]any, rules body.Rules) error {
	if prior.Output == nil {
		return nil
	}
	d := &Drift{Address: address, ID: prior.ID, Live: live}
	if live == nil {
		d.Deleted = true
		b.plan.Drift = append(b.plan.Drift, d)
		return nil
	}
	paths, err := body.Drift(prior.Output, live, desired, rules)
	if err != nil {
		return err
	}
	if len(paths) > 0 {
		d.Paths = paths
		b.plan.Drift = append(b.plan.Drift, d)
	}
	return nil
}

// orderDeletes puts children before parents (deepest ID first) and marks a
// delete that another delete in the plan removes anyway: deleting a resource
// group (or any parent) deletes what is inside it.
func orderDeletes(cs []*Change) []*Change {
	sort.SliceStable(cs, func(i, j int) bool {
		return strings.Count(cs[i].ID, "/") > strings.Count(cs[j].ID, "/")
	})
	for _, c := range cs {
		if c.Action != Delete {
			continue
		}
		for _, p := range cs {
			if p.Action != Delete || !armid.IsUnder(c.ID, p.ID) {
				continue
			}
			// The outermost parent being deleted takes it with it.
			if c.DeletedWith == "" || strings.Count(p.ID, "/") < strings.Count(withID(cs, c.DeletedWith), "/") {
				c.DeletedWith = p.Address
			}
		}
	}
	return cs
}

func withID(cs []*Change, address string) string {
	for _, c := range cs {
		if c.Address == address {
			return c.ID
		}
	}
	return ""
}

// importFor returns the import block for address, or nil.
func importFor(imports []*config.Import, address string) *config.Import {
	for _, im := range imports {
		if im.To == address {
			return im
		}
	}
	return nil
}

// declaredAs returns the instance declared with id, or nil.
func declaredAs(insts []*config.Instance, id string) *config.Instance {
	for _, in := range insts {
		if armid.Equal(in.ID, id) {
			return in
		}
	}
	return nil
}

// forgotten reports whether a removed block keeps address in Azure.
func forgotten(removed []*config.Removed, address string) bool {
	for _, rm := range removed {
		if rm.From == address && !rm.Destroy {
			return true
		}
	}
	return false
}

func lastApplied(r *state.Resource) map[string]any {
	if r == nil {
		return nil
	}
	return r.LastApplied
}

func output(r *state.Resource) map[string]any {
	if r == nil {
		return nil
	}
	return r.Output
}
