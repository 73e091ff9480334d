package config

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestFirstEvaluationIsEvaluateAll: the first EvaluateAll with no outputs
// gives Load's evaluation instead of evaluating again; it must be exactly
// what evaluating again gives, for every example and for generated
// configurations, and given once only.
func TestFirstEvaluationIsEvaluateAll(t *testing.T) {
	var cfgs []*Config
	dirs, _ := filepath.Glob("../examples/*")
	for _, dir := range dirs {
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) == 0 {
			continue
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		cfg, diags := Load(dir, LoadOptions{Vars: exampleVars[filepath.Base(dir)]})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", dir, diagText(cfg, diags))
		}
		cfgs = append(cfgs, cfg)
	}
	rng := rand.New(rand.NewPCG(3, 2026))
	for range 40 {
		src := randomConfig(rng)
		cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{})
		if diags.HasErrors() {
			t.Fatalf("does not load:\n%s\n%s", src, diagText(cfg, diags))
		}
		cfgs = append(cfgs, cfg)
	}
	kept := 0
	for _, cfg := range cfgs {
		if cfg.first.Load() != nil {
			kept++
		}
		first, d1 := cfg.EvaluateAll(nil)
		if cfg.first.Load() != nil {
			t.Fatalf("%s: Load's evaluation was given and is still kept", cfg.Dir)
		}
		again, d2 := cfg.EvaluateAll(map[string]any{})
		if d1.HasErrors() != d2.HasErrors() || len(d1) != len(d2) {
			t.Fatalf("%s: diagnostics differ: %v, then %v", cfg.Dir, d1, d2)
		}
		if d1.HasErrors() {
			continue
		}
		if first == again || len(first.Instances) != len(again.Instances) || len(first.Outputs) != len(again.Outputs) {
			t.Fatalf("%s: %d instances, then %d", cfg.Dir, len(first.Instances), len(again.Instances))
		}
		for i, want := range again.Instances {
			got := first.Instances[i]
			if got.Address != want.Address {
				t.Fatalf("%s: instance %d is %s, then %s", cfg.Dir, i, got.Address, want.Address)
			}
			if d := instanceDiff(got, want); d != "" {
				t.Fatalf("%s, %s: %s", cfg.Dir, got.Address, d)
			}
			if !sameStrings(got.DependsOn, want.DependsOn) {
				t.Fatalf("%s, %s: depends on %v, then %v", cfg.Dir, got.Address, got.DependsOn, want.DependsOn)
			}
		}
		for i, o := range again.Outputs {
			if o.Name != first.Outputs[i].Name || !o.Value.RawEquals(first.Outputs[i].Value) {
				t.Fatalf("%s: output %s differs", cfg.Dir, o.Name)
			}
		}
	}
	if kept < len(cfgs)/2 {
		t.Fatalf("Load kept its evaluation for %d of %d configurations only", kept, len(cfgs))
	}
}

// TestFirstEvaluationNotGivenWhenLeniencyMattered: a resource ID made
// from a data source's output is deferred by Load's lenient evaluation;
// EvaluateAll must evaluate, and refuse it, not hand Load's on.
func TestFirstEvaluationNotGivenWhenLeniencyMattered(t *testing.T) {
	cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": `
data "sub" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000"
  api_version = "2022-12-01"
}
resource "rg" {
  id          = "${data.sub.output.id}/resourceGroups/rg"
  api_version = "2021-04-01"
  body        = { location = "westeurope" }
}
`}), LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if cfg.first.Load() != nil {
		t.Fatal("Load kept an evaluation that deferred a resource's unknown id")
	}
	if _, diags := cfg.EvaluateAll(nil); !diags.HasErrors() {
		t.Fatal("EvaluateAll accepted a resource id known only from a data source not read")
	}
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
