package config

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Evaluator evaluates one instance at a time: what apply needs when a body
// had values unknown at plan time and the resources they come from now
// exist. Evaluating one instance costs what it refers to (the variables,
// locals and the instances it names, its own block's for_each or count),
// not the whole configuration. An Evaluator is made once per apply and
// asked per address; it keeps the for_each and count expansions that
// depend on variables and static locals only, which never change. It is
// safe for concurrent use.
type Evaluator struct {
	c      *Config
	varObj cty.Value
	path   cty.Value

	// outputs keeps the outputs converted to cty across calls.
	outputs outputCache
	// referred keeps the instances evaluated because others refer to
	// them, across calls.
	referred instanceCache
	// staticLocals keeps, by *refs, the local object of expressions that
	// name static locals only (see localsObject).
	staticLocals sync.Map

	mu sync.Mutex
	// expansions are the keys of the blocks whose for_each or count refer
	// to variables and static locals only, by block address.
	expansions map[string]*expansion
}

// expansion is the instances of a block, in order, and where each is by
// address suffix.
type expansion struct {
	keys  []instKey
	index map[string]int
}

// NewEvaluator returns an Evaluator of the configuration.
func (c *Config) NewEvaluator() *Evaluator {
	return &Evaluator{c: c, varObj: c.varObject(), path: c.pathObject(), expansions: map[string]*expansion{}}
}

// EvaluateInstance evaluates the one instance at address (resource.NAME,
// resource.NAME["key"], resource.NAME[0], data.NAME, action.NAME) with
// outputs, as EvaluateAll does. The Instance is the one EvaluateAll(outputs)
// gives at that address (ID, body, sensitive marks and paths, settings,
// timeouts, Deferred), except that DependsOn is left empty: ARM
// containment needs every instance's ID. Problems are reported for that
// instance and what it refers to only. To evaluate many, make an Evaluator
// once.
func (c *Config) EvaluateInstance(address string, outputs map[string]any) (*Instance, hcl.Diagnostics) {
	return c.NewEvaluator().Instance(address, func(a string) (any, bool) {
		o, ok := outputs[a]
		return o, ok
	})
}

// Instance is EvaluateInstance, with the outputs known so far found by
// output (the live body after apply of an instance address, and whether
// there is one). Instance calls output before it returns, and only for the
// instances it evaluates: the one at address and those it refers to,
// directly or through locals and other instances.
func (e *Evaluator) Instance(address string, output func(address string) (any, bool)) (*Instance, hcl.Diagnostics) {
	c := e.c
	switch {
	case c.checkOnly:
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration loaded for checking only",
			Detail:   "This configuration was loaded with UnknownMissingVars, for validate: load it again with every variable set to evaluate it.",
		}}
	case c.loadErrors || c.order == nil:
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Configuration has errors",
			Detail:   "Load reported errors in this configuration: fix those before evaluating it.",
		}}
	}
	blockAddr, suffix := SplitAddress(address)
	r := c.blocks[blockAddr]
	if r == nil {
		return nil, noInstance(address, "no block declares it")
	}
	o := &oneEval{
		e:      e,
		lookup: output,
		top:    address,
		locals: map[string]cty.Value{},
		values: map[string]cty.Value{},
		reads:  map[string][]outputRead{},
	}
	o.ev = &evaluator{c: c, lookup: o.read, varObj: e.varObj, outCache: &e.outputs}
	exp, diags := o.expand(r)
	if diags.HasErrors() {
		return nil, sortDiags(scrub(diags))
	}
	i, ok := exp.index[suffix]
	if !ok {
		return nil, noInstance(address, fmt.Sprintf("%s has no instance with the key %s", blockAddr, suffix))
	}
	in := o.instance(r, exp.keys[i])
	if o.diags.HasErrors() {
		return nil, sortDiags(scrub(o.diags))
	}
	return in, o.diags
}

func noInstance(address, why string) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "No such instance",
		Detail:   fmt.Sprintf("%s is not in the configuration: %s.", address, why),
	}}
}

