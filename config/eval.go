package config

import (
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Instance is a resource with its attributes evaluated.
type Instance struct {
	Address    string
	Name       string
	ID         string
	APIVersion string
	// Body is an object value; parts of it may be unknown until apply.
	Body cty.Value
	// DependsOn are the addresses of the resources this one waits for.
	DependsOn []string
	DeclRange hcl.Range

	// The settings below come from the resource block's other attributes.
	// Paths are dotted (properties.rules), with [*] for every element of an
	// array (properties.subnets[*].name).

	// UpdateMethod is "PUT" (the default) or "PATCH".
	UpdateMethod string
	// IgnoreChanges are paths never diffed (the provider's are added).
	IgnoreChanges []string
	// Sensitive are paths whose values are never printed or stored in clear
	// (declared ones plus those found by name: password, secret, key, ...).
	Sensitive []string
	// PreventDestroy makes any plan that deletes or replaces it an error.
	PreventDestroy bool
	// ReplaceOnChanges are paths whose change means delete-then-create.
	ReplaceOnChanges []string
	// ArrayKeys names, per array path, the field that matches elements
	// (array_keys = { "properties.rules" = "priority" }).
	ArrayKeys map[string]string
	// Unordered are paths of scalar arrays compared as sets.
	Unordered []string
	// Timeouts bound each kind of operation; zero means the default (30m).
	Timeouts Timeouts
}

// Timeouts are the per-operation time limits of a resource.
type Timeouts struct {
	Create, Update, Delete time.Duration
}

var apiVersionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-(preview|alpha|beta|rc|privatepreview))?$`)

// baseContext holds var, local and the functions: everything but resources.
func (c *Config) baseContext() *hcl.EvalContext {
	vars := map[string]cty.Value{}
	for name, v := range c.Variables {
		if v.Value != cty.NilVal {
			vars[name] = v.Value
		}
	}
	locals := c.Locals
	if locals == nil {
		locals = map[string]cty.Value{}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var":   cty.ObjectVal(vars),
			"local": cty.ObjectVal(locals),
		},
		Functions: functions(c.Dir),
	}
}

// evalLocals evaluates locals in as many rounds as their references to one
// another need.
func (c *Config) evalLocals(attrs []*hcl.Attribute) hcl.Diagnostics {
	c.Locals = map[string]cty.Value{}
	pending := attrs
	for len(pending) > 0 {
		var next []*hcl.Attribute
		for _, a := range pending {
			if !localsReady(a.Expr, c.Locals) {
				next = append(next, a)
				continue
			}
			v, d := a.Expr.Value(c.baseContext())
			if d.HasErrors() {
				return d
			}
			c.Locals[a.Name] = v
		}
		if len(next) == len(pending) {
			var diags hcl.Diagnostics
			for _, a := range next {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Local value cannot be evaluated",
					Detail:   fmt.Sprintf("local.%s refers to a local value that is not declared, or to itself through other locals.", a.Name),
					Subject:  a.Expr.Range().Ptr(),
				})
			}
			return diags
		}
		pending = next
	}
	return nil
}

func localsReady(expr hcl.Expression, have map[string]cty.Value) bool {
	for _, tr := range expr.Variables() {
		if tr.RootName() != "local" || len(tr) < 2 {
			continue
		}
		if a, ok := tr[1].(hcl.TraverseAttr); ok {
			if _, done := have[a.Name]; !done {
				return false
			}
		}
	}
	return true
}

// Evaluate evaluates every resource in dependency order. outputs maps an
// address to the live body read back after that resource was applied; a
// reference to the output of a resource not in outputs is unknown. The
// instances come back in an order where each follows all it depends on.
func (c *Config) Evaluate(outputs map[string]any) ([]*Instance, hcl.Diagnostics) {
	order, diags := c.referenceOrder()
	if diags.HasErrors() {
		return nil, diags
	}
	resources := map[string]cty.Value{}
	ctx := c.baseContext()
	var out []*Instance
	for _, r := range order {
		ctx.Variables["resource"] = cty.ObjectVal(resources)
		inst, d := c.evalResource(r, ctx)
		diags = append(diags, d...)
		if inst == nil {
			// Stand in an unknown so dependants report their own problems only.
			resources[r.Name] = cty.DynamicVal
			continue
		}
		output := cty.DynamicVal
		if o, ok := outputs[inst.Address]; ok {
			output = FromJSONValue(o)
		}
		resources[r.Name] = cty.ObjectVal(map[string]cty.Value{
			"id":     cty.StringVal(inst.ID),
			"body":   inst.Body,
			"output": output,
		})
		out = append(out, inst)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	ordered, d := orderWithContainment(out)
	return ordered, append(diags, d...)
}

func (c *Config) evalResource(r *Resource, ctx *hcl.EvalContext) (*Instance, hcl.Diagnostics) {
	inst := &Instance{Address: r.Address(), Name: r.Name, DeclRange: r.DeclRange, Body: cty.EmptyObjectVal, UpdateMethod: "PUT"}
	var diags hcl.Diagnostics
	id, d := evalString(r.ID, ctx, "id")
	diags = append(diags, d...)
	inst.ID = id
	if !d.HasErrors() {
		if err := validateID(id); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid resource ID",
				Detail:   err.Error(),
				Subject:  r.ID.Range().Ptr(),
			})
		}
	}
	av, d := evalString(r.APIVersion, ctx, "api_version")
	diags = append(diags, d...)
	inst.APIVersion = av
	if !d.HasErrors() && !apiVersionPattern.MatchString(av) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid api_version",
			Detail:   fmt.Sprintf("%q is not an ARM api-version: it takes the form YYYY-MM-DD, optionally with -preview. Find versions with `az provider show --namespace NAMESPACE`.", av),
			Subject:  r.APIVersion.Range().Ptr(),
		})
	}
	if r.Body != nil {
		v, d := r.Body.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType() || !v.IsKnown()) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid body",
					Detail:   fmt.Sprintf("body must be an object, like { location = \"westus\" }; this is %s.", v.Type().FriendlyName()),
					Subject:  r.Body.Range().Ptr(),
				})
			} else {
				inst.Body = v
			}
		}
	}
	inst.DependsOn = append(inst.DependsOn, prefixAll("resource.", r.refs)...)
	if diags.HasErrors() {
		return nil, diags
	}
	return inst, diags
}

// evalString evaluates an attribute that must be a known string.
func evalString(expr hcl.Expression, ctx *hcl.EvalContext, name string) (string, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return "", diags
	}
	if !v.IsKnown() {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Value not known until apply",
			Detail:   fmt.Sprintf("%s must be known when planning; it depends on a value that only exists after apply. Use a resource's id or a variable instead.", name),
			Subject:  expr.Range().Ptr(),
		}}
	}
	if v.IsNull() || v.Type() != cty.String {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("%s must be a string.", name),
			Subject:  expr.Range().Ptr(),
		}}
	}
	return v.AsString(), nil
}

func prefixAll(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
