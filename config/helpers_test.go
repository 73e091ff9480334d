package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// writeDir writes files (name → content) to a new temporary directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mustLoad loads files and fails the test on any error diagnostic.
func mustLoad(t *testing.T, files map[string]string, opts LoadOptions) *Config {
	t.Helper()
	cfg, diags := Load(writeDir(t, files), opts)
	if diags.HasErrors() {
		t.Fatalf("Load: %s", diagText(cfg, diags))
	}
	return cfg
}

// mustEval evaluates cfg and fails the test on any error diagnostic.
func mustEval(t *testing.T, cfg *Config, outputs map[string]any) *Evaluation {
	t.Helper()
	ev, diags := cfg.EvaluateAll(outputs)
	if diags.HasErrors() {
		t.Fatalf("EvaluateAll: %s", diagText(cfg, diags))
	}
	return ev
}

func diagText(cfg *Config, diags hcl.Diagnostics) string {
	var buf bytes.Buffer
	var files map[string]*hcl.File
	if cfg != nil {
		files = cfg.Files()
	}
	_ = hcl.NewDiagnosticTextWriter(&buf, files, 100, false).WriteDiagnostics(diags)
	return buf.String()
}

// jsonOf renders a body as compact JSON, with unknowns as their string.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func addresses(insts []*Instance) []string {
	out := make([]string, len(insts))
	for i, in := range insts {
		out[i] = in.Address
	}
	return out
}

func byAddress(t *testing.T, insts []*Instance, addr string) *Instance {
	t.Helper()
	for _, in := range insts {
		if in.Address == addr {
			return in
		}
	}
	t.Fatalf("no instance %s among %v", addr, addresses(insts))
	return nil
}

const sub = "/subscriptions/00000000-0000-0000-0000-000000000000"
