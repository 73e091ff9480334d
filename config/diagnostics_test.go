package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// diagCaseOptions are the command-line inputs of the cases that need them.
var diagCaseOptions = map[string]LoadOptions{
	"variable_wrong_type": {
		Args: []VarArg{{Name: "replicas", Value: "three"}, {Name: "tags", Value: "[1"}, {Name: "location", Value: "mars"}, {Name: "nosuch", Value: "x"}},
	},
	"var_file_bad": {Args: []VarArg{{File: "testdata/diags/var_file_bad/prod.vars"}}},
}

// TestDiagnosticsGolden loads each configuration under testdata/diags, all
// of them wrong in some way, and compares the diagnostics, as
// WriteDiagnostics prints them, with testdata/diags/NAME.golden. Run with
// -update to rewrite.
func TestDiagnosticsGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/diags/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			got, diags := renderDiags(t, dir, diagCaseOptions[name])
			if !diags.HasErrors() {
				t.Fatalf("no error for a bad configuration; got:\n%s", got)
			}
			golden := dir + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./config -run TestDiagnosticsGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s (rerun with -update if the change is right):\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// renderDiags loads dir, as azapply validate does, and prints the
// diagnostics.
func renderDiags(t *testing.T, dir string, opts LoadOptions) (string, hcl.Diagnostics) {
	t.Helper()
	cfg, diags := Load(dir, opts)
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, cfg.Files(), diags, 100, false); err != nil {
		t.Fatal(err)
	}
	return buf.String(), diags
}

func TestSecretsNeverInDiagnostics(t *testing.T) {
	got, _ := renderDiags(t, "testdata/diags/provider_secret", LoadOptions{})
	if strings.Contains(got, "s3cr3t") {
		t.Errorf("the client secret appears in the diagnostics:\n%s", got)
	}
	if !strings.Contains(got, "client_secret (testdata/diags/provider_secret/main.hcl:5)") {
		t.Errorf("the diagnostic does not say where client_secret is:\n%s", got)
	}
}

func TestWriteDiagnosticsColourAndWrap(t *testing.T) {
	cfg, diags := Load("testdata/diags/many_problems", LoadOptions{})
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, cfg.Files(), diags[:1], 40, true); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{"\x1b[1;31mError\x1b[0m", "\x1b[1;4m\"/subscriptions/", "main.hcl:7:17"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "^^^") {
		t.Errorf("carets in colour output:\n%s", got)
	}
	if wrap("aaa bbb ccc", 7) != "aaa bbb\nccc" || wrap("  kept as it is, however long", 5) != "  kept as it is, however long" {
		t.Errorf("wrap: %q", wrap("aaa bbb ccc", 7))
	}
}
