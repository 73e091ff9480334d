package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// OutputBlock is an output block as written.
type OutputBlock struct {
	Name        string
	Value       hcl.Expression
	Description string
	// Sensitive outputs are recorded but never printed.
	Sensitive bool
	// DependsOn are the block addresses named in depends_on.
	DependsOn []string
	DeclRange hcl.Range
	// Module is the prefix of the module instance that holds the output
	// (module.app.), "" for the root's outputs.
	Module string
}

// Address is output.NAME after the module instance's prefix.
func (o *OutputBlock) Address() string { return o.Module + "output." + o.Name }

// Output is an evaluated output value. Value may be unknown (until apply)
// and, when Sensitive, carries SensitiveMark.
type Output struct {
	Name        string
	Value       cty.Value
	Description string
	Sensitive   bool
	DeclRange   hcl.Range
}

func decodeOutput(b *hcl.Block) (*OutputBlock, hcl.Diagnostics) {
	content, diags := b.Body.Content(outputSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	o := &OutputBlock{Name: b.Labels[0], Value: content.Attributes["value"].Expr, DeclRange: b.DefRange}
	if a, ok := content.Attributes["description"]; ok {
		s, d := evalString(a.Expr, nil, "description")
		diags = append(diags, d...)
		o.Description = s
	}
	if a, ok := content.Attributes["sensitive"]; ok {
		s, d := evalBool(a, nil)
		diags = append(diags, d...)
		o.Sensitive = s
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		addrs, d := decodeDependsOn(a)
		diags = append(diags, d...)
		o.DependsOn = addrs
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return o, diags
}

func (ev *evaluator) evalOutput(o *OutputBlock) (*Output, hcl.Diagnostics) {
	addr := o.Address()
	ctx := ev.ctxFor(addr)
	v, diags := o.Value.Value(ctx)
	if diags.HasErrors() {
		ev.values[addr] = cty.DynamicVal
		return nil, diags
	}
	if !o.Sensitive && len(SensitivePaths(v)) > 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Output refers to sensitive values",
			Detail:   fmt.Sprintf("output %q shows a value that is sensitive (from a sensitive variable or a secret in a body). Add sensitive = true to the output to confirm that it may be kept, hidden, in the state.", o.Name),
			Subject:  o.Value.Range().Ptr(),
		}}
	}
	if o.Sensitive {
		v = v.Mark(SensitiveMark)
	}
	if o.Module != "" {
		// A module's output is a value of the calling scope; the
		// sensitive marks travel with it.
		ev.values[addr] = v
		ev.localDeps[addr] = ev.instanceDeps(addr, ctx)
	}
	return &Output{Name: o.Name, Value: v, Sensitive: o.Sensitive, Description: o.Description, DeclRange: o.DeclRange}, nil
}
