package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestBadConfigurationsSendNothing runs plan and apply on each bad configuration of
// config/testdata/diags, with the embedded emulator configured: each must
// exit 1 with its message, print no plan, and create nothing beside the
// configuration (no state, no emulator world: nothing was sent).
func TestBadConfigurationsSendNothing(t *testing.T) {
	tests := []struct {
		dir  string
		args []string
		want string
	}{
		{"malformed_hcl", nil, "Missing expression"},
		{"wrong_types", nil, "prevent_destroy must be true or false"},
		{"unknown_attributes", nil, `An argument named "idd" is not expected here`},
		{"invalid_ids", nil, "a resource ID starts with /subscriptions/"},
		{"invalid_ids", nil, "odd number of segments"},
		{"invalid_ids", nil, `contains a ".."`},
		{"invalid_ids", nil, "contains white space"},
		{"invalid_ids", nil, "contains a query"},
		{"invalid_ids", nil, "is a URL, not a resource ID"},
		{"api_version", nil, "is not an ARM api-version"},
		{"body_not_object", nil, "body must be an object"},
		{"cycle", nil, "resource.c depends_on resource.a"},
		{"containment_cycle", nil, "resource.vnet lies under the ID of resource.rg"},
		{"duplicate_ids", nil, "resource.rg (main.hcl:1) and resource.rg_again (more.hcl:1) both manage"},
		{"variable_wrong_type", []string{"--var", "replicas=three", "--var", "tags={}", "--var", "location=westus"}, "--var replicas: the variable is of type number"},
		{"missing_variable", nil, `Variable "subscription_id" has no default`},
		{"var_file_bad", []string{"--var-file", "prod.vars"}, "Unterminated template string"},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"plan", "apply"} {
			t.Run(cmd+"/"+tt.dir, func(t *testing.T) {
				dir := copyCase(t, filepath.Join("..", "..", "config", "testdata", "diags", tt.dir))
				if err := os.WriteFile(filepath.Join(dir, "zz_provider.hcl"), []byte("provider {\n  endpoint = \"emulator\"\n}\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				before := listDir(t, dir)
				args := []string{cmd, "--chdir", dir, "--no-color"}
				for _, a := range tt.args {
					if strings.HasSuffix(a, ".vars") {
						a = filepath.Join(dir, a)
					}
					args = append(args, a)
				}
				if cmd == "apply" {
					args = append(args, "--auto-approve")
				}
				code, out, errOut := runCLI(t, args...)
				if code != exitError || !strings.Contains(errOut, tt.want) {
					t.Errorf("exit %d, stderr lacks %q:\n%s", code, tt.want, errOut)
				}
				if out != "" {
					t.Errorf("something was printed on stdout:\n%s", out)
				}
				if after := listDir(t, dir); !equalStrings(before, after) {
					t.Errorf("files changed: before %v, after %v", before, after)
				}
			})
		}
	}
}

func copyCase(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		out = append(out, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}
