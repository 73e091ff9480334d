package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// TestTargetedGroupReplaceTakesItsManagedContents: apply --target of a
// resource group that must be replaced (its location changed) deletes the
// registries inside it too. They are managed by this stack, so the plan
// lists them as "managed here, not targeted" (not as unmanaged, which
// would need delete_unmanaged_contents), and their records leave the
// state with the group; the saved plan applies, and the next plan
// creates them again.
func TestTargetedGroupReplaceTakesItsManagedContents(t *testing.T) {
	s := serveLoopback(t, emulator.Options{})
	dir := t.TempDir()
	acr := func(n string) string {
		return stackRG + "/providers/Microsoft.ContainerRegistry/registries/groupacr" + n
	}
	write := func(location string) {
		writeConfigFile(t, filepath.Join(dir, "main.hcl"), s.provider()+`
resource "rg" {
  id          = "`+stackRG+`"
  api_version = "2021-04-01"
  body        = { location = "`+location+`" }
}

resource "acr1" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/groupacr1"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
}

resource "acr2" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/groupacr2"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
}
`)
	}
	write("westus")
	s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)

	write("eastus")
	r := s.run(t, dir, "plan", "--target", "resource.rg", "--no-color", "--out", "targeted.plan")
	r.mustExit(t, exitOK)
	r.mustContain(t, "resource.acr1 (managed here, not targeted: leaves the state)",
		"resource.acr2 (managed here, not targeted: leaves the state)")
	r.mustNotContain(t, "NOT MANAGED")

	// The saved plan applies as it was made.
	r = s.run(t, dir, "apply", "--auto-approve", "--no-color", "targeted.plan")
	r.mustExit(t, exitOK)
	if res, ok := s.em.Resource(stackRG); !ok || res.Body["location"] != "eastus" {
		t.Errorf("the group after apply: %v %v", ok, res.Body)
	}
	for _, n := range []string{"1", "2"} {
		if _, ok := s.em.Resource(acr(n)); ok {
			t.Errorf("groupacr%s outlived its group", n)
		}
	}
	r = s.run(t, dir, "state", "list")
	r.mustExit(t, exitOK)
	if strings.Contains(r.stdout, "resource.acr") || !strings.Contains(r.stdout, "resource.rg") {
		t.Errorf("state list after the targeted replace:\n%s", r.stdout)
	}
	r = s.run(t, dir, "plan", "--no-color")
	r.mustContain(t, "+ resource.acr1", "+ resource.acr2", "Plan: 2 to add, 0 to change, 0 to destroy.")
}
