package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGitModuleWithoutGitE2E: on a machine without git, init and plan of
// a configuration with a git module source say that git is missing, at
// the module block, and what to do, whether or not the lock file pins the
// module; they exit 1 and write nothing.
func TestGitModuleWithoutGitE2E(t *testing.T) {
	const lock = `{"version": 1, "modules": {"https://example.com/org/net.git?ref=v1": {"commit": "0123456789abcdef0123456789abcdef01234567"}}}` + "\n"
	for _, pinned := range []bool{false, true} {
		dir := t.TempDir()
		writeConfigFile(t, filepath.Join(dir, "main.hcl"), `provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}

module "net" {
  source = "git::https://example.com/org/net.git//modules/net?ref=v1"
}
`)
		files := []string{"main.hcl"}
		if pinned {
			// Pinned by an init elsewhere, and committed: plan used to
			// say the module "has not been fetched here".
			writeConfigFile(t, filepath.Join(dir, "azapply.modules.lock.json"), lock)
			files = []string{"azapply.modules.lock.json", "main.hcl"}
		}
		t.Setenv("PATH", t.TempDir())
		for _, args := range [][]string{{"init", "--no-color"}, {"plan", "--no-color"}} {
			what := fmt.Sprintf("%v (pinned: %v)", args, pinned)
			r := azapply(t, dir, args...)
			r.mustExit(t, exitError)
			for _, want := range []string{
				"Error: git is not installed",
				"on main.hcl:6:1",
				`module "net": its source "git::https://example.com/org/net.git//modules/net?ref=v1" is a git repository`,
				"not installed here or not on PATH",
				"Install git and run azapply init",
				`local path (source = "./modules/net")`,
			} {
				if !strings.Contains(strings.Join(strings.Fields(r.stderr), " "), want) {
					t.Errorf("%s: stderr lacks %q:\n%s", what, want, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "has not been fetched") {
				t.Errorf("%s: still says the module has not been fetched:\n%s", what, r.stderr)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if !slices.Equal(names, files) {
				t.Errorf("%s: the directory holds %v, want %v", what, names, files)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "azapply.modules.lock.json")); pinned && string(got) != lock {
				t.Errorf("%s changed the lock file:\n%s", what, got)
			}
		}
	}
}
