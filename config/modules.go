package config

// This file loads modules: a module "NAME" { source = ... } block
// instantiates the configuration in another directory (its variable,
// locals, resource, data, action, output and module blocks) once, or once
// per for_each key or count index. Instances are expanded when the
// configuration is loaded, so a module's for_each and count must be known
// from variables and locals. Every block of a module instance is decoded
// into the one Config with its address prefixed by the instance's path
// (module.app["dev"].resource.rg): the evaluator and the dependency graph
// see one flat set of blocks, each evaluated in the scope of its instance.

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// maxModuleDepth bounds nesting, so that a module that calls itself is an
// error rather than a hang.
const maxModuleDepth = 16

// ModuleCall is a module block as written, in the scope of one instance of
// the module (or the root) that holds it.
type ModuleCall struct {
	Name string
	// Source is as written: ./modules/app, or git::URL//subdir?ref=...
	Source string
	// Scope is the address prefix of the instance that holds the call: ""
	// for the root, module.app["dev"]. for a call inside that instance.
	Scope     string
	DeclRange hcl.Range
	// ForEach and Count are nil unless the call has them.
	ForEach, Count hcl.Expression
	// Instances are the call's instances, in key order.
	Instances []*ModuleInstance

	inputs hcl.Attributes
}

// Address is module.NAME with its scope.
func (m *ModuleCall) Address() string { return m.Scope + "module." + m.Name }

// ModuleInstance is one instance of a module call.
type ModuleInstance struct {
	// Scope is the prefix of every address in the instance, ending in a
	// dot: module.app["dev"].
	Scope string
	// Dir is the directory the module's files were read from.
	Dir  string
	Call *ModuleCall
	// Key is the for_each key or count index, cty.NilVal for neither.
	Key cty.Value
	// Variables are the module's declared variables, by name.
	Variables map[string]*Variable
	// Outputs are the names of its output blocks, sorted.
	Outputs []string

	iter  map[string]cty.Value
	funcs map[string]function.Function
}

// modVar is a module instance's variable: the call's argument (evaluated
// in the calling scope, with the call's each or count) or the default.
type modVar struct {
	addr  string
	decl  *Variable
	expr  hcl.Expression
	scope string // the calling scope
	iter  map[string]cty.Value
	inst  *ModuleInstance
	at    hcl.Range
}

// Module returns the module instance whose scope is prefix (as in
// module.app["dev"].), or nil.
func (c *Config) Module(prefix string) *ModuleInstance { return c.modules[prefix] }

// Modules returns every module instance, in address order.
func (c *Config) Modules() []*ModuleInstance {
	out := make([]*ModuleInstance, 0, len(c.modules))
	for _, k := range sortedKeys(c.modules) {
		out = append(out, c.modules[k])
	}
	return out
}

// scopeDir is the directory of a scope's files.
func (c *Config) scopeDir(scope string) string {
	if m := c.modules[scope]; m != nil {
		return m.Dir
	}
	return c.Dir
}

// functionsFor is the function table of a scope: file() and templatefile()
// read relative to the module's directory.
func (c *Config) functionsFor(scope string) map[string]function.Function {
	if m := c.modules[scope]; m != nil && m.funcs != nil {
		return m.funcs
	}
	return c.functionTable()
}

// pathObjectFor is path in a scope: path.module is the module's directory.
func (c *Config) pathObjectFor(scope string) cty.Value {
	p := c.pathObject()
	if m := c.modules[scope]; m != nil {
		attrs := p.AsValueMap()
		attrs["module"] = cty.StringVal(m.Dir)
		return cty.ObjectVal(attrs)
	}
	return p
}

// scopeOf is the scope of an address: its prefix up to the last
// module.NAME[KEY]. segment.
func scopeOf(addr string) string {
	segs := splitSegments(addr)
	scope := ""
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "module" {
			// module . NAME[KEY] .
			scope += "module." + segs[i+1] + "."
			i++
			continue
		}
		break
	}
	return scope
}

// splitSegments splits an address at the dots outside brackets and quotes.
func splitSegments(addr string) []string {
	var out []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(addr); i++ {
		ch := addr[i]
		switch {
		case inQuote && ch == '\\':
			i++
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '[':
			depth++
		case ch == ']':
			depth--
		case ch == '.' && depth == 0:
			out = append(out, addr[start:i])
			start = i + 1
		}
	}
	return append(out, addr[start:])
}

