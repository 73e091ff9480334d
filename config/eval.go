package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Evaluation is every block of a configuration evaluated once.
type Evaluation struct {
	// Instances are every resource, data and action instance, each after
	// all it depends on.
	Instances []*Instance
	// Outputs are the output values in declaration order.
	Outputs []*Output

	// lenientUsed says that a lenient evaluation met an unknown it would
	// have refused otherwise (see Config.evaluate).
	lenientUsed bool
}

// firstEvaluation is Load's evaluation, with nothing applied and no data
// read, kept for the first EvaluateAll with no outputs, which would give
// the same (see EvaluateAll).
type firstEvaluation struct {
	ev    *Evaluation
	diags hcl.Diagnostics
}

// Resources returns the resource instances, in dependency order.
func (e *Evaluation) Resources() []*Instance { return e.ofKind(KindResource) }

// Data returns the data instances, in dependency order.
func (e *Evaluation) Data() []*Instance { return e.ofKind(KindData) }

// Actions returns the action instances, in dependency order.
func (e *Evaluation) Actions() []*Instance { return e.ofKind(KindAction) }

func (e *Evaluation) ofKind(k Kind) []*Instance {
	var out []*Instance
	for _, in := range e.Instances {
		if in.Kind == k {
			out = append(out, in)
		}
	}
	return out
}

// Evaluate evaluates every block and returns the resource instances, each
// after all it depends on (see EvaluateAll for data, actions and outputs).
// outputs maps an address (resource.NAME, resource.NAME["key"], data.NAME,
// action.NAME) to the live body read back after it was applied or read; a
// reference to the output of an address not in outputs is unknown, and
// plans show it as (known after apply).
func (c *Config) Evaluate(outputs map[string]any) ([]*Instance, hcl.Diagnostics) {
	ev, diags := c.EvaluateAll(outputs)
	if ev == nil {
		return nil, diags
	}
	return ev.Resources(), diags
}

// EvaluateAll evaluates every local, resource, data, action and output
// block with the outputs known so far.
//
// How data and actions are evaluated: a data block is a GET whose body
// (data.NAME.output) is unknown until it is read. Plan calls ReadData,
// which evaluates, reads every data instance whose id is known, in
// dependency order, and evaluates again with what it read (keyed
// data.NAME), until every data source that can be read before apply has
// been; a data source whose id depends on a resource's output stays
// Deferred and is read during apply, once its dependencies are done. An
// action is a POST at its id (a resource ID followed by the action's name)
// with its body; When says whether it runs when the instances it depends on
// are created ("create") or on every apply ("every_apply"). Its response,
// fed back keyed action.NAME, is action.NAME.output.
func (c *Config) EvaluateAll(outputs map[string]any) (*Evaluation, hcl.Diagnostics) {
	if c.checkOnly {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration loaded for checking only",
			Detail:   "This configuration was loaded with UnknownMissingVars, for validate: load it again with every variable set to plan it.",
		}}
	}
	if len(outputs) == 0 {
		// Load evaluated the configuration with no outputs already: unless
		// it met an unknown only leniency let through (then evaluating
		// again gives errors, not the same instances), that is this
		// evaluation, given once (its instances become the caller's).
		if f := c.first.Swap(nil); f != nil {
			return f.ev, f.diags
		}
	}
	ev, diags := c.evaluate(outputs, false)
	if c.loadErrors && !diags.HasErrors() {
		// Never an empty evaluation that a caller could take for "nothing
		// declared" and plan to delete everything.
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Configuration has errors",
			Detail:   "Load reported errors in this configuration: fix those before planning.",
		})
	}
	return ev, diags
}

