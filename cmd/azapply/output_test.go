package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const outputsConfig = `
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}

variable "token" {
  type      = string
  default   = "tok-Sensitive-Output-77"
  sensitive = true
}

resource "rg" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

output "greeting" {
  value = "hello"
}

output "token" {
  value     = var.token
  sensitive = true
}
`

// outputsData adds a data source that reads the group, and an output that
// reads the data source's tags: once the group exists, the plan reads it.
const outputsData = `
data "group" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo"
  api_version = "2021-04-01"
}

output "owner" {
  value = try(data.group.output.tags.owner, "nobody")
}
`

// TestOutputChangesArePlannedAndApplied: outputs that read a data source
// are printed and recorded; a change to outputs alone (an edited value, a
// data source that reads something new, a removed output) is planned under
// "Changes to Outputs" with exit 2 under --detailed-exitcode, and applied
// to the state; azapply output reads them back from the state.
func TestOutputChangesArePlannedAndApplied(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main.hcl")
	if err := os.WriteFile(main, []byte(outputsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(want int, args ...string) result {
		t.Helper()
		r := runCmd(t, "", append(append([]string{}, args...), "--chdir", dir)...)
		if r.code != want {
			t.Fatalf("azapply %v: exit %d, want %d\n%s%s", args, r.code, want, r.out, r.err)
		}
		return r
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")
	if err := os.WriteFile(filepath.Join(dir, "data.hcl"), []byte(outputsData), 0o644); err != nil {
		t.Fatal(err)
	}
	// A new output that reads a data source: a change to outputs alone.
	p := run(exitChanges, "plan", "--detailed-exitcode", "--no-color")
	if !strings.Contains(p.out, "Changes to Outputs:") || !strings.Contains(p.out, `+ owner = "nobody"`) {
		t.Errorf("the new output is not planned:\n%s", p.out)
	}
	a := run(exitOK, "apply", "--auto-approve", "--no-color")
	if !strings.Contains(a.out, `owner = "nobody"`) {
		t.Errorf("apply does not print the output that reads a data source:\n%s", a.out)
	}
	run(exitOK, "plan", "--detailed-exitcode", "--no-color")

	// The data source reads something new: the output changes, nothing else.
	run(exitOK, "emulator", "change", "--id", "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo", "--merge", `{"tags":{"owner":"portal"}}`)
	p = run(exitChanges, "plan", "--detailed-exitcode", "--no-color")
	if !strings.Contains(p.out, `~ owner = "nobody" -> "portal"`) {
		t.Errorf("the data source's new value is not planned:\n%s", p.out)
	}
	j := run(exitChanges, "plan", "--detailed-exitcode", "--format", "json")
	var jp struct {
		OutputChanges []struct {
			Name, Action  string
			Before, After any
		} `json:"output_changes"`
	}
	if err := json.Unmarshal([]byte(j.out), &jp); err != nil || len(jp.OutputChanges) != 1 || jp.OutputChanges[0].Name != "owner" || jp.OutputChanges[0].After != "portal" {
		t.Errorf("the JSON plan's output_changes = %+v (%v)\n%s", jp.OutputChanges, err, j.out)
	}
	md := run(exitChanges, "plan", "--detailed-exitcode", "--format", "markdown")
	if !strings.Contains(md.out, "### Changes to Outputs") {
		t.Errorf("the markdown plan has no Changes to Outputs:\n%s", md.out)
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")
	if got := run(exitOK, "output", "--raw", "owner").out; got != "portal" {
		t.Errorf("output --raw owner = %q, want portal", got)
	}

	// An edited output and a removed one.
	editFile(t, main, `value = "hello"`, `value = "hello again"`)
	editFile(t, main, "output \"token\" {\n  value     = var.token\n  sensitive = true\n}\n", "")
	p = run(exitChanges, "plan", "--detailed-exitcode", "--no-color")
	for _, want := range []string{`~ greeting = "hello" -> "hello again"`, "- token = (sensitive) -> null"} {
		if !strings.Contains(p.out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, p.out)
		}
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")
	st := readStateFile(t, dir)
	if _, ok := st.Outputs["token"]; ok {
		t.Error("the removed output is still recorded")
	}
	if got := st.Outputs["greeting"]; got == nil || got.Value != "hello again" {
		t.Errorf("greeting = %+v, want hello again", got)
	}
	run(exitOK, "plan", "--detailed-exitcode", "--no-color")

	// Every output block removed: every record goes.
	if err := os.Remove(filepath.Join(dir, "data.hcl")); err != nil {
		t.Fatal(err)
	}
	editFile(t, main, "output \"greeting\" {\n  value = \"hello again\"\n}\n", "")
	p = run(exitChanges, "plan", "--detailed-exitcode", "--no-color")
	if !strings.Contains(p.out, `- greeting = "hello again" -> null`) || !strings.Contains(p.out, `- owner = "portal" -> null`) {
		t.Errorf("the removed outputs are not planned:\n%s", p.out)
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")
	if st := readStateFile(t, dir); len(st.Outputs) != 0 {
		t.Errorf("outputs still recorded: %v", st.Outputs)
	}
	run(exitOK, "plan", "--detailed-exitcode", "--no-color")
}

// TestOutputCommand: azapply output lists, prints one, --json and --raw,
// from the state alone; a sensitive output prints as (sensitive), and only
// --raw NAME prints it, evaluated afresh.
func TestOutputCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(outputsConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(want int, args ...string) result {
		t.Helper()
		r := runCmd(t, "", append(append([]string{}, args...), "--chdir", dir)...)
		if r.code != want {
			t.Fatalf("azapply %v: exit %d, want %d\n%s%s", args, r.code, want, r.out, r.err)
		}
		return r
	}
	if r := run(exitOK, "output"); !strings.Contains(r.err, "no outputs found") {
		t.Errorf("output before any apply:\n%s%s", r.out, r.err)
	}
	run(exitOK, "apply", "--auto-approve", "--no-color")
	// The emulator's world is gone: output must not need Azure.
	if err := os.RemoveAll(filepath.Join(dir, ".azapply")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"output"}, exitOK, "greeting = \"hello\"\ntoken = (sensitive)\n"},
		{[]string{"output", "greeting"}, exitOK, "\"hello\"\n"},
		{[]string{"output", "--raw", "greeting"}, exitOK, "hello"},
		{[]string{"output", "--json", "greeting"}, exitOK, "\"hello\"\n"},
		{[]string{"output", "--json"}, exitOK, "{\n  \"greeting\": {\n    \"sensitive\": false,\n    \"value\": \"hello\"\n  },\n  \"token\": {\n    \"sensitive\": true\n  }\n}\n"},
		{[]string{"output", "token"}, exitOK, "(sensitive)\n"},
		{[]string{"output", "--json", "token"}, exitError, ""},
		{[]string{"output", "nope"}, exitError, ""},
		{[]string{"output", "--raw"}, exitError, ""},
		{[]string{"output", "a", "b"}, exitError, ""},
	}
	for _, tt := range tests {
		r := run(tt.code, tt.args...)
		if r.out != tt.want {
			t.Errorf("azapply %v printed %q, want %q", tt.args, r.out, tt.want)
		}
		if strings.Contains(r.out+r.err, "tok-Sensitive-Output-77") {
			t.Errorf("azapply %v printed the sensitive output", tt.args)
		}
	}
	// --raw of a sensitive output is the one way to print it: evaluated
	// afresh, since the state holds only its hash.
	if r := run(exitOK, "output", "--raw", "token"); r.out != "tok-Sensitive-Output-77" {
		t.Errorf("output --raw token printed %q", r.out)
	}
}

func TestOutputOptions(t *testing.T) {
	testOptions(t, NewCmdOutput, []optionsCase[outputOptions]{
		{name: "every output", want: func(f *Factory) outputOptions {
			return outputOptions{factory: f, common: defaultCommon("output", false)}
		}},
		{name: "one as JSON", args: []string{"--json", "login"}, want: func(f *Factory) outputOptions {
			return outputOptions{factory: f, common: defaultCommon("output", false), json: true, name: "login"}
		}},
		{name: "one raw", args: []string{"--raw", "login"}, want: func(f *Factory) outputOptions {
			return outputOptions{factory: f, common: defaultCommon("output", false), raw: true, name: "login"}
		}},
		{name: "raw of every one", args: []string{"--raw"}, wantErr: "--raw prints one output"},
		{name: "raw and json", args: []string{"--raw", "--json", "x"}, wantErr: "--raw and --json exclude each other"},
		{name: "two names", args: []string{"a", "b"}, wantErr: "output takes at most one name"},
		{name: "it takes no lock", args: []string{"--lock=false"}, wantErr: "unknown flag: --lock"},
	})
}
