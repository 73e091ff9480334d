package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/azapply/azapply/emulator"
)

// The tests of this file check that a plan is a promise: apply changes
// exactly what the plan shows and leaves alone what the configuration does
// not declare. Each one looks at the emulator's world after apply, not only
// at what was printed.

// livePath reads a dotted path of a resource in the embedded emulator's
// world of dir.
func livePath(t *testing.T, dir, id, path string) any {
	t.Helper()
	res, ok := world(t, dir).Resource(id)
	if !ok {
		t.Fatalf("%s is not in the emulator", id)
	}
	return dig(res.Body, path)
}

func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// TestPortalChangeSurvivesADeclaredChange is the quickstart's story: a
// setting turned off in the portal, then a declared change applied.
func TestPortalChangeSurvivesADeclaredChange(t *testing.T) {
	dir := example(t, "quickstart")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	azapply(t, dir, "emulator", "change", "--id", quickstartACR, "--merge",
		`{"properties":{"publicNetworkAccess":"Disabled"},"tags":{"owner":"portal"}}`).mustExit(t, exitOK)

	r := azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--detailed-exitcode", "--no-color")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `~ sku.name = "Standard" -> "Premium"`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	// The plan's JSON carries the exact request: the portal's values in it.
	j := azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--format", "json")
	checkRequest(t, j.stdout)
	// A saved plan shows the same request.
	azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--out", "tfplan").mustExit(t, exitOK)
	checkRequest(t, azapply(t, dir, "show", "tfplan", "--format", "json").stdout)

	r = azapply(t, dir, "apply", "--var", "registry_sku=Premium", "--auto-approve")
	r.mustExit(t, exitOK)
	if got := livePath(t, dir, quickstartACR, "properties.publicNetworkAccess"); got != "Disabled" {
		t.Errorf("publicNetworkAccess after apply = %v, want the portal's Disabled", got)
	}
	if got := livePath(t, dir, quickstartACR, "tags.owner"); got != "portal" {
		t.Errorf("the portal's tag after apply = %v", got)
	}
	if got := livePath(t, dir, quickstartACR, "sku.name"); got != "Premium" {
		t.Errorf("sku after apply = %v, want Premium", got)
	}
	azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--detailed-exitcode").mustExit(t, exitOK)
}

// checkRequest checks the registry's request in a JSON plan: the portal's
// value is in it, and the only path shown is sku.name.
func checkRequest(t *testing.T, out string) {
	t.Helper()
	var doc struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Request *struct {
				Method string         `json:"method"`
				Body   map[string]any `json:"body"`
			} `json:"request"`
			Paths []struct {
				Path string `json:"path"`
			} `json:"paths"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("the JSON plan: %v\n%s", err, out)
	}
	found := false
	for _, c := range doc.ResourceChanges {
		if c.Address != "resource.registry" {
			continue
		}
		found = true
		if c.Request == nil || c.Request.Method != "PUT" || dig(c.Request.Body, "properties.publicNetworkAccess") != "Disabled" ||
			dig(c.Request.Body, "sku.name") != "Premium" || dig(c.Request.Body, "etag") != nil {
			t.Errorf("the JSON plan's request for the registry = %+v", c.Request)
		}
		if len(c.Paths) != 1 || c.Paths[0].Path != "sku.name" {
			t.Errorf("the JSON plan's paths = %+v, want sku.name only", c.Paths)
		}
	}
	if !found {
		t.Errorf("the JSON plan has no change for resource.registry:\n%s", out)
	}
}

// TestAcceptedDriftSurvives: drift accepted with apply --refresh-only is
// kept by the next declared change.
func TestAcceptedDriftSurvives(t *testing.T) {
	dir := example(t, "quickstart")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	azapply(t, dir, "emulator", "change", "--id", quickstartACR, "--merge",
		`{"properties":{"anonymousPullEnabled":true}}`).mustExit(t, exitOK)
	azapply(t, dir, "apply", "--refresh-only", "--auto-approve").mustExit(t, exitOK)
	azapply(t, dir, "drift", "--detailed-exitcode").mustExit(t, exitOK)

	azapply(t, dir, "apply", "--var", "registry_sku=Premium", "--auto-approve").mustExit(t, exitOK)
	if got := livePath(t, dir, quickstartACR, "properties.anonymousPullEnabled"); got != true {
		t.Errorf("the accepted anonymousPullEnabled after apply = %v, want true", got)
	}
	if got := livePath(t, dir, quickstartACR, "sku.name"); got != "Premium" {
		t.Errorf("sku after apply = %v, want Premium", got)
	}
}

// TestImportedSettingsSurviveATagChange: a registry adopted with a partial
// body keeps every setting the configuration does not declare.
func TestImportedSettingsSurviveATagChange(t *testing.T) {
	dir := t.TempDir()
	rg := sub + "/resourceGroups/adopted"
	acr := rg + "/providers/Microsoft.ContainerRegistry/registries/adoptedacr"
	putInWorld(t, dir, rg, "2021-04-01", `{"location":"westus"}`)
	putInWorld(t, dir, acr, "2023-07-01", `{"location":"westus","sku":{"name":"Premium"},"properties":{"adminUserEnabled":true,"publicNetworkAccess":"Disabled"}}`)
	config := `provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}

