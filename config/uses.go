package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Which instances of a referenced block an expression uses. A reference
// written resource.rg["a"] or resource.rg[format("rg%d", count.index)] uses
// one instance of rg; resource.rg alone, values(resource.rg) or a splat use
// them all. Knowing the one lets an instance depend on it alone, rather than
// on every instance of rg (N instances each naming one of M would make N×M
// edges and wait for all M), and lets an Evaluator evaluate only the
// instances an instance uses.

// refs are what one set of expressions refers to.
type refs struct {
	// blocks are the referenced resource, data and action blocks, by
	// address.
	blocks map[string]*blockUse
	// locals are the addresses of the referenced local values and module
	// variables (local.NAME, module.app.var.NAME).
	locals []string
	// calls are the module calls referred to, by name in the scope.
	calls []string
}

// use is how rs uses block to, if it refers to it; rs may be nil.
func (rs *refs) use(to string) (*blockUse, bool) {
	if rs == nil {
		return nil, false
	}
	u, ok := rs.blocks[to]
	return u, ok
}

// computesKeys says whether a block names instances of others by keys
// computed per instance (each.key, count.index, ...).
func (c *Config) computesKeys(owner string) bool {
	for _, rs := range []*refs{c.repRefs[owner], c.instRefs[owner]} {
		if rs == nil {
			continue
		}
		for _, u := range rs.blocks {
			if !u.all && len(u.keys) > 0 {
				return true
			}
		}
	}
	return false
}

// blockUse is how a set of expressions uses one referenced block.
type blockUse struct {
	// all says some reference uses the block as a whole.
	all bool
	// lits are instance keys written literally: resource.rg["a"].
	lits []cty.Value
	// keys are instance keys computed by an expression, evaluated in the
	// referring instance's context (var, local, each, count, path only).
	keys []hcl.Expression
	// memo keeps the values of the keys that depend on the instance's
	// count.index or each.key alone (see keyMemo), nil when none does.
	memo *keyMemo
}

// findRefs records, for every block and local, what its expressions refer
// to: for a block, its for_each or count apart (repRefs: evaluated before
// each and count exist) from the rest (instRefs: evaluated per instance).
func (c *Config) findRefs() {
	c.instRefs = map[string]*refs{}
	c.repRefs = map[string]*refs{}
	c.blocks = map[string]*Resource{}
	for _, r := range c.allBlocks() {
		c.blocks[r.Address()] = r
		var inst, rep []hcl.Expression
		for _, a := range sortedAttrs(r.attrs) {
			switch a.Name {
			case "depends_on":
			case "for_each", "count":
				rep = append(rep, a.Expr)
			default:
				inst = append(inst, a.Expr)
			}
		}
		for _, a := range sortedAttrs(r.timeouts) {
			inst = append(inst, a.Expr)
		}
		for _, a := range sortedAttrs(r.retry) {
			inst = append(inst, a.Expr)
		}
		c.instRefs[r.Address()] = refsOf(inst, r.Module)
		c.repRefs[r.Address()] = refsOf(rep, r.Module)
	}
	for addr, a := range c.localExprs {
		c.instRefs[addr] = refsOf([]hcl.Expression{a.Expr}, c.nodeScope[addr])
	}
	for addr, mv := range c.modVars {
		if mv.expr != nil {
			c.instRefs[addr] = refsOf([]hcl.Expression{mv.expr}, mv.scope)
		}
	}
	for _, o := range c.Outputs {
		if o.Module != "" {
			c.instRefs[o.Address()] = refsOf([]hcl.Expression{o.Value}, o.Module)
		}
	}
}

func (c *Config) allBlocks() []*Resource {
	return append(append(append([]*Resource{}, c.Resources...), c.Data...), c.Actions...)
}

// refsOf finds what exprs refer to. The references themselves come from
// hcl (Variables knows which names a for expression hides); the syntax
// tree tells which of them index a block by a key.
func refsOf(exprs []hcl.Expression, scope string) *refs {
	out := &refs{blocks: map[string]*blockUse{}}
	seenLocal := map[string]bool{}
	for _, expr := range exprs {
		narrowed := map[string]*blockUse{}
		counted := map[string]int{}
		if syn, ok := expr.(hclsyntax.Expression); ok {
			w := &useWalker{uses: narrowed, counted: counted, scope: scope}
			_ = hclsyntax.Walk(syn, w) // useWalker never reports diagnostics
		}
		for _, tr := range expr.Variables() {
			root := tr.RootName()
			name, ok := traversalName(tr)
			if !ok {
				continue
			}
			switch root {
			case "var":
				if scope != "" && !seenLocal[scope+"var."+name] {
					seenLocal[scope+"var."+name] = true
					out.locals = append(out.locals, scope+"var."+name)
				}
			case "local":
				if !seenLocal[scope+"local."+name] {
					seenLocal[scope+"local."+name] = true
					out.locals = append(out.locals, scope+"local."+name)
				}
			case "module":
				if !contains(out.calls, name) {
					out.calls = append(out.calls, name)
				}
			case "resource", "data", "action":
				to := scope + root + "." + name
				u := out.blocks[to]
				if u == nil {
					u = &blockUse{}
					out.blocks[to] = u
				}
				if counted[to] > 0 {
					// One of the references the walker saw with its key.
					counted[to]--
					continue
				}
				u.all = true
			}
		}
		for to, n := range narrowed {
			u := out.blocks[to]
			if u == nil || u.all {
				continue
			}
			u.lits = append(u.lits, n.lits...)
			u.keys = append(u.keys, n.keys...)
		}
	}
	for _, u := range out.blocks {
		u.memo = newKeyMemo(u.keys, scope)
	}
	return out
}