// evaluate is EvaluateAll; lenient lets resource ids be unknown too (they
// are Deferred), for ReadData's passes before every data source is read.
func (c *Config) evaluate(outputs map[string]any, lenient bool) (*Evaluation, hcl.Diagnostics) {
	if c.order == nil && len(c.Resources)+len(c.Data)+len(c.Actions)+len(c.Outputs)+len(c.localExprs) > 0 {
		if c.loadErrors {
			return nil, nil // a cycle: Load reported it
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration not loaded",
			Detail:   "Evaluate was called on a configuration whose Load reported errors: fix those first.",
		}}
	}
	// Any other evaluation than the first EvaluateAll's lets Load's go.
	c.first.Store(nil)
	ev := &evaluator{
		c: c, outputs: outputs, lenient: lenient,
		values:    map[string]cty.Value{},
		instAddrs: map[string][]string{},
		instSet:   map[string]bool{},
		localDeps: map[string][]string{},
		varObj:    c.varObject(),
	}
	var diags hcl.Diagnostics
	var insts []*Instance
	result := &Evaluation{}
	for _, n := range c.order {
		switch {
		case n.local != nil:
			diags = append(diags, c.annotateScope(ev.evalLocal(n), c.nodeScope[n.addr])...)
		case n.mvar != nil:
			diags = append(diags, c.annotateScope(ev.evalModVar(n.mvar), n.mvar.scope)...)
		case n.res != nil:
			in, d := ev.evalBlock(n.res)
			diags = append(diags, c.annotateScope(d, n.res.Module)...)
			insts = append(insts, in...)
		case n.out != nil:
			o, d := ev.evalOutput(n.out)
			diags = append(diags, c.annotateScope(d, n.out.Module)...)
			if o != nil && n.out.Module == "" {
				result.Outputs = append(result.Outputs, o)
			}
		}
	}
	if c.loadErrors {
		return nil, mergeInstances(sortDiags(c.notReported(scrub(diags))))
	}
	if diags.HasErrors() {
		return nil, mergeInstances(sortDiags(scrub(diags)))
	}
	ordered, d := orderInstances(insts, ev.why)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return nil, diags
	}
	result.Instances = ordered
	result.lenientUsed = ev.lenientUsed
	// Outputs in declaration order, not evaluation order.
	byName := map[string]*Output{}
	for _, o := range result.Outputs {
		byName[o.Name] = o
	}
	result.Outputs = result.Outputs[:0]
	for _, ob := range c.Outputs {
		if o, ok := byName[ob.Name]; ok && ob.Module == "" {
			result.Outputs = append(result.Outputs, o)
		}
	}
	return result, diags
}

// evaluator holds what one Evaluate has computed so far.
type evaluator struct {
	c       *Config
	outputs map[string]any
	// values are the values of evaluated blocks and locals, by address.
	values map[string]cty.Value
	// instAddrs are the instance addresses of each evaluated block;
	// instSet holds them all.
	instAddrs map[string][]string
	instSet   map[string]bool
	// localDeps are the instance addresses each local depends on.
	localDeps map[string][]string
	varObj    cty.Value
	lenient   bool
	// lenientUsed says that lenient deferred what it would have refused.
	lenientUsed bool
	// lookup, when set, finds outputs instead of the outputs map.
	lookup func(address string) (any, bool)
	// outCache, when set, keeps converted outputs across evaluations.
	outCache *outputCache
}

// output is the output of an instance address, if known.
func (ev *evaluator) output(address string) (any, bool) {
	if ev.lookup != nil {
		return ev.lookup(address)
	}
	o, ok := ev.outputs[address]
	return o, ok
}

// ctxFor builds the context of a block or local: var, path, the functions,
// and only the locals, blocks and modules it refers to, in its scope.
func (ev *evaluator) ctxFor(owner string) *hcl.EvalContext {
	scope := ev.c.nodeScope[owner]
	roots := map[string]map[string]cty.Value{"local": {}, "resource": {}, "data": {}, "action": {}, "module": {}}
	for _, e := range ev.c.edges[owner] {
		if e.call != "" {
			continue
		}
		rel := strings.TrimPrefix(e.to, scope)
		root, name, _ := strings.Cut(rel, ".")
		if root == "var" {
			continue
		}
		if v, ok := ev.values[e.to]; ok {
			roots[root][name] = v
		} else if v, ok := ev.c.Locals[name]; ok && root == "local" && scope == "" {
			roots[root][name] = v
		} else {
			// A block that did not decode: Load reported why.
			roots[root][name] = cty.DynamicVal
		}
	}
	for _, name := range ev.c.callRefs[owner] {
		roots["module"][name] = ev.moduleValue(ev.c.calls[scope+"module."+name], func(addr string) cty.Value {
			if v, ok := ev.values[addr]; ok {
				return v
			}
			return cty.DynamicVal
		})
	}
	varObj := ev.varObj
	if scope != "" {
		varObj = ev.c.moduleVarObject(scope, func(addr string) cty.Value {
			if v, ok := ev.values[addr]; ok {
				return v
			}
			return cty.DynamicVal
		})
	}
	vars := map[string]cty.Value{"var": varObj, "path": ev.c.pathObjectFor(scope)}
	for root, m := range roots {
		vars[root] = cty.ObjectVal(m)
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: ev.c.functionsFor(scope)}
	if mv := ev.c.modVars[owner]; mv != nil && len(mv.iter) > 0 {
		ctx = ctx.NewChild()
		ctx.Variables = mv.iter
	}
	return ctx
}