// SplitAddress splits an instance address into its block address and its
// key: module.app["dev"].resource.rg["a"] gives module.app["dev"].resource.rg
// and ["a"].
func SplitAddress(address string) (block, key string) {
	segs := splitSegments(address)
	last := segs[len(segs)-1]
	if i := strings.IndexByte(last, '['); i >= 0 {
		return address[:len(address)-len(last)+i], last[i:]
	}
	return address, ""
}

// AddressKind is the kind of block an instance or block address names
// (resource, data or action), whatever module it is in; "" for anything
// else.
func AddressKind(address string) Kind {
	rest := strings.TrimPrefix(address, scopeOf(address))
	root, _, _ := strings.Cut(rest, ".")
	switch Kind(root) {
	case KindResource, KindData, KindAction:
		return Kind(root)
	}
	return ""
}

// moduleSchema reads a module block: its own arguments; every other
// attribute is an input variable.
var moduleMeta = map[string]bool{"source": true, "for_each": true, "count": true, "depends_on": true, "providers": true, "version": true}

// decodeModuleCall decodes a module block in scope.
func decodeModuleCall(b *hcl.Block, scope string) (*ModuleCall, hcl.Diagnostics) {
	attrs, diags := b.Body.JustAttributes()
	m := &ModuleCall{Name: b.Labels[0], Scope: scope, DeclRange: b.DefRange, inputs: hcl.Attributes{}}
	if !validName(m.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid module name",
			Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", m.Name),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	for name, a := range attrs {
		if !moduleMeta[name] {
			m.inputs[name] = a
		}
	}
	src, ok := attrs["source"]
	if !ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Module without source",
			Detail:   fmt.Sprintf("module %q needs source = \"./modules/NAME\" (a directory, relative to this file's directory) or a git source such as \"git::https://host/org/repo.git//subdir?ref=v1.2.0\".", m.Name),
			Subject:  b.DefRange.Ptr(),
		})
	} else {
		v, d := src.Expr.Value(nil)
		if d.HasErrors() || v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid module source",
				Detail:   "source is a literal string, such as \"./modules/app\": it is read before any variable has a value.",
				Subject:  src.Expr.Range().Ptr(),
			})
		} else {
			m.Source = v.AsString()
		}
	}
	for _, name := range []string{"providers", "version", "depends_on"} {
		if a, ok := attrs[name]; ok {
			why := map[string]string{
				"providers":  "A module uses the root's one provider block; remove providers.",
				"version":    "version is for registry modules; pin a git source with ?ref= instead.",
				"depends_on": "Put depends_on on the blocks inside the module, or refer to what they need through its variables.",
			}[name]
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported argument in module block",
				Detail:   fmt.Sprintf("module blocks do not take %s. %s", name, why),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a, ok := attrs["for_each"]; ok {
		m.ForEach = a.Expr
	}
	if a, ok := attrs["count"]; ok {
		m.Count = a.Expr
		if m.ForEach != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Both for_each and count",
				Detail:   "A module can repeat by for_each or by count, not both: keep one.",
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	return m, diags
}

// staticContext is what a module call's for_each, count and arguments
// can use when the configuration is loaded: the scope's variables and the
// locals that can be evaluated from them. Values not known yet (arguments
// that refer to resources) are unknown.
func (c *Config) staticContext(scope string, locals map[string]*hcl.Attribute) *hcl.EvalContext {
	if ctx, ok := c.staticCtx[scope]; ok {
		return ctx
	}
	if c.staticCtx == nil {
		c.staticCtx = map[string]*hcl.EvalContext{}
	}
	var varObj cty.Value
	if scope == "" {
		varObj = c.varObject()
	} else {
		vars := map[string]cty.Value{}
		for name := range c.modules[scope].Variables {
			if mv := c.modVars[scope+"var."+name]; mv != nil {
				vars[name] = c.staticModVar(mv)
			}
		}
		varObj = cty.ObjectVal(vars)
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": varObj, "path": c.pathObjectFor(scope)},
		Functions: c.functionsFor(scope),
	}
	vals := map[string]cty.Value{}
	pending := sortedKeys(locals)
	for progress := true; progress && len(pending) > 0; {
		progress = false
		var next []string
		for _, name := range pending {
			ctx.Variables["local"] = cty.ObjectVal(vals)
			v, d := locals[name].Expr.Value(ctx)
			if d.HasErrors() || !v.IsWhollyKnown() {
				next = append(next, name)
				continue
			}
			vals[name] = v
			progress = true
		}
		pending = next
	}
	ctx.Variables["local"] = cty.ObjectVal(vals)
	c.staticCtx[scope] = ctx
	return ctx
}

// staticModVar is a module variable's value as far as it is known at load.
func (c *Config) staticModVar(mv *modVar) cty.Value {
	if mv.expr == nil {
		return mv.decl.Default
	}
	ctx := c.staticContext(mv.scope, c.scopeLocals(mv.scope))
	if len(mv.iter) > 0 {
		ctx = ctx.NewChild()
		ctx.Variables = mv.iter
	}
	v, d := mv.expr.Value(ctx)
	if d.HasErrors() || !v.IsWhollyKnown() {
		return cty.DynamicVal
	}
	conv, err := mv.decl.convert(v)
	if err != nil {
		return cty.DynamicVal
	}
	if mv.decl.Sensitive {
		conv = conv.Mark(SensitiveMark)
	}
	return conv
}

// scopeLocals are the local expressions of a scope, by name.
func (c *Config) scopeLocals(scope string) map[string]*hcl.Attribute {
	out := map[string]*hcl.Attribute{}
	for addr, a := range c.localExprs {
		if scopeOf(addr) == scope {
			out[a.Name] = a
		}
	}
	return out
}

// expandModules expands every module call of scope (recursively), decoding
// each instance's blocks into c.
func (c *Config) expandModules(calls []*ModuleCall, depth int) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, call := range calls {
		diags = append(diags, c.expandCall(call, depth)...)
	}
	return diags
}

func (c *Config) expandCall(call *ModuleCall, depth int) hcl.Diagnostics {
	if call.Source == "" {
		return nil // reported when decoded
	}
	where := fmt.Sprintf("module %s (%s)", call.Address(), shortRange(call.DeclRange))
	if depth >= maxModuleDepth {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Modules nested too deep",
			Detail:   fmt.Sprintf("%s is nested %d modules deep: a module that calls itself, directly or through others, never ends.", where, depth),
			Subject:  call.DeclRange.Ptr(),
		}}
	}
	dir, diags := c.resolveSource(call)
	if diags.HasErrors() {
		return diags
	}
	for _, expr := range []hcl.Expression{call.ForEach, call.Count} {
		if expr == nil {
			continue
		}
		for _, tr := range expr.Variables() {
			if r := tr.RootName(); r != "var" && r != "local" && r != "path" {
				return append(diags, moduleRepetition(hcl.Diagnostics{{
					Severity: hcl.DiagError, Summary: "Invalid " + map[bool]string{true: "for_each", false: "count"}[expr == call.ForEach],
					Detail: "known", Subject: tr.SourceRange().Ptr(),
				}}, call, map[bool]string{true: "for_each", false: "count"}[expr == call.ForEach])...)
			}
		}
	}
	ctx := c.staticContext(call.Scope, c.scopeLocals(call.Scope))
	var keys []instKey
	switch {
	case c.checkOnly && c.repetitionUnknownAtLoad(call, ctx):
		// validate, with variables that have no value yet: check the
		// module's blocks once, with an unknown key.
		k := instKey{suffix: "[*]", key: cty.UnknownVal(cty.String), value: cty.DynamicVal}
		if call.Count != nil {
			k.key = cty.UnknownVal(cty.Number)
		}
		keys = []instKey{k}
	case call.ForEach != nil:
		m, d := evalForEach(call.ForEach, ctx)
		if d.HasErrors() {
			return append(diags, moduleRepetition(d, call, "for_each")...)
		}
		for _, k := range sortedKeys(m) {
			kv := cty.StringVal(k)
			s, _ := keySuffix(kv)
			keys = append(keys, instKey{s, kv, m[k]})
		}
	case call.Count != nil:
		n, d := evalCount(call.Count, ctx)
		if d.HasErrors() {
			return append(diags, moduleRepetition(d, call, "count")...)
		}
		for i := 0; i < n; i++ {
			kv := cty.NumberIntVal(int64(i))
			s, _ := keySuffix(kv)
			keys = append(keys, instKey{suffix: s, key: kv})
		}
	default:
		keys = []instKey{{}}
	}
	names, _, err := configFiles(dir)
	if err != nil {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read module",
			Detail:   fmt.Sprintf("%s: %s. source is a directory of .hcl files, relative to the directory of the file that calls it.", where, err),
			Subject:  call.DeclRange.Ptr(),
		})
	}
	var bodies []*hcl.BodyContent
	for _, name := range names {
		var f *hcl.File
		var d hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			f, d = c.parser.ParseJSONFile(name)
		} else {
			f, d = c.parser.ParseHCLFile(name)
		}
		diags = append(diags, d...)
		if f == nil || d.HasErrors() {
			continue
		}
		content, d := f.Body.Content(fileSchema)
		diags = append(diags, d...)
		bodies = append(bodies, content)
	}
	if diags.HasErrors() {
		return diags
	}
	var children []*ModuleCall
	for _, k := range keys {
		scope := call.Address() + k.suffix + "."
		inst := &ModuleInstance{Scope: scope, Dir: dir, Call: call, Key: k.key, Variables: map[string]*Variable{}, funcs: functions(dir)}
		if k.key != cty.NilVal {
			if call.ForEach != nil {
				inst.iter = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k.key, "value": k.value})}
			} else {
				inst.iter = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": k.key})}
			}
		}
		call.Instances = append(call.Instances, inst)
		c.modules[scope] = inst
		d, ch := c.decodeModuleBodies(bodies, inst)
		diags = append(diags, d...)
		children = append(children, ch...)
	}
	if !diags.HasErrors() {
		diags = append(diags, c.expandModules(children, depth+1)...)
	}
	return diags
}

