package config

import (
	"fmt"
	"strings"

	"github.com/azapply/azapply/bodypath"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A data block with method = "POST" reads the answer of a read-only ARM
// action (listKeys, listCredentials, listConnectionStrings, getSecrets…):
// it is POSTed when planning, on every plan, like a GET data source, so
// its answer is known and usable in bodies. Write actions (regenerateKey,
// restart) are action blocks: they run at apply, with when. Its answer is
// data.NAME.output; the secrets in it (by name, and its declared sensitive
// paths) carry the sensitive mark, so that whatever uses them is
// sensitive, hidden and stored hashed.

// postsData says whether the data block r reads with POST. A method that
// cannot be evaluated is reported by evalReadMethod.
func postsData(r *Resource, ctx *hcl.EvalContext) bool {
	a, ok := r.attrs["method"]
	if !ok {
		return false
	}
	s, _, d := evalStringMarked(a.Expr, ctx, "method")
	return !d.HasErrors() && strings.EqualFold(s, "POST")
}

// evalReadMethod sets a data instance's Method, and checks that a POST
// reads: its action's name starts with list or get, or the block says
// read_only = true; a body is for POST only.
func evalReadMethod(r *Resource, ctx *hcl.EvalContext, inst *Instance) hcl.Diagnostics {
	inst.Method = "GET"
	var diags hcl.Diagnostics
	a, ok := r.attrs["method"]
	if ok {
		s, d := evalString(a.Expr, ctx, "method")
		diags = append(diags, d...)
		if d.HasErrors() {
			return diags
		}
		switch strings.ToUpper(s) {
		case "GET", "POST":
			inst.Method = strings.ToUpper(s)
		default:
			return append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid method",
				Detail:   fmt.Sprintf("a data block's method is \"GET\" (the default: read a resource) or \"POST\" (run a read-only action such as listKeys), not %q.", s),
				Subject:  a.Expr.Range().Ptr(),
			})
		}
	}
	if inst.Method == "GET" {
		if r.Body != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Body of a data block that GETs",
				Detail:   "A GET sends no body. To read the answer of a read-only action that takes one (listKeys, listCredentials), write method = \"POST\".",
				Subject:  r.Body.Range().Ptr(),
			})
		}
		return diags
	}
	readOnly := false
	if a, ok := r.attrs["read_only"]; ok {
		b, d := evalBool(a, ctx)
		diags = append(diags, d...)
		readOnly = b
	}
	if readOnly {
		return diags
	}
	id := inst.ID
	if id == "" {
		// Not known until apply (the ID of a resource not created yet):
		// the action's name is the template's literal end, which the
		// plan can check now, before apply would POST it.
		var ok bool
		if id, ok = literalTail(r.ID); !ok {
			return diags
		}
	}
	name := id[strings.LastIndexByte(id, '/')+1:]
	if !readOnlyAction(name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Not a read-only action",
			Detail: fmt.Sprintf("A data block runs its POST on every plan, so it may only read; %q does not look like a read (its name does not start with list or get). "+
				"An action that changes something (regenerateKey, restart) is an action block, run at apply with when = \"create\" or \"every_apply\". "+
				"If %s only reads, say read_only = true.", name, name),
			Subject: r.ID.Range().Ptr(),
		})
	}
	return diags
}

// literalTail is the literal text a template expression ends with, after
// its last interpolation: "/listKeys" of "${resource.sa.id}/listKeys".
func literalTail(expr hcl.Expression) (string, bool) {
	t, ok := expr.(*hclsyntax.TemplateExpr)
	if !ok || len(t.Parts) == 0 {
		return "", false
	}
	lit, ok := t.Parts[len(t.Parts)-1].(*hclsyntax.LiteralValueExpr)
	if !ok || !lit.Val.Type().Equals(cty.String) || !lit.Val.IsKnown() {
		return "", false
	}
	tail := lit.Val.AsString()
	if !strings.Contains(tail, "/") {
		return "", false
	}
	return tail, true
}

// readOnlyAction says whether an action's name reads by ARM's convention:
// listKeys, listCredentials, getSecrets.
func readOnlyAction(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "list") || strings.HasPrefix(n, "get")
}

// markReadOutput marks, in the output of an instance, its sensitive paths
// (Instance.Sensitive: declared, computed from sensitive values, or found
// by name in its body), on top of the secrets found by name.
func markReadOutput(in *Instance, output cty.Value) cty.Value {
	for _, p := range in.Sensitive {
		steps, err := bodypath.Parse(p)
		if err != nil {
			continue
		}
		output = markPath(output, steps)
	}
	return output
}

// MarkedOutput is body, the answer read for a data (or action) instance,
// as expressions see it in data.NAME.output: with its secrets, by name and
// by the block's sensitive paths, marked. SensitiveStrings of it gives
// their clear text, for cleaning errors.
func MarkedOutput(in *Instance, body map[string]any) cty.Value {
	return markReadOutput(in, markByName("", FromJSONValue(body)))
}