import {
  to = resource.acr
  id = "` + acr + `"
}

resource "acr" {
  id          = "` + acr + `"
  api_version = "2023-07-01"
  body = {
    location = "westus"
    sku      = { name = "Premium" }
  }
}
`
	writeConfig(t, dir, config)
	r := azapply(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Plan: 1 to import")

	writeConfig(t, dir, strings.Replace(config, `sku      = { name = "Premium" }`, `sku      = { name = "Premium" }
    tags     = { team = "platform" }`, 1))
	r = azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `+ tags = {"team":"platform"}`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	r.mustNotContain(t, "adminUserEnabled", "publicNetworkAccess")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	for path, want := range map[string]any{"properties.adminUserEnabled": true, "properties.publicNetworkAccess": "Disabled", "tags.team": "platform"} {
		if got := livePath(t, dir, acr, path); got != want {
			t.Errorf("%s after the tag change = %v, want %v", path, got, want)
		}
	}
}

// TestNetworkTagChangeKeepsItsSubnets: examples/network declares its
// subnets as resources of their own; a tag on the network keeps them.
//
// From api-version 2023-09-01 on, Network keeps the subnets of a PUT that
// leaves them out; before it, an omitted array means none, and the subnet
// the NIC uses cannot go (400 InUseSubnetCannotBeDeleted): both must keep
// them.
func TestNetworkTagChangeKeepsItsSubnets(t *testing.T) {
	for _, v := range []string{"2024-07-01", "2023-05-01"} {
		t.Run(v, func(t *testing.T) { networkTagChange(t, v) })
	}
}

func networkTagChange(t *testing.T, apiVersion string) {
	dir := example(t, "network")
	editFile(t, filepath.Join(dir, "main.hcl"), `/virtualNetworks/demo-vnet"
  api_version = "2024-07-01"`, `/virtualNetworks/demo-vnet"
  api_version = "`+apiVersion+`"`)
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	vnet := sub + "/resourceGroups/network-demo/providers/Microsoft.Network/virtualNetworks/demo-vnet"
	editFile(t, filepath.Join(dir, "main.hcl"), `properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }`,
		`properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }
    tags       = { cost-center = "42" }`)
	r := azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `+ tags`, "Plan: 0 to add, 1 to change, 0 to destroy.")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	subnets, _ := livePath(t, dir, vnet, "properties.subnets").([]any)
	if len(subnets) != 3 {
		t.Fatalf("the network has %d subnets after the tag change, want 3: %v", len(subnets), subnets)
	}
	for _, s := range []string{"app", "data", "ops"} {
		if _, ok := world(t, dir).Resource(vnet + "/subnets/" + s); !ok {
			t.Errorf("subnet %s is gone", s)
		}
	}
	if got := livePath(t, dir, vnet, "tags.cost-center"); got != "42" {
		t.Errorf("tag after apply = %v", got)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}

// TestInlineAndSeparateChildRefused: a subnet declared in the network's
// body and as its own resource is an error before any request.
func TestInlineAndSeparateChildRefused(t *testing.T) {
	dir := example(t, "network")
	editFile(t, filepath.Join(dir, "main.hcl"), `properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }`,
		`properties = {
      addressSpace = { addressPrefixes = ["10.20.0.0/16"] }
      subnets      = [{ name = "app", properties = { addressPrefix = "10.20.1.0/24" } }]
    }`)
	r := azapply(t, dir, "plan")
	r.mustExit(t, exitError)
	for _, want := range []string{`resource.subnet["app"]`, "resource.vnet", "properties.subnets", "main.hcl:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".azapply", "emulator.json")); err == nil {
		if ids := world(t, dir).IDs(); len(ids) != 0 {
			t.Errorf("the emulator has %v after a refused plan", ids)
		}
	}
}

// TestMisspelledPropertyIsWarned: a property the service drops is warned
// about at apply and listed by later plans, with no change.
func TestMisspelledPropertyIsWarned(t *testing.T) {
	dir := example(t, "quickstart")
	editFile(t, filepath.Join(dir, "main.hcl"), "adminUserEnabled = true", "adminUserEnabled = true\n      publicNetworkAcces = \"Disabled\"")
	r := azapply(t, dir, "apply", "--auto-approve", "--no-color")
	r.mustExit(t, exitOK)
	if !strings.Contains(r.stdout+r.stderr, "did not return properties.publicNetworkAcces") {
		t.Errorf("apply did not warn about the misspelled property:\n%s\n%s", r.stdout, r.stderr)
	}
	r = azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitOK)
	r.mustContain(t, "Values the service keeps differently", "properties.publicNetworkAcces", "misspelled")
}

// TestRemovedDeclaredPropertyIsReset: a declared value removed from the
// configuration is planned as removed and left out of the request.
func TestRemovedDeclaredPropertyIsReset(t *testing.T) {
	dir := example(t, "quickstart")
	editFile(t, filepath.Join(dir, "main.hcl"), "adminUserEnabled = true", "adminUserEnabled = true\n      anonymousPullEnabled = true")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	if got := livePath(t, dir, quickstartACR, "properties.anonymousPullEnabled"); got != true {
		t.Fatalf("anonymousPullEnabled = %v after apply", got)
	}
	editFile(t, filepath.Join(dir, "main.hcl"), "\n      anonymousPullEnabled = true", "")
	r := azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "- properties.anonymousPullEnabled = true", "Plan: 0 to add, 1 to change, 0 to destroy.")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	// Left out of the PUT, it takes the service's default again.
	if got := livePath(t, dir, quickstartACR, "properties.anonymousPullEnabled"); got != false {
		t.Errorf("anonymousPullEnabled after its removal = %v, want the default false", got)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}

// TestDeclaredUpdateBodyListsWhatItDrops: with update_body = "declared" the
// PUT is the declared body alone, and the plan lists every live value it
// drops.
func TestDeclaredUpdateBodyListsWhatItDrops(t *testing.T) {
	dir := example(t, "quickstart")
	editFile(t, filepath.Join(dir, "main.hcl"), "adminUserEnabled = true\n    }\n  }", "adminUserEnabled = true\n    }\n  }\n  update_body = \"declared\"")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	azapply(t, dir, "emulator", "change", "--id", quickstartACR, "--merge", `{"tags":{"owner":"portal"}}`).mustExit(t, exitOK)
	r := azapply(t, dir, "plan", "--var", "registry_sku=Premium", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, `~ sku.name = "Standard" -> "Premium"`, `- tags`)
	azapply(t, dir, "apply", "--var", "registry_sku=Premium", "--auto-approve").mustExit(t, exitOK)
	if got := livePath(t, dir, quickstartACR, "tags"); got != nil {
		t.Errorf("tags after a declared-body update = %v, want none (the plan said so)", got)
	}
}

// TestChangeBetweenPlanAndApplyIsRefused: the registry changes in Azure
// after apply's plan read it and before its PUT; If-Match refuses the PUT,
// and the change made in between is intact.
func TestChangeBetweenPlanAndApplyIsRefused(t *testing.T) {
	acr := stackRG + "/providers/Microsoft.ContainerRegistry/registries/racedacr"
	var once sync.Once
	s := serveLoopbackWrapped(t, emulator.Options{}, func(em *emulator.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.EqualFold(r.URL.Path, acr) && r.Header.Get("If-Match") != "" {
				once.Do(func() {
					if err := em.ChangeOutOfBand(acr, map[string]any{"tags": map[string]any{"owner": "portal"}}); err != nil {
						t.Error(err)
					}
				})
			}
			em.ServeHTTP(w, r)
		})
	})
	dir := t.TempDir()
	config := s.provider() + `
