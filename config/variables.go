package config

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Variable is a declared input variable.
type Variable struct {
	Name        string
	Description string
	// Type is the declared type constraint; cty.DynamicPseudoType when none.
	Type cty.Type
	// Default is cty.NilVal when the variable is required.
	Default cty.Value
	// Value is the final value after defaults and --var.
	Value     cty.Value
	DeclRange hcl.Range
}

func decodeVariable(b *hcl.Block) (*Variable, hcl.Diagnostics) {
	content, diags := b.Body.Content(variableSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	v := &Variable{Name: b.Labels[0], Type: cty.DynamicPseudoType, DeclRange: b.DefRange}
	if a, ok := content.Attributes["type"]; ok {
		t, d := typeexpr.TypeConstraint(a.Expr)
		diags = append(diags, d...)
		if d.HasErrors() {
			return nil, diags
		}
		v.Type = t
	}
	if a, ok := content.Attributes["description"]; ok {
		s, d := evalString(a.Expr, nil, "description")
		diags = append(diags, d...)
		v.Description = s
	}
	if a, ok := content.Attributes["default"]; ok {
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if d.HasErrors() {
			return nil, diags
		}
		conv, err := convert.Convert(val, v.Type)
		if err != nil {
			return nil, append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid default value for variable",
				Detail:   fmt.Sprintf("The default of variable %q does not fit its type %s: %s.", v.Name, typeexpr.TypeString(v.Type), err),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		v.Default = conv
	}
	return v, diags
}

// assignVariables gives every variable its value: --var, else the default.
func (c *Config) assignVariables(vars map[string]string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := make([]string, 0, len(vars))
	for name := range vars {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, ok := c.Variables[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("--var sets %q, but no variable block declares it. Declare it with variable %q {} or fix the name.", name, name),
			})
			continue
		}
		val, d := parseVarValue(name, vars[name], v.Type)
		diags = append(diags, d...)
		v.Value = val
	}
	for _, v := range c.Variables {
		if v.Value != cty.NilVal {
			continue
		}
		if v.Default == cty.NilVal {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail:   fmt.Sprintf("Variable %q has no default. Give it a value with --var %s=VALUE.", v.Name, v.Name),
				Subject:  v.DeclRange.Ptr(),
			})
			continue
		}
		v.Value = v.Default
	}
	return diags
}

// parseVarValue reads a --var value: as a string for a string (or untyped)
// variable, else as an HCL expression such as ["a","b"] or { k = 1 }.
func parseVarValue(name, raw string, t cty.Type) (cty.Value, hcl.Diagnostics) {
	if t == cty.String || t == cty.DynamicPseudoType || t.IsPrimitiveType() {
		val, err := convert.Convert(cty.StringVal(raw), t)
		if err == nil {
			return val, nil
		}
		if t == cty.String || t == cty.DynamicPseudoType {
			return cty.StringVal(raw), nil
		}
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("--var %s=%s: the variable is of type %s: %s.", name, raw, typeexpr.TypeString(t), err),
		}}
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), "--var "+name, hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, diags
	}
	conv, err := convert.Convert(val, t)
	if err != nil {
		return cty.NilVal, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail:   fmt.Sprintf("--var %s: the variable is of type %s: %s.", name, typeexpr.TypeString(t), err),
		}}
	}
	return conv, nil
}
