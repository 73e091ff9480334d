package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azapply/azapply/emulator"
)

// leakConfig plants secrets of every kind: a sensitive variable (in a
// declared sensitive path, in a tag, in a sensitive output), a write-only
// password (a SQL server's, never returned by the service), an action's
// answer (the registry passwords regenerateCredential returns) and a
// read-only action's answer (a storage account's keys, read by a data
// block that POSTs listKeys, given to a container group's secure
// environment variable and to a sensitive output).
const leakConfig = `
variable "admin_password" {
  type      = string
  sensitive = true
}

variable "sql_password" {
  type      = string
  sensitive = true
}

resource "rg" {
  id          = "` + stackRG + `"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/leakacr"
  api_version = "2023-07-01"
  body = {
    location   = "westus"
    sku        = { name = "Basic" }
    tags       = { note = var.admin_password }
    properties = { adminUserEnabled = true }
  }
}

action "regen" {
  id          = "${resource.acr.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password" }
  when        = "create"
}

resource "sql" {
  id          = "${resource.rg.id}/providers/Microsoft.Sql/servers/leaksql"
  api_version = "2023-08-01-preview"
  body = {
    location   = "westus"
    properties = { administratorLogin = "azadmin", administratorLoginPassword = var.sql_password, version = "12.0" }
  }
}

resource "sa" {
  id          = "${resource.rg.id}/providers/Microsoft.Storage/storageAccounts/leaksa"
  api_version = "2023-05-01"
  body = {
    location = "westus"
    kind     = "StorageV2"
    sku      = { name = "Standard_LRS" }
  }
}

data "keys" {
  id          = "${resource.sa.id}/listKeys"
  api_version = "2023-05-01"
  method      = "POST"
  depends_on  = [resource.sa]
}

resource "app" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerInstance/containerGroups/leakapp"
  api_version = "2023-05-01"
  body = {
    location = "westus"
    properties = {
      osType = "Linux"
      containers = [{
        name = "app"
        properties = {
          image                = "mcr.microsoft.com/azuredocs/aci-helloworld"
          resources            = { requests = { cpu = 1, memoryInGB = 1.5 } }
          environmentVariables = [
            { name = "STORAGE", secureValue = "AccountKey=${data.keys.output.keys[0].value}" },
            # not a secret by its name: sensitive because of where it came from
            { name = "STORAGE_TOO", value = "AccountKey=${data.keys.output.keys[0].value}" },
          ]
        }
      }]
    }
  }
}

output "password" {
  value     = var.admin_password
  sensitive = true
}

output "storage_key" {
  value     = data.keys.output.keys[0].value
  sensitive = true
}

output "login_server" {
  value = resource.acr.output.properties.loginServer
}
`