// useWalker finds the references to blocks written with a key: a
// traversal resource.NAME["key"]..., or resource.NAME[expression] whose
// key refers only to var, local, each, count and path outside any for
// expression (whose names could hide those). counted says how many of
// each block's references it accounted for, so that refsOf counts the
// others as uses of the whole block.
type useWalker struct {
	uses    map[string]*blockUse
	counted map[string]int
	// scopes are the names declared by the for expressions around.
	scopes []map[string]struct{}
	// keyed are the traversals already counted as an IndexExpr's collection.
	keyed map[*hclsyntax.ScopeTraversalExpr]bool
	// scope is the prefix of the module instance the expressions are in.
	scope string
}

func (w *useWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	switch n := n.(type) {
	case hclsyntax.ChildScope:
		w.scopes = append(w.scopes, n.LocalNames)
	case *hclsyntax.IndexExpr:
		st, ok := n.Collection.(*hclsyntax.ScopeTraversalExpr)
		if !ok || len(st.Traversal) != 2 || w.hidden(st.Traversal.RootName()) {
			return nil
		}
		to, ok := blockAddress(st.Traversal)
		if !ok || len(w.scopes) > 0 || !keyRefsPlain(n.Key) {
			return nil
		}
		to = w.scope + to
		w.use(to).keys = append(w.use(to).keys, n.Key)
		w.counted[to]++
		if w.keyed == nil {
			w.keyed = map[*hclsyntax.ScopeTraversalExpr]bool{}
		}
		w.keyed[st] = true
	case *hclsyntax.ScopeTraversalExpr:
		tr := n.Traversal
		if w.keyed[n] || len(tr) < 3 || w.hidden(tr.RootName()) {
			return nil
		}
		to, ok := blockAddress(tr)
		ix, isIndex := tr[2].(hcl.TraverseIndex)
		if !ok || !isIndex {
			return nil
		}
		to = w.scope + to
		w.use(to).lits = append(w.use(to).lits, ix.Key)
		w.counted[to]++
	}
	return nil
}

func (w *useWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(hclsyntax.ChildScope); ok {
		w.scopes = w.scopes[:len(w.scopes)-1]
	}
	return nil
}

func (w *useWalker) use(to string) *blockUse {
	u := w.uses[to]
	if u == nil {
		u = &blockUse{}
		w.uses[to] = u
	}
	return u
}

// hidden says whether a for expression around declares name.
func (w *useWalker) hidden(name string) bool {
	for _, s := range w.scopes {
		if _, ok := s[name]; ok {
			return true
		}
	}
	return false
}

// keyRefsPlain says whether a key refers only to names every instance's
// context holds before any block is evaluated.
func keyRefsPlain(key hclsyntax.Expression) bool {
	for _, tr := range key.Variables() {
		switch tr.RootName() {
		case "var", "local", "each", "count", "path":
		default:
			return false
		}
	}
	return true
}

// pick returns the instance suffixes (["a"], [0]) of block r that u names,
// with its computed keys evaluated in ctx, the way an index expression
// reads them (a for_each block's keys are strings, a count block's whole
// numbers). ok is false when u uses the whole block, when r has one
// instance only, or when a key cannot be read: then every instance is used.
func pick(u *blockUse, r *Resource, ctx *hcl.EvalContext) (suffixes []string, ok bool) {
	if u == nil || u.all || (r.ForEach == nil && r.Count == nil) {
		return nil, false
	}
	add := func(k cty.Value) bool {
		s, ok := instanceSuffix(k, r)
		suffixes = append(suffixes, s)
		return ok
	}
	for _, k := range u.lits {
		if !add(k) {
			return nil, false
		}
	}
	for i, expr := range u.keys {
		k, ok := u.memo.value(i, expr, ctx)
		if !ok || !add(k) {
			return nil, false
		}
	}
	return suffixes, true
}

// instanceSuffix converts an index key the way hcl.Index does for the
// block's value: an object (for_each) takes a string key, a tuple (count)
// a whole number.
func instanceSuffix(k cty.Value, r *Resource) (string, bool) {
	if k.IsMarked() || !k.IsKnown() || k.IsNull() {
		return "", false
	}
	want := cty.String
	if r.Count != nil {
		want = cty.Number
	}
	k, err := convert.Convert(k, want)
	if err != nil {
		return "", false
	}
	return keySuffix(k)
}
