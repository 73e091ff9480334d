package config

import (
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// varObject is var: every variable's value.
func (c *Config) varObject() cty.Value {
	vars := map[string]cty.Value{}
	for name, v := range c.Variables {
		if v.Value != cty.NilVal {
			vars[name] = v.Value
		}
	}
	return cty.ObjectVal(vars)
}

func (c *Config) pathObject() cty.Value {
	cwd, _ := os.Getwd()
	return cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(c.Dir),
		"root":   cty.StringVal(c.Dir),
		"cwd":    cty.StringVal(cwd),
	})
}

// varContext holds var and the functions: enough for validations.
func (c *Config) varContext() *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": c.varObject(), "path": c.pathObject()},
		Functions: c.functionTable(),
	}
}

// functionTable is the functions, built once per Load.
func (c *Config) functionTable() map[string]function.Function {
	if c.funcs != nil {
		return c.funcs
	}
	return functions(c.Dir)
}

// baseContext holds var, the static locals and the functions: what the
// provider, azapply, import and removed blocks may use.
func (c *Config) baseContext() *hcl.EvalContext {
	ctx := c.varContext()
	locals := c.Locals
	if locals == nil {
		locals = map[string]cty.Value{}
	}
	ctx.Variables["local"] = cty.ObjectVal(locals)
	return ctx
}

// evalLocals evaluates the locals that refer to no resource, data or
// action, in as many rounds as their references to one another need (Load
// has already rejected cycles and undeclared names).
func (c *Config) evalLocals() hcl.Diagnostics {
	c.Locals = map[string]cty.Value{}
	var pending []*hcl.Attribute
	for _, addr := range sortedKeys(c.localExprs) {
		if !c.dynamicLocals[addr] && c.nodeScope[addr] == "" {
			pending = append(pending, c.localExprs[addr])
		}
	}
	var diags hcl.Diagnostics
	for len(pending) > 0 {
		var next []*hcl.Attribute
		for _, a := range pending {
			if !c.localsReady(a) {
				next = append(next, a)
				continue
			}
			v, d := a.Expr.Value(c.baseContext())
			diags = append(diags, d...)
			if d.HasErrors() {
				v = cty.DynamicVal
			}
			c.Locals[a.Name] = v
		}
		if len(next) == len(pending) {
			// A cycle among locals: buildOrder reports it with its edges.
			return diags
		}
		pending = next
	}
	return scrub(diags)
}

func (c *Config) localsReady(a *hcl.Attribute) bool {
	for _, e := range c.edges["local."+a.Name] {
		if name, ok := strings.CutPrefix(e.to, "local."); ok {
			if _, done := c.Locals[name]; !done {
				return false
			}
		}
	}
	return true
}