resource "rg" {
  id          = "` + stackRG + `"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}

resource "acr" {
  id          = "` + acr + `"
  api_version = "2023-07-01"
  body        = { location = "westus", sku = { name = "Basic" } }
}
`
	writeConfig(t, dir, config)
	s.run(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	writeConfig(t, dir, strings.Replace(config, `name = "Basic"`, `name = "Premium"`, 1))
	r := s.run(t, dir, "apply", "--auto-approve")
	r.mustExit(t, exitError)
	if !strings.Contains(r.stderr, "run plan again") {
		t.Errorf("stderr does not say to plan again:\n%s", r.stderr)
	}
	res, _ := s.em.Resource(acr)
	if got := dig(res.Body, "sku.name"); got != "Basic" {
		t.Errorf("sku after the refused PUT = %v, want Basic", got)
	}
	if got := dig(res.Body, "tags.owner"); got != "portal" {
		t.Errorf("the change made between plan and apply was lost: tags = %v", res.Body["tags"])
	}
}

func writeConfig(t *testing.T, dir, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSubnetRemovedWhileItsNetworkChanges: one apply deletes a subnet and
// updates its network; the network's PUT, built from the live body the
// plan read, must not bring the subnet back.
func TestSubnetRemovedWhileItsNetworkChanges(t *testing.T) {
	dir := example(t, "network")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	vnet := sub + "/resourceGroups/network-demo/providers/Microsoft.Network/virtualNetworks/demo-vnet"
	editFile(t, filepath.Join(dir, "main.hcl"), `properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }`,
		`properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }
    tags       = { cost-center = "42" }`)
	editFile(t, filepath.Join(dir, "main.hcl"), `    ops  = "10.20.3.0/24"`, ``)
	r := azapply(t, dir, "plan", "--no-color", "--detailed-exitcode")
	r.mustExit(t, exitChanges)
	r.mustContain(t, "Plan: 0 to add, 1 to change, 1 to destroy.")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	if _, ok := world(t, dir).Resource(vnet + "/subnets/ops"); ok {
		t.Errorf("the removed subnet came back with its network's update")
	}
	subnets, _ := livePath(t, dir, vnet, "properties.subnets").([]any)
	if len(subnets) != 2 {
		t.Errorf("the network has %d subnets, want 2: %v", len(subnets), subnets)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}

// TestSubnetReplacedWhileItsNetworkChanges: one apply replaces a subnet at
// the same ID and updates its network; the network's PUT leaves the
// deleted subnet out, and the subnet is created again after it.
func TestSubnetReplacedWhileItsNetworkChanges(t *testing.T) {
	dir := example(t, "network")
	azapply(t, dir, "apply", "--auto-approve").mustExit(t, exitOK)
	vnet := sub + "/resourceGroups/network-demo/providers/Microsoft.Network/virtualNetworks/demo-vnet"
	editFile(t, filepath.Join(dir, "main.hcl"), `properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }`,
		`properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }
    tags       = { cost-center = "42" }`)
	r := azapply(t, dir, "apply", "--auto-approve", "--replace", `resource.subnet["ops"]`)
	r.mustExit(t, exitOK)
	if _, ok := world(t, dir).Resource(vnet + "/subnets/ops"); !ok {
		t.Errorf("the replaced subnet is gone")
	}
	if subnets, _ := livePath(t, dir, vnet, "properties.subnets").([]any); len(subnets) != 3 {
		t.Errorf("the network has %d subnets, want 3", len(subnets))
	}
	if got := livePath(t, dir, vnet, "tags.cost-center"); got != "42" {
		t.Errorf("tag after apply = %v", got)
	}
	azapply(t, dir, "plan", "--detailed-exitcode").mustExit(t, exitOK)
}
