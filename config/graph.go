package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/hashicorp/hcl/v2"
)

// The dependency graph has two levels. Between blocks (and locals), edges
// come from references and depends_on; Load checks them and orders the
// blocks so that Evaluate can evaluate each after what it refers to. Between
// instances, Evaluate adds ARM containment (an ID under another declared
// resource's ID) and orders the instances again.

// edge is a dependency of a block or local on another, with where it is
// written, so that a cycle can name each of its edges.
type edge struct {
	to string
	// key is the instance key written in the reference (["app"] or [0]),
	// when it is a literal: the dependency is then on that instance only.
	key string
	how string
	at  hcl.Range
	// call is set on an edge to a module output: the name of the module
	// call the reference names, in the owner's scope.
	call string
}

// node is a block or a local value in the evaluation order.
type node struct {
	addr  string
	res   *Resource
	local *hcl.Attribute
	out   *OutputBlock
	mvar  *modVar
	at    hcl.Range
}

// checkReferences finds every reference of every block and local, reports
// those to things not declared, records the edges, and finds the locals
// that refer (directly or through other locals) to resources, data or
// actions.
func (c *Config) checkReferences() hcl.Diagnostics {
	var diags hcl.Diagnostics
	c.edges = map[string][]edge{}
	c.uses = map[string]refUse{}
	c.callRefs = map[string][]string{}
	blocks := append(append(append([]*Resource{}, c.Resources...), c.Data...), c.Actions...)
	for _, r := range blocks {
		owner := r.Address()
		var d hcl.Diagnostics
		for _, expr := range r.expressions() {
			d = append(d, c.addRefs(owner, r.Module, expr, r.ForEach != nil, r.Count != nil)...)
		}
		for i, dep := range r.DependsOn {
			at := r.attrs["depends_on"].Expr.Range()
			if exprs, _ := hcl.ExprList(r.attrs["depends_on"].Expr); i < len(exprs) {
				at = exprs[i].Range()
			}
			d = append(d, c.addEdge(owner, edge{to: r.Module + dep, how: "depends_on", at: at})...)
		}
		diags = append(diags, c.annotateScope(d, r.Module)...)
	}
	for _, addr := range sortedKeys(c.localExprs) {
		scope := c.nodeScope[addr]
		diags = append(diags, c.annotateScope(c.addRefs(addr, scope, c.localExprs[addr].Expr, false, false), scope)...)
	}
	for _, addr := range sortedKeys(c.modVars) {
		mv := c.modVars[addr]
		if mv.expr == nil {
			continue
		}
		call := mv.inst.Call
		diags = append(diags, c.annotateScope(c.addRefs(addr, mv.scope, mv.expr, call.ForEach != nil, call.Count != nil), mv.scope)...)
	}
	for _, o := range c.Outputs {
		d := c.addRefs(o.Address(), o.Module, o.Value, false, false)
		for _, dep := range o.DependsOn {
			d = append(d, c.addEdge(o.Address(), edge{to: o.Module + dep, how: "depends_on", at: o.DeclRange})...)
		}
		diags = append(diags, c.annotateScope(d, o.Module)...)
	}
	for _, call := range c.calls {
		// for_each and count were evaluated at load; check what they name.
		for _, expr := range []hcl.Expression{call.ForEach, call.Count} {
			if expr != nil {
				diags = append(diags, c.annotateScope(c.addRefs(call.Address(), call.Scope, expr, false, false), call.Scope)...)
			}
		}
		delete(c.edges, call.Address())
	}
	c.findRefs()
	c.dynamicLocals = map[string]bool{}
	for addr := range c.localExprs {
		if c.nodeScope[addr] != "" {
			// A module's locals are evaluated with its instance.
			c.dynamicLocals[addr] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for addr := range c.localExprs {
			if c.dynamicLocals[addr] {
				continue
			}
			for _, e := range c.edges[addr] {
				if c.localExprs[e.to] == nil || c.dynamicLocals[e.to] {
					c.dynamicLocals[addr] = true
					changed = true
					break
				}
			}
		}
	}
	return diags
}

// isValueNode says whether addr is a local, a module variable or an output:
// a value that passes on the dependencies of what it refers to.
func (c *Config) isValueNode(addr string) bool {
	return c.localExprs[addr] != nil || c.modVars[addr] != nil || c.moduleOutputs[addr] != nil || strings.HasPrefix(addr, "output.")
}

// addRefs records the references of one expression, evaluated in scope.
func (c *Config) addRefs(owner, scope string, expr hcl.Expression, hasForEach, hasCount bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	bad := func(summary, detail string, at hcl.Range) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: at.Ptr()})
	}
	inModule := ""
	if scope != "" {
		inModule = " in this module"
	}
	for _, tr := range expr.Variables() {
		at := tr.SourceRange()
		root := tr.RootName()
		name, hasName := traversalName(tr)
		switch root {
		case "var":
			if !hasName {
				bad("Invalid reference", "A variable is referred to as var.NAME.", at)
			} else if scope != "" {
				if _, ok := c.modules[scope].Variables[name]; !ok {
					bad("Reference to undeclared variable", fmt.Sprintf("There is no variable %q in this module. Declare it with variable %q { type = string } and pass it in the module block, or fix the name.", name, name), at)
				} else if c.modVars[scope+"var."+name] != nil {
					diags = append(diags, c.addEdge(owner, edge{to: scope + "var." + name, how: "refers to", at: at})...)
				}
			} else if _, ok := c.Variables[name]; !ok {
				bad("Reference to undeclared variable", fmt.Sprintf("There is no variable %q. Declare it with variable %q { type = string } or fix the name%s.", name, name, c.suggestVariable(name)), at)
			}
		case "local":
			if !hasName {
				bad("Invalid reference", "A local value is referred to as local.NAME.", at)
			} else if _, ok := c.localExprs[scope+"local."+name]; !ok {
				bad("Reference to undeclared local value", fmt.Sprintf("There is no local value %q%s. Declare it in a locals { } block or fix the name.", name, inModule), at)
			} else {
				diags = append(diags, c.addEdge(owner, edge{to: scope + "local." + name, how: "refers to", at: at})...)
			}
		case "resource", "data", "action":
			if !hasName {
				bad("Invalid reference", fmt.Sprintf("A reference to a %s block takes the form %s.NAME.id, %s.NAME.body or %s.NAME.output.", root, root, root, root), at)
				continue
			}
			to := scope + root + "." + name
			if _, ok := c.declared[to]; !ok {
				where := "this configuration"
				if scope != "" {
					where = "this module (a module's blocks are reached from outside through its outputs)"
				}
				bad("Reference to undeclared "+root, fmt.Sprintf("There is no %s %q in %s. Declare it with %s %q { ... } or fix the name.", root, name, where, root, name), at)
				continue
			}
			e := edge{to: to, how: "refers to", at: at}
			if len(tr) > 2 {
				if ix, ok := tr[2].(hcl.TraverseIndex); ok {
					e.key, _ = keySuffix(ix.Key)
				}
			}
			diags = append(diags, c.addEdge(owner, e)...)
			c.noteUse(to, tr)
		case "module":
			if !hasName {
				bad("Invalid reference", "A module's outputs are referred to as module.NAME.OUTPUT (module.NAME[KEY].OUTPUT with for_each or count).", at)
				continue
			}
			call := c.calls[scope+"module."+name]
			if call == nil {
				bad("Reference to undeclared module", fmt.Sprintf("There is no module %q%s. Declare it with module %q { source = \"./modules/%s\" } or fix the name.", name, inModule, name, name), at)
				continue
			}
			if out, ok := moduleOutputName(tr, call); ok && len(call.Instances) > 0 && !contains(call.Instances[0].Outputs, out) {
				bad("Reference to undeclared module output", fmt.Sprintf("module %q (%s) has no output %q. Its outputs: %s.", name, call.Instances[0].Dir, out, strings.Join(call.Instances[0].Outputs, ", ")), at)
				continue
			}
			// module.NAME[KEY].OUT depends on that output of that instance;
			// module.NAME alone on every output of every instance.
			out, named := moduleOutputName(tr, call)
			key := ""
			if len(tr) > 2 && (call.ForEach != nil || call.Count != nil) {
				if ix, ok := tr[2].(hcl.TraverseIndex); ok {
					key, _ = keySuffix(ix.Key)
				}
			}
			for _, inst := range call.Instances {
				if key != "" && inst.Scope != call.Address()+key+"." {
					continue
				}
				for _, o := range inst.Outputs {
					if named && o != out {
						continue
					}
					diags = append(diags, c.addEdge(owner, edge{to: inst.Scope + "output." + o, how: "refers to", at: at, call: name})...)
				}
			}
			if !contains(c.callRefs[owner], name) {
				c.callRefs[owner] = append(c.callRefs[owner], name)
			}
		case "each":
			if !hasForEach {
				bad("each outside for_each", "each.key and each.value exist only in a block with for_each.", at)
			} else if name != "key" && name != "value" {
				bad("Invalid reference", "each has two attributes: each.key and each.value.", at)
			}
		case "count":
			if !hasCount {
				bad("count outside a counted block", "count.index exists only in a block with count.", at)
			} else if name != "index" {
				bad("Invalid reference", "count has one attribute: count.index.", at)
			}
		case "path":
			if name != "module" && name != "root" && name != "cwd" {
				bad("Invalid reference", "path has path.module (the configuration directory), path.root and path.cwd.", at)
			}
		default:
			bad("Unknown name", fmt.Sprintf("%q is not something a configuration can refer to: references start with var., local., resource., data., action., module., each., count. or path.", root), at)
		}
	}
	return diags
}

