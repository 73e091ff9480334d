package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInputSendsNothing checks that a configuration with a mistake stops
// with exit 1 and a file:line:column diagnostic, before any client exists
// (the embedded emulator, the only endpoint here, is never started: its
// world directory is not recreated) and without touching the state.
func TestBadInputSendsNothing(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "examples", "quickstart"))
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	statePath := filepath.Join(dir, "azapply.state.json")
	before, err := os.ReadFile(statePath)
	if err != nil {
		t.Fatal(err)
	}
	worldDir := filepath.Join(dir, ".azapply")
	if err := os.RemoveAll(worldDir); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, src string
		// where is the file:line:column the diagnostic must point at.
		where, summary string
	}{
		{"syntax error", "resource \"x\" {\n  id = \"/subscriptions/x\n}\n",
			"bad.hcl:2:", "Unterminated template string"},
		{"unknown block", "frobnicate \"x\" {\n}\n",
			"bad.hcl:1:1", "Unsupported block type"},
		{"unknown attribute", "resource \"x\" {\n  id = \"/subscriptions/s/resourceGroups/x\"\n  api_version = \"2021-04-01\"\n  colour = \"blue\"\n}\n",
			"bad.hcl:4:3", "Unsupported argument"},
		{"missing id", "resource \"x\" {\n  api_version = \"2021-04-01\"\n}\n",
			"bad.hcl:1:", `"id" is required`},
		{"missing api_version", "resource \"x\" {\n  id = \"/subscriptions/s/resourceGroups/x\"\n}\n",
			"bad.hcl:1:", `"api_version" is required`},
		{"undeclared reference", "resource \"x\" {\n  id = \"${resource.nope.id}/providers/A.B/c/d\"\n  api_version = \"2021-04-01\"\n}\n",
			"bad.hcl:2:11", "Reference to undeclared resource"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.hcl")
			if err := os.WriteFile(bad, []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.Remove(bad) }()
			for _, args := range [][]string{{"plan"}, {"apply", "--auto-approve"}} {
				r := azapply(t, dir, args...)
				r.mustExit(t, exitError)
				if !strings.Contains(r.stderr, tc.where) || !strings.Contains(r.stderr, tc.summary) {
					t.Errorf("%v: stderr does not point at %s with %q:\n%s", args, tc.where, tc.summary, r.stderr)
				}
				after, err := os.ReadFile(statePath)
				if err != nil || !bytes.Equal(before, after) {
					t.Fatalf("%v: the state changed on bad input (err %v)", args, err)
				}
				if _, err := os.Stat(worldDir); err == nil {
					t.Fatalf("%v: the emulator was started on bad input (%s exists)", args, worldDir)
				}
			}
		})
	}
}
