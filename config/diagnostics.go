package config

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// scrub removes from evaluation diagnostics the context that would let a
// diagnostic printer show the values of the variables an expression uses
// ("with var.x as ..."), when any of them holds a sensitive value.
func scrub(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Expression == nil || d.EvalContext == nil {
			continue
		}
		for _, tr := range d.Expression.Variables() {
			v, vd := tr.TraverseAbs(d.EvalContext)
			if vd.HasErrors() || v.ContainsMarked() {
				d.Expression, d.EvalContext = nil, nil
				break
			}
		}
	}
	return diags
}

// sortDiags puts diagnostics in source order (those without a place first),
// keeping the order of those at the same place.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return diags
}

// notReported leaves out the diagnostics that follow from Load's errors:
// those at a place Load already reported, and unknown values (standing in
// for variables that have no valid value).
func (c *Config) notReported(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range dropUnknown(diags) {
		if d.Subject != nil && c.overlapsReported(*d.Subject) {
			continue
		}
		out = append(out, d)
	}
	return out
}

func (c *Config) overlapsReported(r hcl.Range) bool {
	for _, p := range c.reported {
		if p.Filename == r.Filename && p.Start.Byte < r.End.Byte && r.Start.Byte < p.End.Byte {
			return true
		}
	}
	return false
}

// hints are sentences added to HCL's own diagnostics about the schema, so
// that each says what to do.
var hints = map[string]string{
	`The argument "api_version" is required`: " api_version is required: ARM rejects requests without it. Find a resource type's versions with `az provider show --namespace NAMESPACE`.",
	`The argument "id" is required`:          " id is the resource's ARM ID, like \"/subscriptions/${var.subscription_id}/resourceGroups/demo\".",
	`Blocks of type`:                         " A configuration holds azapply, provider, variable, locals, resource, data, action, output, import and removed blocks.",
}

// addHints adds a hint to the schema diagnostics that have one.
func addHints(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		for prefix, hint := range hints {
			if strings.HasPrefix(d.Detail, prefix) && !strings.HasSuffix(d.Detail, hint) {
				d.Detail += hint
			}
		}
	}
	return diags
}

// dropUnknown leaves out the diagnostics about values not known yet.
func dropUnknown(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Summary != "Value not known until apply" {
			out = append(out, d)
		}
	}
	return out
}