// moduleOutputName is the output a reference module.NAME.OUT or
// module.NAME[KEY].OUT reads, when it is written so.
func moduleOutputName(tr hcl.Traversal, call *ModuleCall) (string, bool) {
	i := 2
	if call.ForEach != nil || call.Count != nil {
		if i >= len(tr) {
			return "", false
		}
		if _, ok := tr[i].(hcl.TraverseIndex); !ok {
			return "", false
		}
		i++
	}
	if i < len(tr) {
		if a, ok := tr[i].(hcl.TraverseAttr); ok {
			return a.Name, true
		}
	}
	return "", false
}

func (c *Config) addEdge(owner string, e edge) hcl.Diagnostics {
	if _, ok := c.declared[e.to]; !ok && c.localExprs[e.to] == nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Dependency on an undeclared block",
			Detail:   fmt.Sprintf("depends_on names %s, which is not declared in this configuration. Fix the name or remove it.", strings.TrimPrefix(e.to, scopeOf(e.to))),
			Subject:  e.at.Ptr(),
		}}
	}
	if e.to == owner {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Self-referential block",
			Detail:   fmt.Sprintf("%s refers to itself; a block can only refer to others (use a local value for a value it shares).", owner),
			Subject:  e.at.Ptr(),
		}}
	}
	for _, prev := range c.edges[owner] {
		if prev.to == e.to && prev.key == e.key && prev.how == e.how {
			return nil
		}
	}
	c.edges[owner] = append(c.edges[owner], e)
	return nil
}

