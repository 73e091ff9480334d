package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
)

// TestExportCommandWritesAndRefusesToOverwrite: export writes a file per
// group and the provider block, refuses to overwrite them without --force,
// and refuses a call that names nothing to export.
func TestExportCommandWritesAndRefusesToOverwrite(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "network"))
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	out := filepath.Join(t.TempDir(), "adopted")

	r := azapply(t, dir, "export", "--out", out)
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "say what to export") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused export created %s", out)
	}

	r = azapply(t, dir, "export", "--resource-group", "network-demo", "--out", out)
	r.mustExit(t, exitOK)
	r.mustContain(t, "Exported 10 resources into "+out+": network-demo.hcl, provider.hcl.")
	main, err := os.ReadFile(filepath.Join(out, "network-demo.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(main), `resource "demo-vnet" {`) || !strings.Contains(string(main), "to = resource.demo-vnet") {
		t.Errorf("network-demo.hcl:\n%s", main)
	}

	// Again: the files exist.
	if err := os.WriteFile(filepath.Join(out, "network-demo.hcl"), []byte("# mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = azapply(t, dir, "export", "--resource-group", "network-demo", "--out", out)
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "already exist: nothing was written") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "network-demo.hcl")); string(b) != "# mine\n" {
		t.Errorf("a refused export overwrote network-demo.hcl")
	}
	azapply(t, dir, "export", "--resource-group", "network-demo", "--out", out, "--force").mustExit(t, exitOK)
	if b, _ := os.ReadFile(filepath.Join(out, "network-demo.hcl")); string(b) != string(main) {
		t.Errorf("--force did not write the same configuration again:\n%s", b)
	}

	r = azapply(t, dir, "export", "--resource-group", "network-demo", "--out", out, "--force", "--api-version", "nonsense")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "TYPE=VERSION") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestExportWithoutAConfiguration: in a directory with no configuration,
// --subscription names the subscription; without it export says what to
// do and writes nothing.
func TestExportWithoutAConfiguration(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "network"))
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	bare := t.TempDir()
	if err := os.Rename(filepath.Join(dir, ".azapply"), filepath.Join(bare, ".azapply")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "adopted")
	env := []string{"AZAPPLY_ARM_ENDPOINT=emulator"}
	r := azapplyEnv(t, bare, env, "export", "--resource-group", "network-demo", "--out", out)
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "give --subscription") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = azapplyEnv(t, bare, env, "export", "--subscription", "00000000-0000-0000-0000-000000000000", "--resource-group", "network-demo", "--out", out)
	r.mustExit(t, exitOK)
	r.mustContain(t, "Exported 10 resources")
	p, err := os.ReadFile(filepath.Join(out, "provider.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "provider {\n  subscription_id = \"00000000-0000-0000-0000-000000000000\"\n}\n"; string(p) != want {
		t.Errorf("provider.hcl = %q, want %q", p, want)
	}
	azapplyEnv(t, out, env, "plan", "--detailed-exitcode").mustExit(t, exitChanges)
}

func TestExportOptions(t *testing.T) {
	testOptions(t, NewCmdExport, []optionsCase[exportOptions]{
		{name: "a group", args: []string{"--resource-group", "demo", "--out", "adopted"}, want: func(f *Factory) exportOptions {
			return exportOptions{factory: f, common: commonFlags{chdir: "."}, groups: []string{"demo"}, out: "adopted"}
		}},
		{name: "every flag", args: []string{"--chdir", "c", "--var", "a=b", "--no-color", "--id", "/x", "--type", "T/y", "--api-version", "T/y=2024-01-01",
			"--out", "o", "--force", "--split-by-type", "--subscription", "sub"},
			want: func(f *Factory) exportOptions {
				return exportOptions{factory: f, common: commonFlags{chdir: "c", vars: []config.VarArg{{Name: "a", Value: "b"}}, noColor: true},
					ids: []string{"/x"}, types: []string{"T/y"}, apiVersions: []string{"T/y=2024-01-01"}, out: "o", force: true, splitByType: true, subscription: "sub"}
			}},
		{name: "no out", args: []string{"--id", "/x"}, wantErr: "--out DIR is required"},
		{name: "nothing to export", args: []string{"--out", "o"}, wantErr: "say what to export"},
		{name: "an argument", args: []string{"--out", "o", "--id", "/x", "extra"}, wantErr: "export takes no arguments"},
		{name: "no lock", args: []string{"--lock=false"}, wantErr: "unknown flag: --lock"},
	})
}
