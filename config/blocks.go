package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Resource is a resource, data or action block as written; Evaluate turns
// it into instances.
type Resource struct {
	Name       string
	DeclRange  hcl.Range
	ID         hcl.Expression
	APIVersion hcl.Expression
	// Body is nil when the block has no body attribute.
	Body hcl.Expression
	// Kind is resource, data or action.
	Kind Kind
	// ForEach and Count are nil unless the block has them.
	ForEach, Count hcl.Expression
	// DependsOn are the block addresses named in depends_on.
	DependsOn []string

	// Module is the address prefix of the module instance that holds the
	// block (module.app["dev"].), "" in the root.
	Module string

	attrs    hcl.Attributes
	timeouts hcl.Attributes
	// retry is the retry block's attributes; nil without one.
	retry hcl.Attributes
}

// Address is how plans and state name the block: resource.NAME, data.NAME
// or action.NAME, after the module instance that holds it
// (module.app["dev"].resource.NAME). Instances of a block with for_each or
// count add a key.
func (r *Resource) Address() string { return r.Module + string(r.kind()) + "." + r.Name }

func (r *Resource) kind() Kind {
	if r.Kind == "" {
		return KindResource
	}
	return r.Kind
}

// expressions are every expression of the block, for finding references.
func (r *Resource) expressions() []hcl.Expression {
	var out []hcl.Expression
	for _, a := range sortedAttrs(r.attrs) {
		if a.Name == "depends_on" {
			continue
		}
		out = append(out, a.Expr)
	}
	for _, a := range sortedAttrs(r.timeouts) {
		out = append(out, a.Expr)
	}
	for _, a := range sortedAttrs(r.retry) {
		out = append(out, a.Expr)
	}
	return out
}

func decodeBlock(kind Kind, b *hcl.Block) (*Resource, hcl.Diagnostics) {
	schema := resourceSchema
	switch kind {
	case KindData:
		schema = dataSchema
	case KindAction:
		schema = actionSchema
	}
	content, diags := b.Body.Content(schema)
	r := &Resource{Kind: kind, Name: b.Labels[0], DeclRange: b.DefRange, attrs: content.Attributes}
	if !validName(r.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + string(kind) + " name",
			Detail:   fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", r.Name),
			Subject:  b.LabelRanges[0].Ptr(),
		})
	}
	if a, ok := content.Attributes["id"]; ok {
		r.ID = a.Expr
	}
	if a, ok := content.Attributes["api_version"]; ok {
		r.APIVersion = a.Expr
	}
	if a, ok := content.Attributes["body"]; ok {
		r.Body = a.Expr
	}
	if a, ok := content.Attributes["for_each"]; ok {
		r.ForEach = a.Expr
	}
	if a, ok := content.Attributes["count"]; ok {
		r.Count = a.Expr
		if r.ForEach != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Both for_each and count",
				Detail:   "A block can repeat by for_each or by count, not both: keep one.",
				Subject:  a.NameRange.Ptr(),
			})
		}
	}
	if a, ok := content.Attributes["depends_on"]; ok {
		addrs, d := decodeDependsOn(a)
		diags = append(diags, d...)
		r.DependsOn = addrs
	}
	seenTimeouts := false
	for _, tb := range content.Blocks {
		if tb.Type == "retry" {
			if r.retry != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate retry block",
					Detail:   "A resource takes one retry block: merge them.",
					Subject:  tb.DefRange.Ptr(),
				})
				continue
			}
			rc, d := tb.Body.Content(retrySchema)
			diags = append(diags, d...)
			r.retry = rc.Attributes
			if r.retry == nil {
				r.retry = hcl.Attributes{}
			}
			continue
		}
		if tb.Type != "timeouts" {
			continue
		}
		if seenTimeouts {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate timeouts block",
				Detail:   "A block takes one timeouts block: merge them.",
				Subject:  tb.DefRange.Ptr(),
			})
			continue
		}
		seenTimeouts = true
		tc, d := tb.Body.Content(timeoutsSchema)
		diags = append(diags, d...)
		r.timeouts = tc.Attributes
	}
	if r.ID == nil || r.APIVersion == nil || !validName(r.Name) {
		// Nothing to evaluate; the diagnostics say what is missing.
		return nil, diags
	}
	return r, diags
}

// decodeDependsOn reads depends_on = [resource.a, data.b, action.c]: a list
// of block references, not strings.
func decodeDependsOn(a *hcl.Attribute) ([]string, hcl.Diagnostics) {
	exprs, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid depends_on",
			Detail:   "depends_on is a list of references, like depends_on = [resource.rg, data.subscription].",
			Subject:  a.Expr.Range().Ptr(),
		}}
	}
	var out []string
	for _, e := range exprs {
		tr, d := hcl.AbsTraversalForExpr(e)
		addr, ok := "", false
		if !d.HasErrors() {
			addr, ok = blockAddress(tr)
		}
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid depends_on entry",
				Detail:   "Each entry of depends_on names a block without quotes: resource.NAME, data.NAME or action.NAME.",
				Subject:  e.Range().Ptr(),
			})
			continue
		}
		out = append(out, addr)
	}
	return out, diags
}

// blockAddress reads resource.NAME, data.NAME or action.NAME from the start
// of a traversal.
func blockAddress(tr hcl.Traversal) (string, bool) {
	switch tr.RootName() {
	case "resource", "data", "action":
	default:
		return "", false
	}
	name, ok := traversalName(tr)
	if !ok {
		return "", false
	}
	return tr.RootName() + "." + name, true
}

func traversalName(tr hcl.Traversal) (string, bool) {
	if len(tr) < 2 {
		return "", false
	}
	a, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return "", false
	}
	return a.Name, true
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