// oneEval is one call of Instance: what it has evaluated so far.
type oneEval struct {
	e  *Evaluator
	ev *evaluator
	// locals are the dynamic locals evaluated, by name.
	locals map[string]cty.Value
	// values are the instances evaluated (instanceValue), by address.
	values map[string]cty.Value
	insts  map[string]*Instance
	diags  hcl.Diagnostics

	// lookup finds the outputs known so far; top is the address asked for.
	lookup func(address string) (any, bool)
	top    string
	// log is every output read so far, in order; reads are those each
	// instance and local evaluated read, directly or not, by address, so
	// that using one evaluated before logs its reads again.
	log   []outputRead
	reads map[string][]outputRead
}

// read is the evaluator's lookup: output, logged.
func (o *oneEval) read(address string) (any, bool) {
	v, ok := o.lookup(address)
	o.log = append(o.log, readOf(address, v, ok))
	return v, ok
}

// since returns a copy of what was logged from start on.
func (o *oneEval) since(start int) []outputRead {
	if len(o.log) == start {
		return nil
	}
	return append([]outputRead(nil), o.log[start:]...)
}

// expand returns a block's instances, kept in the Evaluator when its
// for_each or count cannot change.
func (o *oneEval) expand(r *Resource) (*expansion, hcl.Diagnostics) {
	addr := r.Address()
	o.e.mu.Lock()
	exp, ok := o.e.expansions[addr]
	o.e.mu.Unlock()
	if ok {
		return exp, nil
	}
	rs := o.e.c.repRefs[addr]
	keys, diags := expandKeys(r, o.context(rs, nil, r.Module))
	if diags.HasErrors() {
		return nil, diags
	}
	exp = &expansion{keys: keys, index: make(map[string]int, len(keys))}
	for i, k := range keys {
		exp.index[k.suffix] = i
	}
	if o.e.c.static(rs) {
		o.e.mu.Lock()
		o.e.expansions[addr] = exp
		o.e.mu.Unlock()
	}
	return exp, diags
}

// static says whether expressions that refer to rs always have the same
// value: they refer to no block and to static locals only.
func (c *Config) static(rs *refs) bool {
	if rs == nil {
		return true
	}
	if len(rs.blocks) > 0 {
		return false
	}
	for _, addr := range rs.locals {
		if c.dynamicLocals[addr] || c.modVars[addr] != nil {
			return false
		}
	}
	return len(rs.calls) == 0
}

// instance evaluates one instance of r and returns it (nil when it has
// errors, in o.diags).
func (o *oneEval) instance(r *Resource, k instKey) *Instance {
	addr := r.Address() + k.suffix
	if _, done := o.values[addr]; done {
		o.log = append(o.log, o.reads[addr]...)
		return o.insts[addr]
	}
	// What another instance refers to may have been evaluated by an
	// earlier call, with the same outputs.
	keep := addr != o.top && o.e.c.static(o.e.c.repRefs[r.Address()])
	if keep {
		if e := o.e.referred.get(addr, o.lookup); e != nil {
			o.values[addr], o.reads[addr] = e.value, e.reads
			o.log = append(o.log, e.reads...)
			if o.insts == nil {
				o.insts = map[string]*Instance{}
			}
			o.insts[addr] = e.in
			return e.in
		}
	}
	start := len(o.log)
	defer func() { o.reads[addr] = o.since(start) }()
	iter := map[string]cty.Value{}
	switch {
	case k.key == cty.NilVal:
	case r.ForEach != nil:
		iter["each"] = cty.ObjectVal(map[string]cty.Value{"key": k.key, "value": k.value})
	default:
		iter["count"] = cty.ObjectVal(map[string]cty.Value{"index": k.key})
	}
	ctx := o.context(o.e.c.instRefs[r.Address()], iter, r.Module)
	in, diags := o.ev.evalInstance(r, ctx, addr)
	o.diags = append(o.diags, diags...)
	if in == nil {
		o.values[addr] = cty.DynamicVal
		return nil
	}
	in.Key = k.key
	o.values[addr] = o.ev.instanceValue(in)
	if o.insts == nil {
		o.insts = map[string]*Instance{}
	}
	o.insts[addr] = in
	// Kept only when nothing in this call has reported a problem so far:
	// an instance built on a local or an instance that failed earlier in
	// the call (now DynamicVal) would hide that error from a later call.
	if keep && len(o.diags) == 0 {
		o.e.referred.put(addr, &cachedInstance{in: in, value: o.values[addr], reads: o.since(start)})
	}
	return in
}