// TestSecretLeakEveryCommand runs every command that prints or writes
// (plan in each format, plan --out and show in each format, apply of a
// saved plan and with JSON progress, drift, fleet plan and fleet drift in
// each format, state list, show and pull,
// output in each form, import, export, a failing apply, a variables file
// of the wrong type, a validation message and a function error built from
// a secret) with AZAPPLY_LOG=debug on leakConfig, and searches every
// byte printed on stdout and stderr and every file under the stack (the
// state, its backup and lock, saved plans, the exported configuration)
// for each planted secret: zero hits.
func TestSecretLeakEveryCommand(t *testing.T) {
	s := serveLoopback(t, emulator.Options{Operations: emulator.RealisticOperations(), RetryAfter: 10 * time.Millisecond})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(s.provider()+leakConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	const sqlPassword = "wo-Sql-Password-never-printed-77aa"
	l := &leakRun{t: t, s: s, dir: dir, env: []string{"AZAPPLY_VAR_admin_password=" + knownPassword, "AZAPPLY_VAR_sql_password=" + sqlPassword}}
	acr := stackRG + "/providers/Microsoft.ContainerRegistry/registries/leakacr"
	sa := stackRG + "/providers/Microsoft.Storage/storageAccounts/leaksa"
	app := stackRG + "/providers/Microsoft.ContainerInstance/containerGroups/leakapp"

	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitChanges, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	l.run(exitOK, "plan", "--no-color", "--out", "first.plan")
	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitOK, "show", "--no-color", "--format", f, "first.plan")
	}
	l.run(exitOK, "apply", "--no-color", "first.plan")
	// Every plan after it reads the keys when planning: they are in the
	// plan's data, and must not show.
	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitOK, "plan", "--detailed-exitcode", "--no-color", "--format", f)
	}
	// A change, applied with JSON progress, saved and shown first.
	editFile(t, filepath.Join(dir, "main.hcl"), `sku        = { name = "Basic" }`, `sku        = { name = "Standard" }`)
	l.run(exitOK, "plan", "--no-color", "--out", "second.plan")
	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitOK, "show", "--no-color", "--format", f, "second.plan")
	}
	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitChanges, "fleet", "plan", "--detailed-exitcode", "--no-color", "--format", f, ".")
	}
	l.run(exitOK, "apply", "--auto-approve", "--format", "json")
	l.run(exitOK, "drift", "--no-color")
	l.run(exitOK, "drift", "--no-color", "--format", "json")
	for _, f := range []string{"text", "markdown", "json"} {
		l.run(exitOK, "fleet", "drift", "--detailed-exitcode", "--no-color", "--format", f, ".")
	}
	l.run(exitOK, "state", "list")
	for _, addr := range []string{"resource.acr", "resource.sql", "resource.app"} {
		l.run(exitOK, "state", "show", addr)
	}
	l.run(exitOK, "state", "pull")
	l.run(exitOK, "output")
	l.run(exitOK, "output", "--json")
	l.run(exitOK, "output", "password")
	// A sensitive output is refused by name in JSON: the state holds its
	// hash. --raw NAME, the user's explicit request, reads it afresh
	// (listKeys again): it is the one run whose output is not searched.
	l.run(exitError, "output", "--json", "storage_key")
	raw, out, _ := s.command(dir, "output", "--raw", "storage_key")
	raw.Env = append(raw.Env, l.env...)
	if err := raw.Run(); err != nil || out.String() != storageKeys(t, s, sa)[0] {
		t.Errorf("output --raw storage_key: %v, printed %d bytes, not the key", err, out.Len())
	}

	// import: a container group made outside azapply, holding the same
	// key, adopted into the state.
	callEmulator(t, s, "PUT", stackRG+"/providers/Microsoft.ContainerInstance/containerGroups/adopted", "2023-05-01", map[string]any{
		"location": "westus",
		"properties": map[string]any{"osType": "Linux", "containers": []any{map[string]any{"name": "app", "properties": map[string]any{
			"image": "mcr.microsoft.com/azuredocs/aci-helloworld", "resources": map[string]any{"requests": map[string]any{"cpu": 1, "memoryInGB": 1.5}},
			"environmentVariables": []any{map[string]any{"name": "STORAGE", "secureValue": "AccountKey=" + storageKeys(t, s, sa)[0]}},
		}}}},
	}, nil)
	f, err := os.OpenFile(filepath.Join(dir, "main.hcl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(`
resource "adopted" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerInstance/containerGroups/adopted"
  api_version = "2023-05-01"
  body        = { location = "westus" }
}
`)
	if cerr := f.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	l.run(exitOK, "import", "--no-color", "resource.adopted", stackRG+"/providers/Microsoft.ContainerInstance/containerGroups/adopted")
	l.run(exitOK, "plan", "--no-color")
	l.run(exitOK, "state", "show", "resource.adopted")

	// export writes a configuration of the whole group under the stack.
	l.run(exitOK, "export", "--no-color", "--resource-group", stackRG, "--api-version", "Microsoft.ContainerInstance/containerGroups=2023-05-01", "--out", filepath.Join(dir, "exported"))

	// Failing commands print errors: ARM's refusal of an in-place location
	// change, and a variables file of the wrong type.
	editFile(t, filepath.Join(dir, "main.hcl"), `location   = "westus"
    sku        = { name = "Standard" }`, `location   = "eastus"
    sku        = { name = "Standard" }`)
	editFile(t, filepath.Join(dir, "main.hcl"), `api_version = "2023-07-01"
  body = {`, `api_version = "2023-07-01"
  update_in_place = ["location"]
  body = {`)
	l.run(exitError, "apply", "--auto-approve", "--no-color")
	if err := os.WriteFile(filepath.Join(dir, "bad.vars"), []byte("sql_password = [\""+sqlPassword+"\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.run(exitError, "plan", "--no-color", "--var-file", "bad.vars")
	if err := os.Remove(filepath.Join(dir, "bad.vars")); err != nil {
		t.Fatal(err)
	}
	// Diagnostics that would quote a secret: a validation message built
	// from it, then a function given it.
	main := filepath.Join(dir, "main.hcl")
	editFile(t, main, `variable "sql_password" {
  type      = string
  sensitive = true
}`, `variable "sql_password" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.sql_password) > 100
    error_message = "too short: ${var.sql_password}"
  }
}`)
	if r := l.run(exitError, "validate", "--no-color"); !strings.Contains(r.stderr, "so it is not shown") {
		t.Errorf("the validation error does not say its message is hidden:\n%s", r.stderr)
	}
	editFile(t, main, "length(var.sql_password) > 100", "length(var.sql_password) > 1")
	editFile(t, main, `administratorLogin = "azadmin"`, `administratorLogin = tonumber(var.sql_password)`)
	if r := l.run(exitError, "plan", "--no-color"); !strings.Contains(r.stderr, "(sensitive value)") {
		t.Errorf("the function's error does not say (sensitive value):\n%s", r.stderr)
	}

	// The secrets: the run's credential and token, both variables, the
	// registry passwords the action answered with, and the storage keys.
	needles := map[string]string{
		"client secret":       knownClientSecret,
		"bearer token":        knownToken,
		"sensitive variable":  knownPassword,
		"write-only password": sqlPassword,
	}
	for i, pw := range registryPasswords(t, s, acr) {
		needles["action's registry password "+string(rune('1'+i))] = pw
	}
	for i, k := range storageKeys(t, s, sa) {
		needles["storage key "+string(rune('1'+i))] = k
	}
	files := l.search(needles)
	t.Logf("planted %d secrets; searched %d runs' stdout and stderr and %d files under the stack", len(needles), len(l.printed), files)
	if files < 5 {
		t.Errorf("searched %d files; expected the state, its backup, the plans and the export", files)
	}

	// The search must be able to fail: every secret did reach the
	// emulator, and the debug log ran.
	res, _ := s.em.Resource(acr)
	if res.Body["tags"].(map[string]any)["note"] != knownPassword {
		t.Error("the sensitive variable never reached the emulator")
	}
	res, _ = s.em.Resource(app)
	env := res.Body["properties"].(map[string]any)["containers"].([]any)[0].(map[string]any)["properties"].(map[string]any)["environmentVariables"].([]any)[0].(map[string]any)
	if env["secureValue"] != "AccountKey="+storageKeys(t, s, sa)[0] {
		t.Errorf("the storage key never reached the container group: %v", env)
	}
	all := ""
	for _, p := range l.printed {
		all += p.stderr
	}
	if !strings.Contains(all, "arm: response") {
		t.Error("no debug log was written: AZAPPLY_LOG=debug did nothing")
	}
}

// storageKeys asks the emulator for the storage account's keys.
func storageKeys(t *testing.T, s *servedEmulator, sa string) []string {
	t.Helper()
	var keys struct {
		Keys []struct{ Value string } `json:"keys"`
	}
	callEmulator(t, s, "POST", sa+"/listKeys", "2023-05-01", nil, &keys)
	var out []string
	for _, k := range keys.Keys {
		out = append(out, k.Value)
	}
	if len(out) == 0 {
		t.Fatal("listKeys returned no keys")
	}
	return out
}
