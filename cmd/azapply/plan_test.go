package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/config"
	"github.com/azapply/azapply/plan"
)

// quickstart copies examples/quickstart (which uses the embedded emulator)
// into a temporary directory.
func quickstart(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// inProcess runs the CLI in-process and returns its exit code and output.
func inProcess(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// changeOutside edits the emulator's saved world as someone in the portal
// would.
func changeOutside(t *testing.T, dir string, edit func(body map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, ".azapply", "emulator.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var world struct {
		Resources []map[string]any `json:"resources"`
	}
	if err := json.Unmarshal(data, &world); err != nil {
		t.Fatal(err)
	}
	for _, r := range world.Resources {
		if strings.HasSuffix(r["id"].(string), "quickstartacr") {
			edit(r["body"].(map[string]any))
		}
	}
	data, _ = json.Marshal(world)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSavedPlanFlow(t *testing.T) {
	dir := quickstart(t)
	planFile := filepath.Join(dir, "tfplan")
	if code, out, errOut := inProcess(t, "plan", "--chdir", dir, "--detailed-exitcode", "--out", planFile); code != exitChanges || !strings.Contains(out, "Plan: 2 to add") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := inProcess(t, "show", planFile, "--format", "json")
	var shown struct {
		Summary struct{ Add int }
	}
	if code != exitOK || json.Unmarshal([]byte(out), &shown) != nil || shown.Summary.Add != 2 {
		t.Fatalf("show --format json: exit %d\n%s", code, out)
	}
	if code, out, errOut := inProcess(t, "apply", planFile, "--chdir", dir); code != exitOK || !strings.Contains(out, "2 added") {
		t.Fatalf("apply FILE: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := inProcess(t, "plan", "--chdir", dir, "--detailed-exitcode"); code != exitOK || !strings.Contains(out, "No changes.") {
		t.Fatalf("plan after apply: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut := inProcess(t, "apply", planFile, "--chdir", dir)
	if code != exitError || !strings.Contains(errOut, "stale") || !strings.Contains(errOut, "would now be no-op, the plan says create") {
		t.Fatalf("applying the same plan again: exit %d, %s", code, errOut)
	}
}

func TestStalePlanAfterOutOfBandChange(t *testing.T) {
	dir := quickstart(t)
	if code, _, errOut := inProcess(t, "apply", "--chdir", dir, "--auto-approve"); code != exitOK {
		t.Fatalf("apply: %s", errOut)
	}
	planFile := filepath.Join(dir, "tfplan")
	if code, _, errOut := inProcess(t, "plan", "--chdir", dir, "--var", "registry_sku=Premium", "--out", planFile); code != exitOK {
		t.Fatalf("plan: %s", errOut)
	}
	changeOutside(t, dir, func(b map[string]any) { b["tags"] = map[string]any{"owner": "portal"} })
	code, _, errOut := inProcess(t, "apply", planFile, "--chdir", dir, "--var", "registry_sku=Premium")
	if code != exitError || !strings.Contains(errOut, "resource.registry changed in Azure since the plan was made") {
		t.Fatalf("exit %d, %s", code, errOut)
	}
}

func TestDriftFlow(t *testing.T) {
	dir := quickstart(t)
	if code, _, errOut := inProcess(t, "apply", "--chdir", dir, "--auto-approve"); code != exitOK {
		t.Fatalf("apply: %s", errOut)
	}
	if code, out, _ := inProcess(t, "drift", "--chdir", dir, "--detailed-exitcode"); code != exitOK || !strings.Contains(out, "No changes.") {
		t.Fatalf("drift with nothing changed: exit %d\n%s", code, out)
	}
	changeOutside(t, dir, func(b map[string]any) {
		b["properties"].(map[string]any)["publicNetworkAccess"] = "Disabled"
	})
	code, out, _ := inProcess(t, "drift", "--chdir", dir, "--detailed-exitcode")
	if code != exitChanges || !strings.Contains(out, "properties.publicNetworkAccess") || !strings.Contains(out, "reported, not reverted") {
		t.Fatalf("drift: exit %d\n%s", code, out)
	}
	// An undeclared change is drift, not a planned change.
	if code, out, _ := inProcess(t, "plan", "--chdir", dir, "--detailed-exitcode"); code != exitOK || !strings.Contains(out, "Objects have changed outside azapply") {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	if code, out, _ := inProcess(t, "plan", "--chdir", dir, "--refresh-only", "--detailed-exitcode"); code != exitChanges {
		t.Fatalf("plan --refresh-only: exit %d\n%s", code, out)
	}
	if code, out, errOut := inProcess(t, "apply", "--chdir", dir, "--refresh-only", "--auto-approve"); code != exitOK {
		t.Fatalf("apply --refresh-only: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := inProcess(t, "drift", "--chdir", dir, "--detailed-exitcode"); code != exitOK {
		t.Fatalf("drift after accepting it: exit %d\n%s", code, out)
	}
}

func TestPlanFormatsAndBadFlags(t *testing.T) {
	dir := quickstart(t)
	code, out, _ := inProcess(t, "plan", "--chdir", dir, "--format", "markdown")
	if code != exitOK || !strings.HasPrefix(out, "## azapply plan") || !strings.Contains(out, "<details>") {
		t.Fatalf("markdown: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{
		{"plan", "--chdir", dir, "--format", "xml"},
		{"plan", "--chdir", dir, "--parallelism", "0"},
		{"show"},
		{"show", filepath.Join(dir, "main.hcl")},
		{"apply", "a", "b", "--chdir", dir},
	} {
		if code, _, errOut := inProcess(t, args...); code != exitError || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q: want 1 and a message", args, code, errOut)
		}
	}
}

func TestPlanOptions(t *testing.T) {
	defaults := func(f *Factory) planOptions {
		return planOptions{factory: f, common: defaultCommon("plan", true), plan: planFlags{parallelism: plan.DefaultParallelism, format: "text"}}
	}
	testOptions(t, NewCmdPlan, []optionsCase[planOptions]{
		{name: "defaults", want: defaults},
		{name: "every flag", args: []string{"--chdir", "stack", "--var", "a=1", "--var-file", "v.hcl", "--no-color", "--lock=false", "--lock-timeout", "30s",
			"--parallelism", "3", "--format", "json", "--refresh", "collection", "--target", "resource.rg", "--replace", "resource.vm", "--preflight",
			"--detailed-exitcode", "--refresh-only", "--out", "tfplan"},
			want: func(f *Factory) planOptions {
				return planOptions{factory: f,
					common:           commonFlags{chdir: "stack", vars: []config.VarArg{{Name: "a", Value: "1"}, {File: "v.hcl"}}, noColor: true, lockTimeout: 30 * time.Second, lockFlag: boolPtr(false), command: "plan"},
					plan:             planFlags{parallelism: 3, format: "json", refresh: "collection", targets: []string{"resource.rg"}, replace: []string{"resource.vm"}, preflight: true},
					detailedExitCode: true, refreshOnly: true, out: "tfplan"}
			}},
		{name: "markdown", args: []string{"--format", "markdown"}, want: func(f *Factory) planOptions {
			o := defaults(f)
			o.plan.format = "markdown"
			return o
		}},
		{name: "parallelism 0", args: []string{"--parallelism", "0"}, wantErr: "--parallelism 0: give a number of at least 1"},
		{name: "unknown format", args: []string{"--format", "yaml"}, wantErr: `--format "yaml": choose text, markdown or json`},
		{name: "unknown refresh", args: []string{"--refresh", "sometimes"}, wantErr: "sometimes"},
		{name: "bad target", args: []string{"--target", "rg"}, wantErr: `--target "rg" is not an address`},
		{name: "var without a value", args: []string{"--var", "a"}, wantErr: "write it as --var name=value"},
		{name: "misspelt flag", args: []string{"--detailed-exitcod"}, wantErr: "Did you mean --detailed-exitcode?"},
		{name: "a directory as an argument", args: []string{"stacks/web"}, wantErr: "plan takes no arguments (got [\"stacks/web\"]): point --chdir at the configuration directory"},
	})
}