// repetitionUnknownAtLoad says whether a call's for_each or count
// evaluates, without error, to a value not known yet.
func (c *Config) repetitionUnknownAtLoad(call *ModuleCall, ctx *hcl.EvalContext) bool {
	expr := call.ForEach
	if expr == nil {
		expr = call.Count
	}
	if expr == nil {
		return false
	}
	v, diags := expr.Value(ctx)
	return !diags.HasErrors() && !v.IsWhollyKnown()
}

// moduleRepetition rewords the for_each or count errors of a module call.
func moduleRepetition(diags hcl.Diagnostics, call *ModuleCall, what string) hcl.Diagnostics {
	for _, d := range diags {
		if d.Summary == "Invalid "+what && strings.Contains(d.Detail, "known") {
			d.Detail = fmt.Sprintf("The %s of module %q must be known when the configuration is loaded: it may use variables and locals, not values of resources or data sources, because each instance of a module adds its own blocks.", what, call.Name)
		}
	}
	return diags
}

// decodeModuleBodies decodes the blocks of one module instance, and
// returns the module calls it holds.
func (c *Config) decodeModuleBodies(bodies []*hcl.BodyContent, inst *ModuleInstance) (hcl.Diagnostics, []*ModuleCall) {
	var diags hcl.Diagnostics
	var calls []*ModuleCall
	var rest []*hcl.BodyContent
	for _, content := range bodies {
		kept := &hcl.BodyContent{Attributes: content.Attributes}
		for _, b := range content.Blocks {
			switch b.Type {
			case "provider", "azapply", "import", "removed", "moved":
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  fmt.Sprintf("%s block in a module", strings.ToUpper(b.Type[:1])+b.Type[1:]),
					Detail:   fmt.Sprintf("A module may not declare its own %s block: the root configuration's applies to every module. Move it to the root configuration.", b.Type),
					Subject:  b.DefRange.Ptr(),
				})
			case "variable":
				v, d := decodeVariable(b)
				diags = append(diags, d...)
				if v == nil {
					continue
				}
				if prev, ok := inst.Variables[v.Name]; ok {
					diags = append(diags, duplicate("variable", v.Name, prev.DeclRange, b.DefRange))
					continue
				}
				inst.Variables[v.Name] = v
			case "output":
				inst.Outputs = append(inst.Outputs, b.Labels[0])
				kept.Blocks = append(kept.Blocks, b)
			default:
				kept.Blocks = append(kept.Blocks, b)
			}
		}
		rest = append(rest, kept)
	}
	sort.Strings(inst.Outputs)
	d, calls := c.decodeScopeBlocks(rest, inst.Scope)
	diags = append(diags, d...)
	diags = append(diags, c.bindModuleVars(inst)...)
	return annotate(diags, inst), calls
}