// moduleValue is what module.NAME stands for: an object of its outputs,
// or with for_each an object of such objects by key, with count a tuple.
func (ev *evaluator) moduleValue(call *ModuleCall, value func(addr string) cty.Value) cty.Value {
	return moduleValueOf(call, value)
}

func moduleValueOf(call *ModuleCall, value func(addr string) cty.Value) cty.Value {
	if call == nil {
		return cty.DynamicVal
	}
	objs := map[string]cty.Value{}
	var tuple []cty.Value
	for _, inst := range call.Instances {
		if !inst.Key.IsKnown() {
			// validate's stand-in for instances not known yet.
			return cty.DynamicVal
		}
		outs := map[string]cty.Value{}
		for _, o := range inst.Outputs {
			outs[o] = value(inst.Scope + "output." + o)
		}
		obj := cty.ObjectVal(outs)
		if inst.Key != cty.NilVal && call.ForEach != nil {
			objs[inst.Key.AsString()] = obj
		}
		tuple = append(tuple, obj)
	}
	switch {
	case call.ForEach != nil:
		return cty.ObjectVal(objs)
	case call.Count != nil:
		return cty.TupleVal(tuple)
	case len(tuple) == 1:
		return tuple[0]
	}
	return cty.DynamicVal
}

// moduleVarObject is var in a module instance's scope.
func (c *Config) moduleVarObject(scope string, value func(addr string) cty.Value) cty.Value {
	vars := map[string]cty.Value{}
	if m := c.modules[scope]; m != nil {
		for name := range m.Variables {
			if c.modVars[scope+"var."+name] != nil {
				vars[name] = value(scope + "var." + name)
			}
		}
	}
	return cty.ObjectVal(vars)
}

// evalModVar evaluates a module instance's variable: its argument in the
// calling scope, or its default.
func (ev *evaluator) evalModVar(mv *modVar) hcl.Diagnostics {
	if mv.expr == nil {
		v := mv.decl.Default
		if mv.decl.Sensitive {
			v = v.Mark(SensitiveMark)
		}
		ev.values[mv.addr] = v
		return nil
	}
	ctx := ev.ctxFor(mv.addr)
	v, diags := mv.expr.Value(ctx)
	if diags.HasErrors() {
		ev.values[mv.addr] = cty.DynamicVal
		return diags
	}
	v, d := convertModVar(mv, v)
	ev.values[mv.addr] = v
	ev.localDeps[mv.addr] = ev.instanceDeps(mv.addr, ctx)
	return append(diags, d...)
}

