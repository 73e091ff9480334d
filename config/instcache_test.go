package config

import (
	"math/rand/v2"
	"testing"
)

// TestEvaluatorAcrossCallsProperty keeps one Evaluator per configuration
// while outputs become known and change, as they do during an apply: at
// each step every instance it gives must be the one EvaluateAll gives with
// the outputs of that step. The instances an Evaluator keeps between calls
// must never answer for outputs that have changed since.
func TestEvaluatorAcrossCallsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 2026))
	compared, reused := 0, 0
	for i := range 60 {
		src := randomConfig(rng)
		cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{})
		if diags.HasErrors() {
			t.Fatalf("config %d does not load:\n%s\n%s", i, src, diagText(cfg, diags))
		}
		all := allOutputs(t, cfg)
		e := cfg.NewEvaluator()
		now := map[string]any{}
		for step := range 4 {
			for addr, o := range all {
				switch rng.IntN(4) {
				case 0: // becomes known, or stays as it was
					if _, ok := now[addr]; !ok {
						now[addr] = o
					}
				case 1: // written again: a new map, other values
					now[addr] = changed(o.(map[string]any), step)
				case 2: // written again with the same values
					if prev, ok := now[addr].(map[string]any); ok {
						now[addr] = copyMap(prev)
					}
				}
			}
			full, diags := cfg.EvaluateAll(now)
			if diags.HasErrors() {
				continue
			}
			lookup := func(a string) (any, bool) { o, ok := now[a]; return o, ok }
			for _, j := range rng.Perm(len(full.Instances)) {
				want := full.Instances[j]
				got, diags := e.Instance(want.Address, lookup)
				if diags.HasErrors() {
					t.Fatalf("config %d step %d, %s: %s\n%s", i, step, want.Address, diagText(cfg, diags), src)
				}
				if d := instanceDiff(got, want); d != "" {
					t.Fatalf("config %d step %d, %s: %s\n%s", i, step, want.Address, d, src)
				}
				compared++
			}
		}
		reused += len(e.referred.entries)
	}
	t.Logf("%d instances compared, %d kept between calls", compared, reused)
	if compared < 200 || reused == 0 {
		t.Fatalf("only %d instances compared and %d kept: the test no longer exercises the cache", compared, reused)
	}
}

// changed is o with its values changed for step, as a new map.
func changed(o map[string]any, step int) map[string]any {
	c := copyMap(o)
	props := copyMap(o["properties"].(map[string]any))
	props["resourceGuid"] = props["resourceGuid"].(string) + "-" + string(rune('a'+step))
	c["properties"] = props
	c["name"] = o["name"].(string) + "-" + string(rune('a'+step))
	return c
}

func copyMap(m map[string]any) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// TestKeptInstanceKeepsItsErrors: an instance evaluated on top of a local
// that failed earlier in the same call is not kept, so a later call with
// the same outputs reports the error as a fresh Evaluator does.
func TestKeptInstanceKeepsItsErrors(t *testing.T) {
	src := `
locals {
  l = tonumber(resource.a.output.properties.n)
}
resource "a" {
  id          = "` + sub + `/resourceGroups/a"
  api_version = "2021-04-01"
  body        = {}
}
resource "b" {
  id          = "` + sub + `/resourceGroups/b"
  api_version = "2021-04-01"
  body        = { v = local.l }
}
resource "t1" {
  id          = "` + sub + `/resourceGroups/t1"
  api_version = "2021-04-01"
  body        = { x = local.l, y = resource.b.body }
}
resource "t2" {
  id          = "` + sub + `/resourceGroups/t2"
  api_version = "2021-04-01"
  body        = { y = resource.b.body }
}
`
	cfg, diags := Load(writeDir(t, map[string]string{"main.hcl": src}), LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	outs := map[string]any{"resource.a": map[string]any{"id": sub + "/resourceGroups/a", "properties": map[string]any{"n": "not a number"}}}
	lookup := func(a string) (any, bool) { o, ok := outs[a]; return o, ok }
	if _, fresh := cfg.NewEvaluator().Instance("resource.t2", lookup); !fresh.HasErrors() {
		t.Fatal("a fresh Evaluator found no error in t2")
	}
	e := cfg.NewEvaluator()
	if _, d := e.Instance("resource.t1", lookup); !d.HasErrors() {
		t.Fatal("t1: no error")
	}
	if in, d := e.Instance("resource.t2", lookup); !d.HasErrors() {
		t.Fatalf("t2 after t1, with the same outputs: no error, body %s", in.Body.GoString())
	}
}