// buildOrder orders every block and local after what it refers to, in
// source order where the references allow. Every cycle is an error that
// names each of its edges.
func (c *Config) buildOrder() hcl.Diagnostics {
	var nodes []node
	for _, r := range append(append(append([]*Resource{}, c.Resources...), c.Data...), c.Actions...) {
		nodes = append(nodes, node{addr: r.Address(), res: r, at: r.DeclRange})
	}
	for addr, a := range c.localExprs {
		nodes = append(nodes, node{addr: addr, local: a, at: a.NameRange})
	}
	for _, o := range c.Outputs {
		nodes = append(nodes, node{addr: o.Address(), out: o, at: o.DeclRange})
	}
	for addr, mv := range c.modVars {
		nodes = append(nodes, node{addr: addr, mvar: mv, at: mv.at})
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodes[i].at == nodes[j].at {
			// The instances of a module share their source.
			return nodes[i].addr < nodes[j].addr
		}
		return rangeLess(nodes[i].at, nodes[j].at)
	})
	byAddr := map[string]node{}
	names := make([]string, len(nodes))
	for i, n := range nodes {
		byAddr[n.addr] = n
		names[i] = n.addr
	}
	deps := map[string][]string{}
	for owner, es := range c.edges {
		for _, e := range es {
			deps[owner] = append(deps[owner], e.to)
		}
	}
	sorted, cycles := topoSort(names, deps)
	if len(cycles) > 0 {
		var diags hcl.Diagnostics
		for _, cyc := range cycles {
			diags = append(diags, c.blockCycleDiag(cyc, byAddr[cyc[0]].at))
		}
		return diags
	}
	c.order = make([]node, len(sorted))
	for i, a := range sorted {
		c.order[i] = byAddr[a]
	}
	return nil
}

