package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/limits"
)

const nestingHead = `
resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
`

// TestNestingBound: an HCL expression, a variables file, a --var value and
// a jsondecode'd document nested deeper than limits.MaxDepth are errors that
// name the file and line, found before anything recurses through them (the
// 20,000-deep expression below would otherwise take gigabytes); one just
// within the bound, and the deepest real ARM body, are read.
func TestNestingBound(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }
	deepJSON := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	tests := []struct {
		name  string
		files map[string]string
		vars  map[string]string
		want  string // "" when it loads and evaluates
	}{
		{"expression 20,000 deep", map[string]string{"main.hcl": nestingHead + "  body = { tags = { x = jsonencode(" + nested(20000) + ") } }\n}\n"}, nil, "main.hcl line 5"},
		{"parentheses and templates", map[string]string{"main.hcl": nestingHead + "  body = { tags = { x = \"" + strings.Repeat("${(", 40) + "1" + strings.Repeat(")}", 40) + "\" } }\n}\n"}, nil, "main.hcl line 5"},
		{"within the bound", map[string]string{"main.hcl": nestingHead + "  body = { tags = { x = jsonencode(" + nested(limits.MaxDepth-6) + ") } }\n}\n"}, nil, ""},
		{"JSON configuration file", map[string]string{"main.hcl": nestingHead + "}\n", "extra.hcl.json": `{"locals": ` + deepJSON(100) + `}`}, nil, "extra.hcl.json line 1"},
		{"jsondecode", map[string]string{"main.hcl": nestingHead + "  body = jsondecode(file(\"deep.json\"))\n}\n", "deep.json": deepJSON(5000)}, nil, "main.hcl line 5"},
		{"jsondecode within the bound", map[string]string{"main.hcl": nestingHead + "  body = jsondecode(file(\"deep.json\"))\n}\n", "deep.json": deepJSON(limits.MaxDepth)}, nil, ""},
		{"variables file", map[string]string{"main.hcl": "variable \"v\" {}\n" + nestingHead + "}\n", "values.auto.hcl": "v = " + nested(1000) + "\n"}, nil, "Nested too deeply"},
		{"--var", map[string]string{"main.hcl": "variable \"v\" {\n  type = list(any)\n}\n" + nestingHead + "}\n"}, map[string]string{"v": nested(1000)}, "nests deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			cfg, diags := Load(dir, LoadOptions{Vars: tt.vars})
			if !diags.HasErrors() {
				_, diags = cfg.EvaluateAll(nil)
			}
			text := diagText(cfg, diags)
			if tt.want == "" {
				if diags.HasErrors() {
					t.Fatalf("a body within the bound is refused:\n%s", text)
				}
				return
			}
			if !diags.HasErrors() || !strings.Contains(text, tt.want) {
				t.Errorf("want an error with %q, got:\n%s", tt.want, text)
			}
		})
	}
}

// TestDeepestARMExampleReads: the deepest real ARM body of the examples
// reads through jsondecode(file()), with room to spare.
func TestDeepestARMExampleReads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "arm-examples", "cases", "Microsoft.Compute__virtualMachineScaleSets__2024-11-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Body json.RawMessage `json:"put_request_body"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	cfg := mustLoad(t, map[string]string{"main.hcl": nestingHead + "  body = jsondecode(file(\"body.json\"))\n}\n", "body.json": string(c.Body)}, LoadOptions{})
	in := mustEval(t, cfg, nil).Resources()[0]
	if d := valueDepth(in.Body, 0); d < 10 || d > limits.MaxDepth/4 {
		t.Errorf("the deepest example nests %d levels: the bound of %d no longer leaves room, or the example changed", d, limits.MaxDepth)
	}
}