// bindModuleVars pairs the call's arguments with the module's variables.
func (c *Config) bindModuleVars(inst *ModuleInstance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	call := inst.Call
	for _, name := range sortedKeys(call.inputs) {
		a := call.inputs[name]
		if _, ok := inst.Variables[name]; !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown module argument",
				Detail:   fmt.Sprintf("module %q (%s) declares no variable %q. Declare it in the module with variable %q {}, or remove the argument.", call.Name, inst.Dir, name, name),
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	for _, name := range sortedKeys(inst.Variables) {
		v := inst.Variables[name]
		mv := &modVar{addr: inst.Scope + "var." + name, decl: v, scope: call.Scope, iter: inst.iter, inst: inst, at: v.DeclRange}
		if a, ok := call.inputs[name]; ok {
			mv.expr, mv.at = a.Expr, a.Expr.Range()
		} else if v.Default == cty.NilVal {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Missing module argument",
				Detail:   fmt.Sprintf("module %q needs %s = ..., because the module's variable %q (%s) has no default.", call.Name, name, name, shortRange(v.DeclRange)),
				Subject:  call.DeclRange.Ptr(),
			})
			continue
		}
		c.modVars[mv.addr] = mv
		c.declared[mv.addr] = mv.at
		c.nodeScope[mv.addr] = call.Scope
	}
	return diags
}

