package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestGitModuleWithoutGit: on a machine without git (PATH holds none),
// init and the loading of the configuration (plan, apply, validate) both
// say that git is missing and what to do, at the module block, rather
// than that the module has not been fetched; init fetches nothing and
// writes no lock file.
func TestGitModuleWithoutGit(t *testing.T) {
	files := func(source string) map[string]string {
		return map[string]string{"main.hcl": "# the network\nmodule \"net\" {\n  source = \"" + source + "\"\n}\n"}
	}
	tests := []struct {
		name string
		// setup makes the configuration's directory, while git is still
		// on PATH, and returns it with the module's source.
		setup func(t *testing.T) (root, source string)
	}{
		{"never fetched", func(t *testing.T) (string, string) {
			src := "git::https://example.com/org/net.git//modules/net?ref=v1"
			return writeDir(t, files(src)), src
		}},
		{"pinned in the lock file, not fetched here", func(t *testing.T) (string, string) {
			src := "git::https://example.com/org/net.git//modules/net?ref=v1"
			root := writeDir(t, files(src))
			lock := &ModuleLock{Version: 1, Modules: map[string]LockedModule{"https://example.com/org/net.git?ref=v1": {Commit: strings.Repeat("a", 40)}}}
			if err := writeModuleLock(root, lock); err != nil {
				t.Fatal(err)
			}
			return root, src
		}},
		{"fetched before git went away", func(t *testing.T) (string, string) {
			repo := gitRepo(t, map[string]string{"modules/net/main.hcl": "output \"id\" { value = \"x\" }\n"})
			src := "git::file://" + filepath.ToSlash(repo) + "//modules/net?ref=v1"
			root := writeDir(t, files(src))
			if _, err := InstallModules(context.Background(), root); err != nil {
				t.Fatal(err)
			}
			if cfg, diags := Load(root, LoadOptions{}); diags.HasErrors() {
				t.Fatal(diagText(cfg, diags))
			}
			return root, src
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, src := tc.setup(t)
			lockBefore, _ := os.ReadFile(filepath.Join(root, ModuleLockFile))
			modsBefore, _ := os.ReadDir(filepath.Join(root, modulesDir))
			t.Setenv("PATH", t.TempDir())

			// Loading, as plan does.
			_, diags := Load(root, LoadOptions{})
			checkGitMissing(t, "load", diags, src)

			// init.
			fetched, err := InstallModules(context.Background(), root)
			var initDiags hcl.Diagnostics
			if !errors.As(err, &initDiags) {
				t.Fatalf("init: %v (%T), want diagnostics", err, err)
			}
			checkGitMissing(t, "init", initDiags, src)
			if len(fetched) != 0 {
				t.Errorf("init fetched %v without git", fetched)
			}
			if lockAfter, _ := os.ReadFile(filepath.Join(root, ModuleLockFile)); string(lockAfter) != string(lockBefore) {
				t.Errorf("init changed the lock file:\n%s\nwas:\n%s", lockAfter, lockBefore)
			}
			if modsAfter, _ := os.ReadDir(filepath.Join(root, modulesDir)); len(modsAfter) != len(modsBefore) {
				t.Errorf("init left %d entries in %s, there were %d", len(modsAfter), modulesDir, len(modsBefore))
			}
		})
	}
}

// checkGitMissing checks that diags is the one error that git is
// missing, at the module block (main.hcl, line 2), saying what to do.
func checkGitMissing(t *testing.T, what string, diags hcl.Diagnostics, source string) {
	t.Helper()
	if len(diags) != 1 || diags[0].Severity != hcl.DiagError {
		t.Fatalf("%s: %d diagnostics, want one error: %v", what, len(diags), diags)
	}
	d := diags[0]
	if d.Summary != "git is not installed" {
		t.Errorf("%s: summary %q", what, d.Summary)
	}
	if d.Subject == nil || filepath.Base(d.Subject.Filename) != "main.hcl" || d.Subject.Start.Line != 2 {
		t.Errorf("%s: at %v, want main.hcl line 2 (the module block)", what, d.Subject)
	}
	for _, want := range []string{`module "net"`, source, "not installed here or not on PATH", "Install git and run azapply init", `source = "./modules/net"`} {
		if !strings.Contains(d.Detail, want) {
			t.Errorf("%s: the detail lacks %q:\n%s", what, want, d.Detail)
		}
	}
	if strings.Contains(d.Detail, "has not been fetched") {
		t.Errorf("%s: still says the module has not been fetched:\n%s", what, d.Detail)
	}
}
