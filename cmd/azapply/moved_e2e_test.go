package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// armWrites lists the requests that change something (PUT, PATCH, DELETE,
// POST) the emulator answered since its observations were reset.
func armWrites(em *emulator.Server) []string {
	var out []string
	for _, e := range em.RequestLog() {
		if e.Method != "GET" && strings.HasPrefix(strings.ToLower(e.Path), "/subscriptions/") {
			out = append(out, e.Method+" "+e.Path)
		}
	}
	return out
}

// TestMovedIntoModuleSendsNothing moves a root resource into a module with
// a moved block: the plan says it has moved, apply sends no request and
// records the new address, and the next plan is clean. state mv then moves
// the module's resources to another module address.
func TestMovedIntoModuleSendsNothing(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	rg := stackRG
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/movedacr"
	writeConfigFile(t, filepath.Join(dir, "main.hcl"), s.provider()+`
resource "rg" {
  id          = "`+rg+`"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/movedacr"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
}
`)
	s.run(t, dir, "apply", "--auto-approve", "--no-color").mustExit(t, exitOK)

	writeConfigFile(t, filepath.Join(dir, "main.hcl"), s.provider()+`
resource "rg" {
  id          = "`+rg+`"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

module "app" {
  source   = "./app"
  group_id = resource.rg.id
}

moved {
  from = resource.acr
  to   = module.app.resource.acr
}
`)
	writeConfigFile(t, filepath.Join(dir, "app", "main.hcl"), `
variable "group_id" {
  type = string
}

resource "acr" {
  id          = "${var.group_id}/providers/Microsoft.ContainerRegistry/registries/movedacr"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
}
`)
	r := s.run(t, dir, "plan", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "# resource.acr has moved to module.app.resource.acr", "No changes.")
	r.mustNotContain(t, "destroy", "will be created")

	s.em.ResetObservations()
	r = s.run(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	r.mustContain(t, "resource.acr: Moved to module.app.resource.acr (no request sent)")
	if w := armWrites(s.em); len(w) != 0 {
		t.Errorf("the move sent %v", w)
	}
	if res, ok := s.em.Resource(acr); !ok || res.Body["sku"].(map[string]any)["name"] != "Basic" {
		t.Errorf("the registry after the move: %v %v", ok, res.Body)
	}
	r = s.run(t, dir, "state", "list")
	r.mustContain(t, "module.app.resource.acr")
	r.mustNotContain(t, "\nresource.acr")
	r = s.run(t, dir, "plan", "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitOK)
	r.mustNotContain(t, "has moved")

	// state mv with module addresses: the module's resources follow.
	r = s.run(t, dir, "state", "mv", "module.app", "module.core")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Moved module.app.resource.acr to module.core.resource.acr.")
	r = s.run(t, dir, "state", "mv", "module.core.resource.acr", "module.app.resource.acr")
	r.mustExit(t, exitOK)
	s.em.ResetObservations()
	s.run(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}
