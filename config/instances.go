package config

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/bodypath"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// apiVersionPattern is an ARM api-version: a date, maybe with a suffix.
var apiVersionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-(preview|alpha|beta|rc|privatepreview))?$`)

// instKey is one instance of a block: its address suffix (["a"], [0], or
// "" for a block without for_each or count), each.key or count.index, and
// each.value.
type instKey struct {
	suffix     string
	key, value cty.Value
}

// expandKeys evaluates a block's for_each or count into its instances'
// keys, in order (a block with neither has one, with no key).
func expandKeys(r *Resource, ctx *hcl.EvalContext) ([]instKey, hcl.Diagnostics) {
	switch {
	case r.ForEach != nil:
		m, diags := evalForEach(r.ForEach, ctx)
		keys := make([]instKey, 0, len(m))
		for _, k := range sortedKeys(m) {
			kv := cty.StringVal(k)
			s, _ := keySuffix(kv)
			keys = append(keys, instKey{s, kv, m[k]})
		}
		return keys, diags
	case r.Count != nil:
		n, diags := evalCount(r.Count, ctx)
		keys := make([]instKey, 0, n)
		for i := 0; i < n; i++ {
			kv := cty.NumberIntVal(int64(i))
			s, _ := keySuffix(kv)
			keys = append(keys, instKey{suffix: s, key: kv})
		}
		return keys, diags
	}
	return []instKey{{}}, nil
}

// iterContext is ctx with each (for_each) or count (count) of key k.
func iterContext(r *Resource, ctx *hcl.EvalContext, k instKey) *hcl.EvalContext {
	if k.key == cty.NilVal {
		return ctx
	}
	ictx := ctx.NewChild()
	if r.ForEach != nil {
		ictx.Variables = map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": k.key, "value": k.value})}
	} else {
		ictx.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": k.key})}
	}
	return ictx
}

// evalBlock expands a block into its instances (for_each, count) and
// evaluates each.
func (ev *evaluator) evalBlock(r *Resource) ([]*Instance, hcl.Diagnostics) {
	addr := r.Address()
	ctx := ev.ctxFor(addr)
	// An instance that names the instances it uses by computed keys
	// depends on those only; otherwise every instance has the same deps.
	perInstance := ev.c.computesKeys(addr)
	var deps []string
	if !perInstance {
		deps = ev.instanceDeps(addr, ctx)
	}
	if ev.lenient && ev.repetitionUnknown(r, ctx) {
		// Before the data sources are read, for_each or count may rest on
		// what they return: the block's instances are not known yet.
		ev.lenientUsed = true
		ev.values[addr] = cty.DynamicVal
		return nil, nil
	}
	keys, diags := expandKeys(r, ctx)
	if diags.HasErrors() {
		ev.values[addr] = cty.DynamicVal
		return nil, diags
	}
	// What nothing refers to needs no value (see refUse).
	referred := ev.c.use(addr).value
	var out []*Instance
	objs := map[string]cty.Value{}
	var tuple []cty.Value
	for _, k := range keys {
		ictx := iterContext(r, ctx, k)
		in, d := ev.evalInstance(r, ictx, addr+k.suffix)
		diags = append(diags, d...)
		var obj cty.Value
		if in == nil {
			obj = cty.DynamicVal
		} else {
			in.Key = k.key
			if perInstance {
				in.DependsOn = append(in.DependsOn, ev.instanceDeps(addr, ictx)...)
			} else {
				// Every instance of the block shares one list. Its
				// capacity is its length, so that adding to one
				// instance's list copies it.
				in.DependsOn = slices.Clip(deps)
			}
			if referred {
				obj = ev.instanceValue(in)
			}
			out = append(out, in)
			ev.instAddrs[addr] = append(ev.instAddrs[addr], in.Address)
			ev.instSet[in.Address] = true
		}
		if !referred {
			continue
		}
		if r.ForEach != nil {
			objs[k.key.AsString()] = obj
		}
		tuple = append(tuple, obj)
	}
	switch {
	case !referred:
	case r.ForEach != nil:
		ev.values[addr] = cty.ObjectVal(objs)
	case r.Count != nil:
		ev.values[addr] = cty.TupleVal(tuple)
	default:
		ev.values[addr] = tuple[0]
	}
	return out, diags
}

// repetitionUnknown says whether the block's for_each or count evaluates,
// without error, to a value not known yet.
func (ev *evaluator) repetitionUnknown(r *Resource, ctx *hcl.EvalContext) bool {
	expr := r.ForEach
	if expr == nil {
		expr = r.Count
	}
	if expr == nil {
		return false
	}
	v, diags := expr.Value(ctx)
	return !diags.HasErrors() && !v.IsWhollyKnown()
}

// instanceValue is what resource.NAME (or data.NAME, action.NAME) stands
// for in expressions: its id, its declared body and its live output.
func (ev *evaluator) instanceValue(in *Instance) cty.Value {
	id := cty.StringVal(in.ID)
	if in.Deferred {
		id = cty.UnknownVal(cty.String)
	}
	output := cty.DynamicVal
	if o, ok := ev.output(in.Address); ok && !in.Deferred && ev.c.use(in.Block).output {
		output = ev.outCache.convert(o)
		if len(in.Sensitive) > 0 {
			// What the block declares or computes as sensitive is
			// sensitive in what the service answers too (a tag holding a
			// sensitive variable, echoed back).
			output = markReadOutput(in, output)
		}
	}
	attrs := map[string]cty.Value{"id": id, "output": output}
	if in.Kind != KindData {
		attrs["body"] = in.Body
	}
	return cty.ObjectVal(attrs)
}

func evalForEach(expr hcl.Expression, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	bad := func(detail string) (map[string]cty.Value, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid for_each", Detail: detail, Subject: expr.Range().Ptr()}}
	}
	if v.IsMarked() {
		return bad("for_each may not use a sensitive value: its keys become part of the addresses shown in every plan.")
	}
	if !v.IsWhollyKnown() {
		return bad("for_each must be known when planning, and it depends on a value known only after apply. Use variables, locals or resource ids for its keys.")
	}
	if v.IsNull() {
		return bad("for_each is null: give it a map, or a set of strings.")
	}
	t := v.Type()
	out := map[string]cty.Value{}
	switch {
	case t.IsObjectType() || t.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			out[k.AsString()] = e
		}
	case t.IsSetType() || t.IsListType() || t.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			e, _ = e.Unmark()
			if e.IsNull() || e.Type() != cty.String {
				return bad("for_each over a set or list takes strings only; for other values, use a map whose keys name the instances.")
			}
			if _, dup := out[e.AsString()]; dup {
				return bad(fmt.Sprintf("for_each lists %q twice; each key names one instance.", e.AsString()))
			}
			out[e.AsString()] = e
		}
	default:
		return bad(fmt.Sprintf("for_each takes a map or a set of strings, not %s.", t.FriendlyName()))
	}
	return out, nil
}

func evalCount(expr hcl.Expression, ctx *hcl.EvalContext) (int, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return 0, diags
	}
	v, _ = v.Unmark()
	bad := func(detail string) (int, hcl.Diagnostics) {
		return 0, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid count", Detail: detail, Subject: expr.Range().Ptr()}}
	}
	if !v.IsKnown() {
		return bad("count must be known when planning, and it depends on a value known only after apply.")
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		return bad("count must be a whole number, 0 or more.")
	}
	bf := n.AsBigFloat()
	if !bf.IsInt() || bf.Sign() < 0 || bf.Cmp(big.NewFloat(10000)) > 0 {
		return bad(fmt.Sprintf("count must be a whole number from 0 to 10000, not %s.", bf.Text('g', -1)))
	}
	i, _ := bf.Int64()
	return int(i), nil
}

// evalInstance evaluates one instance of a block.
func (ev *evaluator) evalInstance(r *Resource, ctx *hcl.EvalContext, addr string) (*Instance, hcl.Diagnostics) {
	kind := r.kind()
	inst := &Instance{
		Address: addr, Name: r.Name, DeclRange: r.DeclRange, Body: cty.EmptyObjectVal,
		Kind: kind, Block: r.Address(), UpdateMethod: "PUT", UpdateBody: "merge",
	}
	var diags hcl.Diagnostics
	idv, d := r.ID.Value(ctx)
	diags = append(diags, d...)
	if !d.HasErrors() {
		var idMarks cty.ValueMarks
		idv, idMarks = idv.UnmarkDeep()
		switch {
		case len(idMarks) > 0:
			diags = append(diags, sensitiveSetting(r.ID, "id", "An ARM ID is part of every request's URL, every plan and log line, and the state: it cannot be secret."))
		case !idv.IsKnown() && (kind != KindResource || ev.lenient):
			inst.Deferred = true
			ev.lenientUsed = ev.lenientUsed || kind == KindResource
		case !idv.IsKnown():
			diags = append(diags, notKnown(r.ID, "id", "Use another resource's id (resource.NAME.id), which is known when planning, rather than its output."))
		case idv.IsNull() || idv.Type() != cty.String:
			diags = append(diags, wrongType(r.ID, "id", "a string, like \"/subscriptions/${var.subscription_id}/resourceGroups/demo\""))
		default:
			// One spelling of an ID everywhere after this (requests, plan,
			// state, resource.NAME.id): a trailing or doubled slash or a
			// keyword's casing is no change.
			raw := idv.AsString()
			inst.ID = armid.Canonical(raw)
			check := validateID
			if kind == KindAction || (kind == KindData && postsData(r, ctx)) {
				check = validateActionID
			}
			if err := check(raw); err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid resource ID",
					Detail:   err.Error() + ".",
					Subject:  r.ID.Range().Ptr(),
				})
			}
		}
	}
	av, avSensitive, d := evalStringMarked(r.APIVersion, ctx, "api_version")
	diags = append(diags, d...)
	inst.APIVersion = av
	if !d.HasErrors() && avSensitive {
		diags = append(diags, sensitiveSetting(r.APIVersion, "api_version", "An api-version is part of every request's URL and is printed in plans: it cannot be secret."))
	} else if !d.HasErrors() && !apiVersionPattern.MatchString(av) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid api_version",
			Detail:   fmt.Sprintf("%q is not an ARM api-version: it is a date, YYYY-MM-DD, optionally with -preview. Find a resource type's versions with `az provider show --namespace NAMESPACE`.", av),
			Subject:  r.APIVersion.Range().Ptr(),
		})
	}
	if r.Body != nil {
		v, d := r.Body.Value(ctx)
		diags = append(diags, d...)
		if !d.HasErrors() {
			uv, _ := v.Unmark()
			if uv.IsNull() || !(uv.Type().IsObjectType() || uv.Type().IsMapType() || !uv.IsKnown()) {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid body",
					Detail:   fmt.Sprintf("body must be an object, like { location = \"westus\" }, or jsondecode(file(\"body.json\")) of a JSON object; this is %s.", friendlyType(uv)),
					Subject:  r.Body.Range().Ptr(),
				})
			} else {
				inst.Body = v
			}
		}
	}
	diags = append(diags, ev.evalSettings(r, ctx, inst)...)
	if kind == KindData {
		diags = append(diags, evalReadMethod(r, ctx, inst)...)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return inst, diags
}

// evalSettings evaluates the block's other attributes into the instance.
func (ev *evaluator) evalSettings(r *Resource, ctx *hcl.EvalContext, inst *Instance) hcl.Diagnostics {
	var diags hcl.Diagnostics
	paths := func(name string) []string {
		a, ok := r.attrs[name]
		if !ok {
			return nil
		}
		p, d := evalPaths(a, ctx)
		diags = append(diags, d...)
		return p
	}
	if a, ok := r.attrs["update_method"]; ok {
		s, d := evalChoice(a, ctx, "update_method", `update_method is "PUT" (send the whole body, the default) or "PATCH" (send only what changed)`, "PUT", "PATCH")
		diags = append(diags, d...)
		if !d.HasErrors() {
			inst.UpdateMethod = s
		}
	}
	if a, ok := r.attrs["update_body"]; ok {
		s, d := evalChoice(a, ctx, "update_body", `update_body is "merge" (the default: the live body with the declared values laid over it, so what the configuration does not declare is kept) or "declared" (exactly the declared body: a full replacement that drops every undeclared live value)`, "merge", "declared")
		diags = append(diags, d...)
		if !d.HasErrors() {
			inst.UpdateBody = s
		}
	}
	inst.IgnoreChanges = append(paths("ignore_changes"), ev.c.Provider.IgnoreChanges...)
	inst.ReplaceOnChanges = paths("replace_on_changes")
	inst.UpdateInPlace = paths("update_in_place")
	inst.Unordered = paths("unordered")
	declared := paths("sensitive")
	if a, ok := r.attrs["prevent_destroy"]; ok {
		b, d := evalBool(a, ctx)
		diags = append(diags, d...)
		inst.PreventDestroy = b
	}
	if a, ok := r.attrs["create_before_destroy"]; ok {
		b, d := evalBool(a, ctx)
		diags = append(diags, d...)
		inst.CreateBeforeDestroy = b
	}
	if a, ok := r.attrs["delete_unmanaged_contents"]; ok {
		b, d := evalBool(a, ctx)
		diags = append(diags, d...)
		inst.DeleteUnmanagedContents = b
	}
	if a, ok := r.attrs["array_keys"]; ok {
		inst.ArrayKeys, diags = evalArrayKeys(a, ctx, diags)
	}
	if a, ok := r.attrs["when"]; ok {
		s, d := evalChoice(a, ctx, "when", `when is "create" (POST once, after what the action depends on is created) or "every_apply"`, "create", "every_apply")
		diags = append(diags, d...)
		inst.When = s
	} else if inst.Kind == KindAction {
		inst.When = "create"
	}
	for name, dst := range map[string]*time.Duration{
		"create": &inst.Timeouts.Create, "update": &inst.Timeouts.Update,
		"delete": &inst.Timeouts.Delete, "read": &inst.Timeouts.Read,
	} {
		a, ok := r.timeouts[name]
		if !ok {
			continue
		}
		s, d := evalString(a.Expr, ctx, name)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		dur, err := time.ParseDuration(s)
		if err != nil || dur <= 0 {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid timeout",
				Detail:   fmt.Sprintf("%s = %q is not a duration: write it like \"30m\", \"1h30m\" or \"90s\".", name, s),
				Subject:  a.Expr.Range().Ptr(),
			})
			continue
		}
		*dst = dur
	}
	retry, d := evalRetry(r.retry, ctx)
	diags = append(diags, d...)
	inst.Retry = retry
	inst.Body, inst.Sensitive = markSensitive(inst.ID, inst.Body, declared)
	return diags
}

func evalArrayKeys(a *hcl.Attribute, ctx *hcl.EvalContext, diags hcl.Diagnostics) (map[string]string, hcl.Diagnostics) {
	v, d := a.Expr.Value(ctx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return nil, diags
	}
	v, _ = v.UnmarkDeep()
	m, err := convert.Convert(v, cty.Map(cty.String))
	if err != nil || !m.IsWhollyKnown() || m.IsNull() {
		return nil, append(diags, wrongType(a.Expr, "array_keys", "a map from array path to the field that identifies its elements, like { \"properties.securityRules\" = \"name\" }"))
	}
	out := map[string]string{}
	for k, e := range m.AsValueMap() {
		if _, err := bodypath.Parse(k); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid path in array_keys",
				Detail:   err.Error() + ".",
				Subject:  a.Expr.Range().Ptr(),
			})
		}
		out[k] = e.AsString()
	}
	return out, diags
}

// evalChoice evaluates a string attribute that must be one of choices,
// compared without case, and returns the choice as it is spelled there.
// explain says what each choice means; the error quotes the value given.
func evalChoice(a *hcl.Attribute, ctx *hcl.EvalContext, name, explain string, choices ...string) (string, hcl.Diagnostics) {
	s, diags := evalString(a.Expr, ctx, name)
	if diags.HasErrors() {
		return s, diags
	}
	for _, c := range choices {
		if strings.EqualFold(s, c) {
			return c, diags
		}
	}
	return s, append(diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + name,
		Detail:   fmt.Sprintf("%s, not %q.", explain, s),
		Subject:  a.Expr.Range().Ptr(),
	})
}