// context builds the context of expressions in scope that refer to rs:
// var, path, the functions, iter (each or count), the locals they refer
// to, the modules and the blocks they refer to (see blockValue).
func (o *oneEval) context(rs *refs, iter map[string]cty.Value, scope string) *hcl.EvalContext {
	c := o.e.c
	if rs == nil {
		rs = &refs{}
	}
	varObj := o.e.varObj
	if scope != "" {
		vars := map[string]cty.Value{}
		for _, addr := range rs.locals {
			if name, ok := strings.CutPrefix(addr, scope+"var."); ok {
				vars[name] = o.value(addr)
			}
		}
		varObj = cty.ObjectVal(vars)
	}
	// The root's path object is the Evaluator's, made once: making it
	// reads the working directory, a system call per evaluation.
	path := o.e.path
	if scope != "" {
		path = c.pathObjectFor(scope)
	}
	vars := map[string]cty.Value{"var": varObj, "path": path}
	for k, v := range iter {
		vars[k] = v
	}
	ctx := &hcl.EvalContext{Variables: vars, Functions: c.functionsFor(scope)}
	vars["local"] = o.localsObject(rs, scope)
	vars["module"] = cty.EmptyObjectVal
	if len(rs.calls) > 0 {
		mods := map[string]cty.Value{}
		for _, name := range rs.calls {
			mods[name] = moduleValueOf(c.calls[scope+"module."+name], o.value)
		}
		vars["module"] = cty.ObjectVal(mods)
	}
	roots := map[string]map[string]cty.Value{}
	for to, u := range rs.blocks {
		root, name, _ := strings.Cut(strings.TrimPrefix(to, scope), ".")
		if roots[root] == nil {
			roots[root] = map[string]cty.Value{}
		}
		roots[root][name] = o.blockValue(to, u, ctx)
	}
	for _, root := range []string{"resource", "data", "action"} {
		vars[root] = cty.EmptyObjectVal
		if m := roots[root]; m != nil {
			vars[root] = cty.ObjectVal(m)
		}
	}
	return ctx
}

// localsObject is what local stands for in expressions that refer to rs:
// the locals they name. When all of them are static, the object is made
// once per Evaluator.
func (o *oneEval) localsObject(rs *refs, scope string) cty.Value {
	if len(rs.locals) == 0 {
		return cty.EmptyObjectVal
	}
	c := o.e.c
	static := true
	for _, addr := range rs.locals {
		if c.dynamicLocals[addr] || c.localExprs[addr] == nil {
			static = false
		}
	}
	if static {
		if v, ok := o.e.staticLocals.Load(rs); ok {
			return v.(cty.Value)
		}
	}
	locals := map[string]cty.Value{}
	for _, addr := range rs.locals {
		if name, ok := strings.CutPrefix(addr, scope+"local."); ok {
			locals[name] = o.value(addr)
		}
	}
	v := cty.ObjectVal(locals)
	if static {
		o.e.staticLocals.Store(rs, v)
	}
	return v
}

