package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestMovesChain: moves chain as Terraform's do. A state at a with
// a → b and b → c ends at c, in either order of the blocks; a module
// move followed by a resource move inside it chains too; each block
// applies once, so a cycle cannot loop.
func TestMovesChain(t *testing.T) {
	ab := &Moved{From: "resource.a", To: "resource.b"}
	bc := &Moved{From: "resource.b", To: "module.m.resource.c"}
	for _, tt := range []struct {
		name     string
		moved    []*Moved
		recorded []string
		want     map[string]string
	}{
		{"in order", []*Moved{ab, bc}, []string{"resource.a"}, map[string]string{"resource.a": "module.m.resource.c"}},
		{"in reverse order", []*Moved{bc, ab}, []string{"resource.a"}, map[string]string{"resource.a": "module.m.resource.c"}},
		{"a state already at b", []*Moved{bc, ab}, []string{"resource.b"}, map[string]string{"resource.b": "module.m.resource.c"}},
		{"instances", []*Moved{{From: "resource.s", To: "resource.t"}, {From: "resource.t", To: "module.n.resource.t"}},
			[]string{`resource.s["x"]`}, map[string]string{`resource.s["x"]`: `module.n.resource.t["x"]`}},
		{"a module, then a resource in it", []*Moved{{From: "module.new.resource.x", To: "resource.y"}, {From: "module.old", To: "module.new"}},
			[]string{"module.old.resource.x"}, map[string]string{"module.old.resource.x": "resource.y"}},
		{"a cycle ends", []*Moved{{From: "resource.p", To: "resource.q"}, {From: "resource.q", To: "resource.p"}},
			[]string{"resource.p"}, map[string]string{}},
	} {
		if got := MoveAddresses(tt.moved, tt.recorded); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: MoveAddresses = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestMovedChainBlocks: in a chain, the address in the middle need not be
// declared, only the end; an end nobody declares, and a cycle, are
// errors naming the chain.
func TestMovedChainBlocks(t *testing.T) {
	mod := map[string]string{"m/main.hcl": "resource \"c\" {\n  id = \"" + sub + "/resourceGroups/c\"\n  api_version = \"2021-04-01\"\n}"}
	head := "module \"m\" {\n  source = \"./m\"\n}\n"
	moved := func(from, to string) string { return "moved {\n  from = " + from + "\n  to   = " + to + "\n}\n" }

	cfg := mustLoad(t, withRoot(head+moved("resource.b", "module.m.resource.c")+moved("resource.a", "resource.b"), mod), LoadOptions{})
	if got := MoveAddresses(cfg.Moved, []string{"resource.a"}); got["resource.a"] != "module.m.resource.c" {
		t.Errorf("a chain of blocks: %v", got)
	}
	for _, tt := range []struct{ name, body, want string }{
		{"the end undeclared", moved("resource.a", "resource.b") + moved("resource.b", "module.m.resource.nope"),
			"to names module.m.resource.nope (where the moves resource.a → resource.b → module.m.resource.nope end), which the configuration does not declare"},
		{"a cycle", moved("resource.a", "resource.b") + moved("resource.b", "resource.a"),
			"form a cycle (resource.a → resource.b → resource.a)"},
	} {
		_, diags := Load(writeDir(t, withRoot(head+tt.body, mod)), LoadOptions{})
		if !strings.Contains(diags.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, diags, tt.want)
		}
	}
}