func (c *Config) blockCycleDiag(cycle []string, at hcl.Range) *hcl.Diagnostic {
	var lines []string
	for i := 0; i+1 < len(cycle); i++ {
		from, to := cycle[i], cycle[i+1]
		for _, e := range c.edges[from] {
			if e.to == to {
				lines = append(lines, fmt.Sprintf("  %s %s %s (%s)", from, e.how, to, shortRange(e.at)))
				break
			}
		}
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Dependency cycle",
		Detail:   fmt.Sprintf("These depend on each other in a circle:\n%s\nBreak one of these references (a value two blocks share can live in a local or a variable).", strings.Join(lines, "\n")),
		Subject:  at.Ptr(),
	}
}

// orderInstances adds ARM containment to the instances' dependencies,
// reports duplicate IDs, and sorts the instances so each follows all it
// depends on. why says why one instance depends on another through a
// reference, for cycle errors.
func orderInstances(insts []*Instance, why func(a, b *Instance) (how, at string)) ([]*Instance, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	byID := map[string]*Instance{}
	for _, in := range insts {
		if in.Kind != KindResource || in.ID == "" {
			continue
		}
		key := armid.Key(in.ID)
		if prev, ok := byID[key]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate resource ID",
				Detail:   fmt.Sprintf("%s (%s) and %s (%s) both manage %s. ARM IDs are case-insensitive, and each resource may be declared once: remove one of the blocks or change its id.", prev.Address, shortRange(prev.DeclRange), in.Address, shortRange(in.DeclRange), in.ID),
				Subject:  in.DeclRange.Ptr(),
			})
			continue
		}
		byID[key] = in
	}
	if diags.HasErrors() {
		return nil, diags
	}
	byAddr := make(map[string]*Instance, len(insts))
	names := make([]string, len(insts))
	deps := make(map[string][]string, len(insts))
	contained := map[[2]string]string{}
	for i, in := range insts {
		byAddr[in.Address] = in
		names[i] = in.Address
	}
	for _, in := range insts {
		if in.ID != "" {
			// DependsOn is shared by the instances of a block (evalBlock),
			// sorted and without duplicates: an address is added only when
			// it is not there yet (which copies the list), and the list is
			// sorted again only then.
			n := len(in.DependsOn)
			add := func(addr string) {
				if _, found := slices.BinarySearch(in.DependsOn[:n], addr); !found && !slices.Contains(in.DependsOn[n:], addr) {
					in.DependsOn = append(in.DependsOn, addr)
				}
			}
			id := armid.Key(in.ID)
			for i := len(id) - 1; i > 0; i-- {
				if id[i] != '/' {
					continue
				}
				if parent, ok := byID[id[:i]]; ok && parent != in {
					add(parent.Address)
					contained[[2]string{in.Address, parent.Address}] = "lies under the ID of"
				}
			}
			if same, ok := byID[id]; ok && in.Kind == KindData {
				add(same.Address)
				contained[[2]string{in.Address, same.Address}] = "reads the resource of"
			}
			if len(in.DependsOn) > n {
				slices.Sort(in.DependsOn)
				in.DependsOn = slices.Compact(in.DependsOn)
			}
		}
		undeclared := func(d string) bool { return byAddr[d] == nil }
		ds := in.DependsOn
		if slices.ContainsFunc(ds, undeclared) {
			ds = slices.DeleteFunc(slices.Clone(ds), undeclared)
		}
		deps[in.Address] = ds
	}
	sorted, cycles := topoSort(names, deps)
	for _, cyc := range cycles {
		var lines []string
		for i := 0; i+1 < len(cyc); i++ {
			a, b := byAddr[cyc[i]], byAddr[cyc[i+1]]
			how, at := contained[[2]string{a.Address, b.Address}], ""
			if how == "" {
				how, at = why(a, b)
			}
			lines = append(lines, fmt.Sprintf("  %s %s %s%s", a.Address, how, b.Address, at))
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Dependency cycle",
			Detail:   fmt.Sprintf("These depend on each other in a circle:\n%s\nA resource whose ID lies under another's must be created after it: break one of the references.", strings.Join(lines, "\n")),
			Subject:  byAddr[cyc[0]].DeclRange.Ptr(),
		})
	}
	if diags.HasErrors() {
		return nil, diags
	}
	out := make([]*Instance, len(sorted))
	for i, n := range sorted {
		out[i] = byAddr[n]
	}
	return out, nil
}

