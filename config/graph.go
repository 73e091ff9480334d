package config

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/hashicorp/hcl/v2"
)

// checkReferences finds every resource.NAME reference, records it as a
// dependency, and reports references to resources that are not declared.
func (c *Config) checkReferences() hcl.Diagnostics {
	declared := map[string]bool{}
	for _, r := range c.Resources {
		declared[r.Name] = true
	}
	var diags hcl.Diagnostics
	for _, r := range c.Resources {
		seen := map[string]bool{}
		for _, expr := range []hcl.Expression{r.ID, r.APIVersion, r.Body} {
			if expr == nil {
				continue
			}
			for _, tr := range expr.Variables() {
				if tr.RootName() != "resource" {
					continue
				}
				name, ok := traversalName(tr)
				if !ok {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid reference",
						Detail:   "A reference to a resource takes the form resource.NAME.id, resource.NAME.body or resource.NAME.output.",
						Subject:  tr.SourceRange().Ptr(),
					})
					continue
				}
				if !declared[name] {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Reference to undeclared resource",
						Detail:   fmt.Sprintf("There is no resource %q in this configuration. Declare it with resource %q { ... } or fix the name.", name, name),
						Subject:  tr.SourceRange().Ptr(),
					})
					continue
				}
				if name == r.Name {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Self-referential resource",
						Detail:   fmt.Sprintf("resource %q refers to itself; a resource can only refer to others.", name),
						Subject:  tr.SourceRange().Ptr(),
					})
					continue
				}
				if !seen[name] {
					seen[name] = true
					r.refs = append(r.refs, name)
				}
			}
		}
	}
	return diags
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

// referenceOrder sorts resources so each follows those it refers to, keeping
// declaration order where references allow. A cycle is an error naming it.
func (c *Config) referenceOrder() ([]*Resource, hcl.Diagnostics) {
	byName := map[string]*Resource{}
	for _, r := range c.Resources {
		byName[r.Name] = r
	}
	deps := map[string][]string{}
	for _, r := range c.Resources {
		deps[r.Name] = r.refs
	}
	names := make([]string, len(c.Resources))
	for i, r := range c.Resources {
		names[i] = r.Name
	}
	sorted, cycle := topoSort(names, deps)
	if cycle != nil {
		r := byName[cycle[0]]
		return nil, hcl.Diagnostics{cycleDiag(cycle, r.DeclRange)}
	}
	out := make([]*Resource, len(sorted))
	for i, n := range sorted {
		out[i] = byName[n]
	}
	return out, nil
}

// orderWithContainment adds ARM containment (an ID under another declared ID
// depends on it) and sorts again.
func orderWithContainment(insts []*Instance) ([]*Instance, hcl.Diagnostics) {
	byAddr := map[string]*Instance{}
	names := make([]string, len(insts))
	deps := map[string][]string{}
	var diags hcl.Diagnostics
	for i, in := range insts {
		byAddr[in.Address] = in
		names[i] = in.Address
	}
	for i, a := range insts {
		for j, b := range insts {
			if i == j {
				continue
			}
			if armid.Equal(a.ID, b.ID) && i < j {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate resource ID",
					Detail:   fmt.Sprintf("%s and %s (declared at %s) both manage %s. ARM IDs are case-insensitive; each resource may be declared once.", a.Address, b.Address, b.DeclRange, a.ID),
					Subject:  a.DeclRange.Ptr(),
				})
			}
			if armid.IsUnder(a.ID, b.ID) && !contains(a.DependsOn, b.Address) {
				a.DependsOn = append(a.DependsOn, b.Address)
			}
		}
		deps[a.Address] = a.DependsOn
	}
	if diags.HasErrors() {
		return nil, diags
	}
	sorted, cycle := topoSort(names, deps)
	if cycle != nil {
		return nil, hcl.Diagnostics{cycleDiag(cycle, byAddr[cycle[0]].DeclRange)}
	}
	out := make([]*Instance, len(sorted))
	for i, n := range sorted {
		out[i] = byAddr[n]
	}
	return out, nil
}

func cycleDiag(cycle []string, at hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Dependency cycle",
		Detail:   fmt.Sprintf("These resources depend on each other in a circle: %s. Break one of the references.", strings.Join(cycle, " -> ")),
		Subject:  at.Ptr(),
	}
}

// topoSort orders names so that each comes after its deps, stable with
// respect to the input order. When there is a cycle it returns one, as a
// path that starts and ends with the same name.
func topoSort(names []string, deps map[string][]string) ([]string, []string) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var out []string
	var stack []string
	var cycle []string
	var visit func(n string) bool
	visit = func(n string) bool {
		switch state[n] {
		case done:
			return true
		case visiting:
			for i, s := range stack {
				if s == n {
					cycle = append(append([]string{}, stack[i:]...), n)
				}
			}
			return false
		}
		state[n] = visiting
		stack = append(stack, n)
		for _, d := range deps[n] {
			if !visit(d) {
				return false
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		out = append(out, n)
		return true
	}
	for _, n := range names {
		if !visit(n) {
			return nil, cycle
		}
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
	_, err := armid.Parse(id)
	return err
}