// instanceDeps lists the instance addresses owner depends on through its
// edges (locals, module variables and outputs pass on their own
// dependencies), sorted, without duplicates. ctx is the instance's (or
// local's) context, in which keys computed in references
// (resource.rg[each.key]) are read: such a reference makes it depend on the
// instance it names only.
func (ev *evaluator) instanceDeps(owner string, ctx *hcl.EvalContext) []string {
	var out []string
	narrowed := map[string]bool{}
	for _, e := range ev.c.edges[owner] {
		if ev.c.isValueNode(e.to) {
			out = append(out, ev.localDeps[e.to]...)
			continue
		}
		if narrowed[e.to] {
			continue
		}
		if named, ok := ev.namedDeps(owner, e.to, ctx); ok {
			narrowed[e.to] = true
			out = append(out, named...)
			continue
		}
		addrs := ev.instAddrs[e.to]
		if e.key != "" && contains(addrs, e.to+e.key) {
			addrs = []string{e.to + e.key}
		}
		out = append(out, addrs...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// namedDeps are the instances of block to that owner's references name by
// key, when every reference names one that exists (and depends_on does
// not name the block).
func (ev *evaluator) namedDeps(owner, to string, ctx *hcl.EvalContext) ([]string, bool) {
	r := ev.c.blocks[to]
	if r == nil {
		return nil, false
	}
	for _, e := range ev.c.edges[owner] {
		if e.to == to && e.how == "depends_on" {
			return nil, false
		}
	}
	var out []string
	found := false
	for _, rs := range []*refs{ev.c.repRefs[owner], ev.c.instRefs[owner]} {
		u, ok := rs.use(to)
		if !ok {
			continue
		}
		found = true
		suffixes, ok := pick(u, r, ctx)
		if !ok {
			return nil, false
		}
		for _, s := range suffixes {
			if !ev.instSet[to+s] {
				return nil, false
			}
			out = append(out, to+s)
		}
	}
	return out, found
}

// why says, for a cycle error, why instance a depends on instance b, and
// where that is written.
func (ev *evaluator) why(a, b *Instance) (string, string) {
	for _, e := range ev.c.edges[a.Block] {
		if e.to == b.Block {
			return e.how, " (" + shortRange(e.at) + ")"
		}
	}
	for _, e := range ev.c.edges[a.Block] {
		if ev.c.isValueNode(e.to) && contains(ev.localDeps[e.to], b.Address) {
			return "refers through " + e.to + " to", " (" + shortRange(e.at) + ")"
		}
	}
	return "depends on", ""
}

func (ev *evaluator) evalLocal(n node) hcl.Diagnostics {
	if !ev.c.dynamicLocals[n.addr] {
		return nil
	}
	ctx := ev.ctxFor(n.addr)
	v, diags := n.local.Expr.Value(ctx)
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	ev.values[n.addr] = v
	ev.localDeps[n.addr] = ev.instanceDeps(n.addr, ctx)
	return diags
}

// evalString evaluates an attribute that must be a known string.
func evalString(expr hcl.Expression, ctx *hcl.EvalContext, name string) (string, hcl.Diagnostics) {
	s, _, diags := evalStringMarked(expr, ctx, name)
	return s, diags
}

// evalStringMarked is evalString, saying whether the value is sensitive.
func evalStringMarked(expr hcl.Expression, ctx *hcl.EvalContext, name string) (string, bool, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return "", false, diags
	}
	v, marks := v.UnmarkDeep()
	sensitive := len(marks) > 0
	if !v.IsKnown() {
		return "", sensitive, hcl.Diagnostics{notKnown(expr, name, "Use variables, locals or resource ids here.")}
	}
	if !v.IsNull() && v.Type() != cty.String {
		if s, err := convert.Convert(v, cty.String); err == nil && v.Type().IsPrimitiveType() {
			return s.AsString(), sensitive, nil
		}
	}
	if v.IsNull() || v.Type() != cty.String {
		return "", sensitive, hcl.Diagnostics{wrongType(expr, name, "a string")}
	}
	return v.AsString(), sensitive, nil
}

// sensitiveSetting is the error for a setting that must not be secret
// (an id, an api_version) given a sensitive value, which it does not show.
func sensitiveSetting(expr hcl.Expression, name, why string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Sensitive value in " + name,
		Detail: fmt.Sprintf("%s = (sensitive value): it is built from a sensitive value. %s "+
			"Build it from values that are not sensitive; where the value is no secret, nonsensitive(...) says so.", name, why),
		Subject: expr.Range().Ptr(),
	}
}

func notKnown(expr hcl.Expression, name, hint string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Value not known until apply",
		Detail:   fmt.Sprintf("%s must be known when planning, but it depends on a value that exists only after apply. %s", name, hint),
		Subject:  expr.Range().Ptr(),
	}
}

func wrongType(expr hcl.Expression, name, want string) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("%s must be %s.", name, want),
		Subject:  expr.Range().Ptr(),
	}
}

func friendlyType(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.Type().FriendlyName()
}
