package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestMoveAddresses(t *testing.T) {
	moved := []*Moved{
		{From: "resource.a", To: "module.app.resource.a"},
		{From: `resource.sub[0]`, To: `resource.sub["app"]`},
		{From: "resource.many", To: `module.net["x"].resource.many`},
		{From: "module.old", To: "module.new"},
		{From: `module.one["a"]`, To: `module.two`},
	}
	recorded := []string{
		"resource.a", `resource.sub[0]`, `resource.sub[1]`, `resource.many["p"]`, `resource.many["q"]`,
		"module.old.resource.x", `module.old["k"].resource.y`, `module.one["a"].module.in.resource.z`,
		"resource.kept", "module.older.resource.w",
	}
	got := MoveAddresses(moved, recorded)
	want := map[string]string{
		"resource.a":                           "module.app.resource.a",
		`resource.sub[0]`:                      `resource.sub["app"]`,
		`resource.many["p"]`:                   `module.net["x"].resource.many["p"]`,
		`resource.many["q"]`:                   `module.net["x"].resource.many["q"]`,
		"module.old.resource.x":                "module.new.resource.x",
		`module.old["k"].resource.y`:           `module.new["k"].resource.y`,
		`module.one["a"].module.in.resource.z`: "module.two.module.in.resource.z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MoveAddresses =\n%v\nwant\n%v", got, want)
	}
	// A move onto an address the state records already is left out.
	if got := MoveAddresses(moved[:1], []string{"resource.a", "module.app.resource.a"}); len(got) != 0 {
		t.Errorf("moved onto a recorded address: %v", got)
	}
	// Two records that chains would take to one address both stay: moving
	// them would keep one and lose the other.
	for name, tc := range map[string]struct {
		moved    []*Moved
		recorded []string
	}{
		"a chain with both ends recorded": {
			moved:    []*Moved{{From: "resource.a", To: "resource.b"}, {From: "resource.b", To: "resource.c"}},
			recorded: []string{"resource.a", "resource.b"},
		},
		"a module move and a resource move": {
			moved:    []*Moved{{From: "module.x", To: "module.y"}, {From: "module.y.resource.r", To: "resource.r"}},
			recorded: []string{"module.x.resource.r", "module.y.resource.r"},
		},
	} {
		if got := MoveAddresses(tc.moved, tc.recorded); len(got) != 0 {
			t.Errorf("%s: MoveAddresses = %v, want no move", name, got)
		}
	}
}

func TestMovedBlocks(t *testing.T) {
	mod := map[string]string{"m/main.hcl": "resource \"a\" {\n  id = \"" + sub + "/resourceGroups/a\"\n  api_version = \"2021-04-01\"\n}"}
	cfg := mustLoad(t, withRoot("module \"m\" {\n  source = \"./m\"\n}\nmoved {\n  from = resource.a\n  to   = module.m.resource.a\n}\nmoved {\n  from = module.old\n  to   = module.m\n}", mod), LoadOptions{})
	if len(cfg.Moved) != 2 || cfg.Moved[0].From != "resource.a" || cfg.Moved[0].To != "module.m.resource.a" || cfg.Moved[1].To != "module.m" {
		t.Fatalf("moved = %+v", cfg.Moved)
	}
	for _, tt := range []struct{ body, want string }{
		{"from = resource.a\n  to = module.m.resource.nope", "does not declare"},
		{"from = resource.a\n  to = module.m", "not the same kind"},
		{"from = resource.a[0]\n  to = module.m.resource.a", "both name one instance"},
		{"from = \"resource.a\"\n  to = module.m.resource.a", "address without quotes"},
		{"from = module.m.resource.a\n  to = module.m.resource.a", "two different addresses"},
		{"from = resource.a\n  to = module.m.resource.a\n}\nmoved {\n  from = resource.b\n  to = module.m.resource.a", "two records cannot move to one address"},
	} {
		_, diags := Load(writeDir(t, withRoot("module \"m\" {\n  source = \"./m\"\n}\nmoved {\n  "+tt.body+"\n}", mod)), LoadOptions{})
		if !strings.Contains(diags.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.body, diags, tt.want)
		}
	}
}

func TestImportAndRemovedInModules(t *testing.T) {
	mod := map[string]string{"m/main.hcl": "resource \"a\" {\n  id = \"" + sub + "/resourceGroups/a\"\n  api_version = \"2021-04-01\"\n}"}
	cfg := mustLoad(t, withRoot("module \"m\" {\n  source = \"./m\"\n}\nimport {\n  to = module.m.resource.a\n  id = \""+sub+"/resourceGroups/a\"\n}\nremoved {\n  from = module.gone.resource.b\n  destroy = false\n}", mod), LoadOptions{})
	if cfg.Imports[0].To != "module.m.resource.a" || cfg.Removed[0].From != "module.gone.resource.b" {
		t.Errorf("import %s, removed %s", cfg.Imports[0].To, cfg.Removed[0].From)
	}
	_, diags := Load(writeDir(t, withRoot("module \"m\" {\n  source = \"./m\"\n}\nimport {\n  to = module.m.resource.nope\n  id = \""+sub+"/resourceGroups/a\"\n}", mod)), LoadOptions{})
	if !strings.Contains(diags.Error(), "Import into an undeclared resource") {
		t.Errorf("import into nothing: %v", diags)
	}
}
