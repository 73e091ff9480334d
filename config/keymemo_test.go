package config

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func TestIterationOnlyKeys(t *testing.T) {
	for _, tc := range []struct {
		key   string
		scope string
		want  bool
	}{
		{`format("rg%04d", count.index % 20)`, "", true},
		{`each.key`, "", true},
		{`"a-${each.key}"`, "module.m.", true},
		{`var.prefix`, "", true},
		{`var.prefix`, "module.m.", false},
		{`each.value.name`, "", false},
		{`each`, "", false},
		{`local.names[count.index]`, "", false},
		{`path.module`, "", false},
		{`"fixed"`, "", true},
	} {
		expr, diags := hclsyntax.ParseExpression([]byte(tc.key), "k.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if got := iterationOnly(expr, tc.scope); got != tc.want {
			t.Errorf("iterationOnly(%s) in %q = %v, want %v", tc.key, tc.scope, got, tc.want)
		}
	}
}

// TestKeyMemoKeepsOneValuePerInstance: a key kept for one count.index or
// each.key is never given for another, and a key that did not evaluate
// is not kept.
func TestKeyMemoKeepsOneValuePerInstance(t *testing.T) {
	parse := func(src string) hcl.Expression {
		e, diags := hclsyntax.ParseExpression([]byte(src), "k.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return e
	}
	keys := []hcl.Expression{parse(`"rg${count.index % 3}"`), parse(`local.x`), parse(`"e-${each.key}"`)}
	m := newKeyMemo(keys, "")
	if m == nil || !m.memoable[0] || m.memoable[1] || !m.memoable[2] {
		t.Fatalf("memoable = %v", m)
	}
	countCtx := func(i int64) *hcl.EvalContext {
		return &hcl.EvalContext{Variables: map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})}}
	}
	for round := range 2 {
		for i, want := range []string{"rg0", "rg1", "rg2", "rg0", "rg1"} {
			got, ok := m.value(0, keys[0], countCtx(int64(i)))
			if !ok || got.AsString() != want {
				t.Errorf("round %d, count.index %d: %#v, %v; want %s", round, i, got, ok, want)
			}
		}
	}
	for _, k := range []string{"a", "b", "a"} {
		ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": cty.StringVal("v")})}}
		got, ok := m.value(2, keys[2], ctx)
		if !ok || got.AsString() != "e-"+k {
			t.Errorf("each.key %s: %#v, %v", k, got, ok)
		}
	}
	// Without count in its context the key does not evaluate: not kept.
	if _, ok := m.value(0, keys[0], &hcl.EvalContext{}); ok {
		t.Error("a key without count.index in its context evaluated")
	}
	if _, kept := m.values[memoKey{key: 0, iter: ""}]; kept {
		t.Error("a key that did not evaluate was kept")
	}
	if n := len(m.values); n != 7 {
		t.Errorf("%d values kept, want 7 (5 indexes, 2 keys)", n)
	}
}
