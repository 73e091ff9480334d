package config

import (
	"fmt"
	"strconv"

	"github.com/azapply/azapply/bodypath"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// A body path (properties.networkAcls.defaultAction, rules[*].name,
// tags["hidden-link:/x"]) is read by package bodypath, the one owner of its
// syntax; config checks the paths users write with bodypath.Parse.

// evalPaths evaluates a list of body paths (ignore_changes, sensitive, ...).
func evalPaths(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	list, diags := evalStringList(a, ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, p := range list {
		if _, err := bodypath.Parse(p); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid path in " + a.Name,
				Detail:   fmt.Sprintf("%s. Paths are dotted names into the body, like \"properties.networkAcls\" or \"properties.subnets[*].name\".", err),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	return list, diags
}

func evalStringList(a *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	bad := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Incorrect attribute value type",
		Detail:   fmt.Sprintf("%s must be a list of strings, like [\"properties.tags\"].", a.Name),
		Subject:  a.Expr.Range().Ptr(),
	}}
	if !v.IsWhollyKnown() || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType()) {
		return nil, bad
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			return nil, bad
		}
		out = append(out, e.AsString())
	}
	return out, nil
}

// keySuffix is how an instance key is written after the block address.
func keySuffix(k cty.Value) (string, bool) {
	if !k.IsKnown() || k.IsNull() {
		return "", false
	}
	switch k.Type() {
	case cty.String:
		return "[" + strconv.Quote(k.AsString()) + "]", true
	case cty.Number:
		bf := k.AsBigFloat()
		if !bf.IsInt() {
			return "", false
		}
		i, _ := bf.Int64()
		return "[" + strconv.FormatInt(i, 10) + "]", true
	}
	return "", false
}
