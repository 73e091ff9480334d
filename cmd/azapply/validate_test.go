package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/config"
)

// runCLI runs azapply with args and returns the exit code and both streams.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const validConfig = `
variable "subscription_id" { type = string }
variable "location" { default = "westus" }
data "subscription" {
  id          = "/subscriptions/${var.subscription_id}"
  api_version = "2022-12-01"
}
resource "rg" {
  id          = "/subscriptions/${var.subscription_id}/resourceGroups/${data.subscription.output.tags.rg}"
  api_version = "2021-04-01"
  body        = { location = var.location }
}
`

func TestValidate(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"main.hcl":  validConfig,
		"prod.vars": `location = "eastus"`,
	})
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{"valid, with a --var", []string{"--var", "subscription_id=00000000-0000-0000-0000-000000000000"}, exitOK, "Success! The configuration is valid.\n", ""},
		{"var file", []string{"--var-file", filepath.Join(dir, "prod.vars"), "--var", "subscription_id=x"}, exitOK, "Success!", ""},
		{"a variable without a value is unknown", nil, exitOK, "Success!", ""},
		{"bad --var", []string{"--var", "subscription_id"}, exitError, "", "write it as --var name=value"},
		{"missing var file", []string{"--var-file", filepath.Join(dir, "nope.vars"), "--var", "subscription_id=x"}, exitError, "", "Cannot read variables file"},
		{"bad api version in a var", []string{"--var", "subscription_id=x", "--var", "location=1"}, exitOK, "Success!", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"validate", "--chdir", dir}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
		})
	}
}

// TestValidateProviderFromUnsetVariables: provider settings made from
// variables with no value yet (secrets kept out of git) are no mistake.
func TestValidateProviderFromUnsetVariables(t *testing.T) {
	code, out, errOut := runCLI(t, "validate", "--chdir", filepath.Join("..", "..", "examples", "azure-stack-hub"))
	if code != exitOK || !strings.Contains(out, "Success!") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": `
resource "a" {
  id          = "/subscriptions/x/resourceGroups"
  api_version = "latest"
  body        = "text"
}
resource "b" {
  id          = "/subscriptions/x/resourceGroups/b?x=1"
  api_version = "2021-04-01"
}
`})
	code, _, errOut := runCLI(t, "validate", "--chdir", dir)
	if code != exitError {
		t.Errorf("exit %d", code)
	}
	for _, want := range []string{"main.hcl:3:17", "main.hcl:4:17", "main.hcl:5:17", "main.hcl:8:17", "odd number of segments", "not an ARM api-version", "body must be an object", "query"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestValidateReadsTheEnvironment(t *testing.T) {
	dir := writeFiles(t, map[string]string{"main.hcl": validConfig})
	t.Setenv("AZAPPLY_VAR_subscription_id", "00000000-0000-0000-0000-000000000000")
	if code, out, errOut := runCLI(t, "validate", "--chdir", dir); code != exitOK {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestValidateOptions(t *testing.T) {
	testOptions(t, NewCmdValidate, []optionsCase[validateOptions]{
		{name: "defaults", want: func(f *Factory) validateOptions {
			return validateOptions{factory: f, common: defaultCommon("validate", false)}
		}},
		{name: "variables", args: []string{"--chdir", "x", "--var", "n=v", "--var-file", "f.hcl"}, want: func(f *Factory) validateOptions {
			c := defaultCommon("validate", false)
			c.chdir, c.vars = "x", []config.VarArg{{Name: "n", Value: "v"}, {File: "f.hcl"}}
			return validateOptions{factory: f, common: c}
		}},
		{name: "an argument", args: []string{"dir"}, wantErr: "validate takes no arguments"},
		// validate reads no state: it has no lock to skip or wait for.
		{name: "no lock", args: []string{"--lock=false"}, wantErr: "unknown flag: --lock"},
		{name: "no lock timeout", args: []string{"--lock-timeout", "1s"}, wantErr: "unknown flag: --lock-timeout"},
	})
}