// topoSort orders names so that each comes after its deps, stable with
// respect to the input order. It returns every cycle it finds (one per
// strongly connected component), each as a path that starts and ends with
// the same name.
func topoSort(names []string, deps map[string][]string) ([]string, [][]string) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var out []string
	var stack []string
	var cycles [][]string
	inCycle := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		switch state[n] {
		case done:
			return
		case visiting:
			for i, s := range stack {
				if s == n {
					cyc := append(append([]string{}, stack[i:]...), n)
					fresh := true
					for _, m := range cyc {
						if inCycle[m] {
							fresh = false
						}
					}
					if fresh {
						cycles = append(cycles, cyc)
					}
					for _, m := range cyc {
						inCycle[m] = true
					}
				}
			}
			return
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range deps[n] {
			visit(d)
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	if len(cycles) > 0 {
		return nil, cycles
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// validateID checks the shape of a declared resource ID.
func validateID(id string) error {
	if strings.Trim(id, "/") == "" && id != "" {
		// armid.Parse panics on "/" (found by FuzzLoad); answer here.
		return fmt.Errorf("%q is not a resource ID: a resource ID looks like /subscriptions/{id}/resourceGroups/{name}", id)
	}
	_, err := armid.Parse(id)
	return err
}

// validateActionID checks an action's ID: a resource ID (or a scope such as
// a subscription) followed by the name of the action.
func validateActionID(id string) error {
	i := strings.LastIndexByte(strings.TrimSuffix(id, "/"), '/')
	if i <= 0 {
		return fmt.Errorf("%q is not a resource ID followed by an action name, like /subscriptions/.../registries/acr/regenerateCredential", id)
	}
	if err := validateID(id[:i]); err != nil {
		return fmt.Errorf("the action's target: %w", err)
	}
	if name := strings.TrimSuffix(id, "/")[i+1:]; strings.ContainsAny(name, " ?#") || name == ".." {
		return fmt.Errorf("%q is not a valid action name", name)
	}
	return nil
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	return a.Start.Byte < b.Start.Byte
}

// shortRange writes a range as file:line, with the file's base name.
func shortRange(r hcl.Range) string {
	name := r.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return fmt.Sprintf("%s:%d", name, r.Start.Line)
}
