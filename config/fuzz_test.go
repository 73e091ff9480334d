package config

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary text to the loader as a configuration file and
// evaluates what loads: whatever the input, Load and EvaluateAll return
// diagnostics, which WriteDiagnostics prints, and never panic. The seed
// corpus is every configuration under testdata plus the examples, and
// testdata/fuzz keeps the inputs that once failed; run it with
// go test ./config -run XXX -fuzz FuzzLoad -fuzztime 60s.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/diags/*/*.hcl")
	more, _ := filepath.Glob("../examples/*/*.hcl")
	for _, p := range append(seeds, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b), false)
		}
	}
	f.Add(`{"resource": {"rg": {"id": "/subscriptions/x/resourceGroups/y", "api_version": "2021-04-01"}}}`, true)
	f.Add(`resource "a" {
  for_each    = { x = 1 }
  id          = "/subscriptions/s/resourceGroups/${each.key}"
  api_version = "2021-04-01"
  sensitive   = ["properties[\"a.b\"][*]"]
  body        = { properties = { password = "p", list = [{ key = "k" }] } }
}`, false)
	f.Fuzz(func(t *testing.T, src string, asJSON bool) {
		dir := t.TempDir()
		name := "main.hcl"
		if asJSON {
			name = "main.hcl.json"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(dir, LoadOptions{})
		if cfg == nil {
			t.Fatal("Load returned no Config")
		}
		ev, d := cfg.EvaluateAll(nil)
		if !diags.HasErrors() && !d.HasErrors() && ev == nil {
			t.Fatal("EvaluateAll returned neither an evaluation nor an error")
		}
		all := append(diags, d...)
		for _, x := range all {
			if x.Summary == "" {
				t.Errorf("a diagnostic without a summary: %+v", x)
			}
		}
		if err := WriteDiagnostics(io.Discard, cfg.Files(), all, 80, false); err != nil {
			t.Fatal(err)
		}
	})
}
