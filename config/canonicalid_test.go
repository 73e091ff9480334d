package config

import "testing"

// TestIDsAreCanonical checks that every ID a configuration declares
// enters in one spelling, whatever slashes and keyword casing it was
// written with: resources, data, actions (and the ids other blocks build
// from them) and imports.
func TestIDsAreCanonical(t *testing.T) {
	// A block whose id is another's with a trailing slash names the same
	// resource: refused as a duplicate.
	_, diags := Load(writeDir(t, map[string]string{"main.hcl": `
resource "rg" {
  id          = "//SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/Demo/"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "again" {
  id          = "${resource.rg.id}/"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
`}), LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Duplicate resource ID" {
		t.Fatalf("a trailing slash made another ID: %v", diags)
	}

	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "rg" {
  id          = "//SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/resourcegroups/Demo/"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry//registries/acr/"
  api_version = "2023-07-01"
  body        = { location = "westus" }
}
data "vnet" {
  id          = "${resource.rg.id}//Providers/Microsoft.Network/virtualNetworks/v/"
  api_version = "2024-07-01"
}
action "creds" {
  id          = "${resource.registry.id}//listCredentials"
  api_version = "2023-07-01"
}
import {
  to = resource.rg
  id = "/subscriptions/00000000-0000-0000-0000-000000000000//ResourceGroups/Demo/"
}
`}, LoadOptions{})
	ev := mustEval(t, cfg, nil)
	rg := sub + "/resourceGroups/Demo"
	want := map[string]string{
		"resource.rg":       rg,
		"resource.registry": rg + "/providers/Microsoft.ContainerRegistry/registries/acr",
		"data.vnet":         rg + "/providers/Microsoft.Network/virtualNetworks/v",
		"action.creds":      rg + "/providers/Microsoft.ContainerRegistry/registries/acr/listCredentials",
	}
	for addr, id := range want {
		if got := byAddress(t, ev.Instances, addr).ID; got != id {
			t.Errorf("%s has id %q, want %q", addr, got, id)
		}
	}
	if len(cfg.Imports) != 1 || cfg.Imports[0].ID != rg {
		t.Errorf("the import's id: %+v, want %q", cfg.Imports, rg)
	}
	// The registry depends on the group it lies under, found by its
	// canonical ID.
	reg := byAddress(t, ev.Instances, "resource.registry")
	found := false
	for _, d := range reg.DependsOn {
		found = found || d == "resource.rg"
	}
	if !found {
		t.Errorf("the registry does not depend on its group: %v", reg.DependsOn)
	}
}