// value is the value of a local, a module variable or a module output,
// evaluated once per call when it refers to blocks.
func (o *oneEval) value(addr string) cty.Value {
	c := o.e.c
	if a := c.localExprs[addr]; a != nil && !c.dynamicLocals[addr] {
		if v, ok := c.Locals[a.Name]; ok {
			return v
		}
		return cty.DynamicVal
	}
	if v, ok := o.locals[addr]; ok {
		o.log = append(o.log, o.reads[addr]...)
		return v
	}
	o.locals[addr] = cty.DynamicVal // a cycle was refused by Load
	start := len(o.log)
	defer func() { o.reads[addr] = o.since(start) }()
	var v cty.Value
	var diags hcl.Diagnostics
	switch {
	case c.localExprs[addr] != nil:
		scope := c.nodeScope[addr]
		v, diags = c.localExprs[addr].Expr.Value(o.context(c.instRefs[addr], nil, scope))
		diags = c.annotateScope(diags, scope)
	case c.modVars[addr] != nil:
		mv := c.modVars[addr]
		if mv.expr == nil {
			v = mv.decl.Default
			if mv.decl.Sensitive {
				v = v.Mark(SensitiveMark)
			}
			break
		}
		v, diags = mv.expr.Value(o.context(c.instRefs[addr], mv.iter, mv.scope))
		if !diags.HasErrors() {
			var d hcl.Diagnostics
			v, d = convertModVar(mv, v)
			diags = append(diags, d...)
		}
	default:
		ob := o.output(addr)
		if ob == nil {
			return cty.DynamicVal
		}
		v, diags = ob.Value.Value(o.context(c.instRefs[addr], nil, ob.Module))
		diags = c.annotateScope(diags, ob.Module)
		if ob.Sensitive {
			v = v.Mark(SensitiveMark)
		}
	}
	o.diags = append(o.diags, diags...)
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	o.locals[addr] = v
	return v
}

// output is the module output block at addr, or nil.
func (o *oneEval) output(addr string) *OutputBlock {
	c := o.e.c
	if c.moduleOutputs == nil {
		return nil
	}
	return c.moduleOutputs[addr]
}

// blockValue is what resource.NAME (data.NAME, action.NAME) stands for in
// ctx: every instance evaluated or, when u names instances by keys that ctx
// can read, an object of those instances only, by key. hcl reads an index
// into an object as it reads one into a tuple (count) or a for_each
// object: converting the key to a string, it finds the same instance.
func (o *oneEval) blockValue(to string, u *blockUse, ctx *hcl.EvalContext) cty.Value {
	r := o.e.c.blocks[to]
	if r == nil {
		// A block that did not decode: Load reported why.
		return cty.DynamicVal
	}
	exp, diags := o.expand(r)
	if diags.HasErrors() {
		o.diags = append(o.diags, diags...)
		return cty.DynamicVal
	}
	if named, ok := pick(u, r, ctx); ok {
		objs := make(map[string]cty.Value, len(named))
		for _, s := range named {
			i, ok := exp.index[s]
			if !ok {
				// An index error: the whole block reports it.
				return o.wholeBlock(r, exp)
			}
			k := exp.keys[i]
			o.instance(r, k)
			objs[keyString(k.key)] = o.values[to+s]
		}
		return cty.ObjectVal(objs)
	}
	return o.wholeBlock(r, exp)
}

// wholeBlock is a block's value with every instance evaluated.
func (o *oneEval) wholeBlock(r *Resource, exp *expansion) cty.Value {
	objs := map[string]cty.Value{}
	tuple := make([]cty.Value, 0, len(exp.keys))
	for _, k := range exp.keys {
		o.instance(r, k)
		v := o.values[r.Address()+k.suffix]
		if r.ForEach != nil {
			objs[k.key.AsString()] = v
		}
		tuple = append(tuple, v)
	}
	switch {
	case r.ForEach != nil:
		return cty.ObjectVal(objs)
	case r.Count != nil:
		return cty.TupleVal(tuple)
	}
	return tuple[0]
}

// keyString is an instance key as an attribute name: a for_each key, or
// a count index in decimal.
func keyString(k cty.Value) string {
	if k.Type() == cty.String {
		return k.AsString()
	}
	i, _ := k.AsBigFloat().Int64()
	return strconv.FormatInt(i, 10)
}
