package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleModules runs examples/modules: one local module for two
// environments, planned and applied; then a module from a git repository
// the test makes itself, which plan refuses until init fetched it.
func TestExampleModules(t *testing.T) {
	dir := example(t, "modules")
	r := azapply(t, dir, "plan", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, `+ module.app["dev"].resource.rg`, `+ module.app["prod"].resource.registry`, "Plan: 4 to add, 0 to change, 0 to destroy.")

	r = azapply(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, `module.app["prod"].resource.registry: Creation complete`,
		`login_servers = {"dev":"modappdevacr.azurecr.io","prod":"modappprodacr.azurecr.io"}`)
	prodACR := sub + "/resourceGroups/modapp-prod/providers/Microsoft.ContainerRegistry/registries/modappprodacr"
	if got := livePath(t, dir, prodACR, "sku.name"); got != "Standard" {
		t.Errorf("prod registry sku = %v, want Standard", got)
	}
	if got := livePath(t, dir, sub+"/resourceGroups/modapp-dev", "tags.app"); got != "modapp-dev" {
		t.Errorf("dev group tag = %v", got)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
	r = azapply(t, dir, "state", "list")
	r.mustExit(t, exitOK)
	r.mustContain(t, `module.app["dev"].resource.registry`)

	// The root's output reads the modules' outputs: azapply output prints
	// it from the state, and a change of a module's output alone is an
	// output-only change, planned and applied.
	r = azapply(t, dir, "output", "--json")
	r.mustExit(t, exitOK)
	r.mustContain(t, `"dev": "modappdevacr.azurecr.io"`)
	editFile(t, filepath.Join(dir, "modules", "app", "main.hcl"), `value = resource.registry.output.properties.loginServer`,
		`value = "https://${resource.registry.output.properties.loginServer}"`)
	r = azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "Changes to Outputs", "login_servers")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	r = azapply(t, dir, "output", "login_servers")
	r.mustExit(t, exitOK)
	r.mustContain(t, "https://modappprodacr.azurecr.io")
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)

	// A module from git, pinned by init.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	writeConfigFile(t, filepath.Join(repo, "identity", "main.hcl"), `
variable "group_id" {
  type = string
}

resource "identity" {
  id          = "${var.group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity"
  api_version = "2023-01-31"
  body        = { location = "westus" }
}

output "id" {
  value = resource.identity.id
}
`)
	for _, args := range [][]string{
		{"init", "-q"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "identity module"},
		{"tag", "v1.0.0"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	writeConfigFile(t, filepath.Join(dir, "identity.hcl"), `
module "identity" {
  source   = "git::file://`+filepath.ToSlash(repo)+`//identity?ref=v1.0.0"
  group_id = module.app["dev"].group_id
}
`)
	r = azapply(t, dir, "plan", "--no-color")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "Module not installed") || !strings.Contains(r.stderr, "Run azapply") {
		t.Errorf("plan before init:\n%s", r.stderr)
	}
	r = azapply(t, dir, "init", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Fetched module file://")
	lock, err := os.ReadFile(filepath.Join(dir, "azapply.modules.lock.json"))
	if err != nil || !strings.Contains(string(lock), `"commit"`) {
		t.Fatalf("lock file: %v\n%s", err, lock)
	}
	r = azapply(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "module.identity.resource.identity: Creation complete", "Resources: 1 added, 0 changed, 0 destroyed.")
	if got := livePath(t, dir, sub+"/resourceGroups/modapp-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-identity", "location"); got != "westus" {
		t.Errorf("identity location = %v", got)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
	// validate and fmt see the module directories too.
	azapply(t, dir, "validate").mustExit(t, exitOK)
	editFile(t, filepath.Join(dir, "modules", "app", "main.hcl"), "  api_version = \"2021-04-01\"", "  api_version     =    \"2021-04-01\"")
	r = azapply(t, dir, "fmt", "--check")
	r.mustExit(t, exitFmtCheck)
	r.mustContain(t, filepath.Join("modules", "app", "main.hcl"))
}

func writeConfigFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