// convertModVar converts a module argument to the variable's type.
func convertModVar(mv *modVar, v cty.Value) (cty.Value, hcl.Diagnostics) {
	if !v.IsWhollyKnown() && v.Type() == cty.DynamicPseudoType {
		return v, nil
	}
	conv, err := mv.decl.convert(v)
	if err != nil {
		return cty.DynamicVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid module argument",
			Detail:   fmt.Sprintf("%s does not fit the type %s of the module's variable %q (%s): %s.", mv.decl.Name, typeexpr.TypeString(mv.decl.Type), mv.decl.Name, shortRange(mv.decl.DeclRange), err),
			Subject:  mv.at.Ptr(),
		}}
	}
	if mv.decl.Sensitive {
		conv = conv.Mark(SensitiveMark)
	}
	return conv, nil
}

// annotate adds to each diagnostic about a module's file which instance of
// the module it is about and where that instance is called.
func annotate(diags hcl.Diagnostics, inst *ModuleInstance) hcl.Diagnostics {
	if inst == nil {
		return diags
	}
	note := fmt.Sprintf("In %s, called at %s:%d.", strings.TrimSuffix(inst.Scope, "."), inst.Call.DeclRange.Filename, inst.Call.DeclRange.Start.Line)
	for _, d := range diags {
		if d.Subject == nil || !strings.HasPrefix(filepath.Clean(d.Subject.Filename), filepath.Clean(inst.Dir)+string(filepath.Separator)) {
			continue
		}
		if strings.Contains(d.Detail, note) {
			continue
		}
		if d.Detail != "" {
			d.Detail += " "
		}
		d.Detail += note
	}
	return diags
}

// instanceNote is the note annotate adds: the instance, and the place of
// the call.
var instanceNote = regexp.MustCompile(`^(.*)In (module\..*), called at ([^ ]*:\d+)\.$`)

// mergeInstances makes one diagnostic of those that differ only by the
// instance of a module they are about (a mistake in a module's file is
// found in each of its instances): "In module.app["dev"] and
// module.app["prod"], called at main.hcl:5".
func mergeInstances(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		subject         hcl.Range
		call            string
	}
	first := map[key]int{}
	var names [][]string
	var out hcl.Diagnostics
	var keys []key
	for _, d := range diags {
		m := instanceNote.FindStringSubmatch(d.Detail)
		if m == nil || d.Subject == nil {
			out = append(out, d)
			keys = append(keys, key{})
			names = append(names, nil)
			continue
		}
		k := key{d.Severity, d.Summary, m[1], *d.Subject, m[3]}
		if i, ok := first[k]; ok {
			names[i] = append(names[i], m[2])
			continue
		}
		first[k] = len(out)
		out = append(out, d)
		keys = append(keys, k)
		names = append(names, []string{m[2]})
	}
	for i, d := range out {
		if len(names[i]) < 2 {
			continue
		}
		list := strings.Join(names[i][:len(names[i])-1], ", ") + " and " + names[i][len(names[i])-1]
		c := *d
		c.Detail = fmt.Sprintf("%sIn %s, called at %s.", keys[i].detail, list, keys[i].call)
		out[i] = &c
	}
	return out
}

// annotateScope is annotate for the instance at scope.
func (c *Config) annotateScope(diags hcl.Diagnostics, scope string) hcl.Diagnostics {
	if scope == "" || len(diags) == 0 {
		return diags
	}
	return annotate(diags, c.modules[scope])
}
