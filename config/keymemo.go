package config

import (
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// keyMemo keeps the values of a block use's computed keys that depend on
// nothing but the referring instance's count.index or each.key (and, in
// the root module, variables, which never change): resource.rg[format(
// "rg%04d", count.index % 20)] has one value per instance, yet picking the
// instances an instance names evaluated it at every evaluation of the
// instance, and cty's arithmetic on big numbers made that a tenth of the
// cost of evaluating it again during apply. Values are kept by key and by
// count.index or each.key, for the life of the configuration.
type keyMemo struct {
	// memoable says, by key, whether its value may be kept.
	memoable []bool
	mu       sync.Mutex
	values   map[memoKey]cty.Value
}

type memoKey struct {
	key  int
	iter string
}

// newKeyMemo returns the memo of keys in scope, or nil when no key can be
// kept.
func newKeyMemo(keys []hcl.Expression, scope string) *keyMemo {
	m := &keyMemo{memoable: make([]bool, len(keys))}
	some := false
	for i, k := range keys {
		m.memoable[i] = iterationOnly(k, scope)
		some = some || m.memoable[i]
	}
	if !some {
		return nil
	}
	return m
}

// iterationOnly says whether key refers to nothing but count, each.key and,
// in the root module (scope ""), var.
func iterationOnly(key hcl.Expression, scope string) bool {
	for _, tr := range key.Variables() {
		switch tr.RootName() {
		case "count":
		case "each":
			if len(tr) < 2 {
				return false
			}
			if a, ok := tr[1].(hcl.TraverseAttr); !ok || a.Name != "key" {
				return false
			}
		case "var":
			if scope != "" {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// value is the value of key i, expr, in ctx, and whether it evaluated
// without errors.
func (m *keyMemo) value(i int, expr hcl.Expression, ctx *hcl.EvalContext) (cty.Value, bool) {
	if m == nil || !m.memoable[i] {
		k, diags := expr.Value(ctx)
		return k, !diags.HasErrors()
	}
	mk := memoKey{key: i, iter: iteration(ctx)}
	m.mu.Lock()
	k, ok := m.values[mk]
	m.mu.Unlock()
	if ok {
		return k, true
	}
	k, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return k, false
	}
	m.mu.Lock()
	if m.values == nil {
		m.values = map[memoKey]cty.Value{}
	}
	m.values[mk] = k
	m.mu.Unlock()
	return k, true
}

// iteration names the instance ctx is of: "#" and its count.index, "@"
// and its each.key, or "" when it has neither.
func iteration(ctx *hcl.EvalContext) string {
	if c, ok := ctx.Variables["count"]; ok && c.Type().IsObjectType() && c.Type().HasAttribute("index") {
		if i := c.GetAttr("index"); i.IsKnown() && !i.IsNull() && i.Type() == cty.Number {
			n, _ := i.AsBigFloat().Int64()
			return "#" + strconv.FormatInt(n, 10)
		}
	}
	if e, ok := ctx.Variables["each"]; ok && e.Type().IsObjectType() && e.Type().HasAttribute("key") {
		if k := e.GetAttr("key"); k.IsKnown() && !k.IsNull() && k.Type() == cty.String {
			return "@" + k.AsString()
		}
	}
	return ""
}
