package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamples loads and evaluates every configuration under examples/.
func TestExamples(t *testing.T) {
	dirs, err := filepath.Glob("../examples/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) == 0 {
			continue // e.g. examples/github-actions: workflows, not a configuration
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			cfg, diags := Load(dir, LoadOptions{Vars: exampleVars[filepath.Base(dir)]})
			if diags.HasErrors() {
				t.Fatal(diagText(cfg, diags))
			}
			ev := mustEval(t, cfg, nil)
			if len(ev.Resources()) == 0 {
				t.Error("the example declares no resources")
			}
		})
	}
}

// exampleVars are the required variables of examples that have some.
var exampleVars = map[string]map[string]string{
	"azure-stack-hub": {
		"metadata_endpoint": "https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01",
		"tenant_id":         "00000000-0000-0000-0000-000000000001",
		"client_id":         "00000000-0000-0000-0000-000000000002",
		"client_secret":     "not-a-secret",
	},
}

func TestNetworkExample(t *testing.T) {
	cfg, diags := Load("../examples/language-tour", LoadOptions{Vars: map[string]string{"tiers": `["web", "db"]`}})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	ev := mustEval(t, cfg, nil)
	want := `resource.rg resource.vnet resource.nsg["db"] resource.nsg["web"] resource.subnet["db"] resource.subnet["web"] resource.storage[0] resource.storage[1]`
	if got := strings.Join(addresses(ev.Resources()), " "); got != want {
		t.Errorf("instances:\n got %s\nwant %s", got, want)
	}
	db := byAddress(t, ev.Resources(), `resource.subnet["db"]`)
	if got := jsonOf(t, ToJSONValue(db.Body)); !strings.Contains(got, `"addressPrefix":"10.20.2.0/24"`) || !strings.Contains(got, `networkSecurityGroups/db-nsg`) {
		t.Errorf("subnet db body = %s", got)
	}
	nsg := byAddress(t, ev.Resources(), `resource.nsg["web"]`)
	if got := jsonOf(t, ToJSONValue(nsg.Body)); !strings.Contains(got, `"deny-internet-inbound"`) || !strings.Contains(got, `"tier":"web"`) {
		t.Errorf("nsg body = %s", got)
	}
}

// benchStack writes the benchmark stack and returns its directory.
func benchStack(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(fmt.Sprintf(benchSrc, 250)), 0o644); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkLoadEvaluate loads and evaluates a stack of one resource group,
// one network, 250 subnets (for_each), 250 security groups and 250 role
// assignments (count): 752 instances, with references and containment.
func BenchmarkLoadEvaluate(b *testing.B) {
	dir := benchStack(b)
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := Load(dir, LoadOptions{})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		insts, diags := cfg.Evaluate(nil)
		if diags.HasErrors() || len(insts) != 752 {
			b.Fatalf("%d instances, %v", len(insts), diags)
		}
	}
}

// BenchmarkEvaluate is one evaluation of the loaded benchmark stack, as
// plan does (apply evaluates single instances: see
// BenchmarkEvaluateInstance10000).
func BenchmarkEvaluate(b *testing.B) {
	cfg, diags := Load(benchStack(b), LoadOptions{})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	b.ReportAllocs()
	for b.Loop() {
		if insts, diags := cfg.Evaluate(nil); diags.HasErrors() || len(insts) != 752 {
			b.Fatalf("%d instances, %v", len(insts), diags)
		}
	}
}

const benchSrc = `
variable "n" { default = %d }
locals {
  rg   = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/bench"
  keys = [for i in range(var.n) : format("s%%03d", i)]
}
resource "rg" {
  id          = local.rg
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
resource "vnet" {
  id          = "${resource.rg.id}/providers/Microsoft.Network/virtualNetworks/v"
  api_version = "2023-09-01"
  body        = { location = "westus", properties = { addressSpace = { addressPrefixes = ["10.0.0.0/8"] } } }
}
resource "nsg" {
  for_each    = toset(local.keys)
  id          = "${resource.rg.id}/providers/Microsoft.Network/networkSecurityGroups/${each.key}"
  api_version = "2023-09-01"
  body        = { location = "westus", properties = { securityRules = [] } }
}
resource "subnet" {
  for_each    = { for i, k in local.keys : k => cidrsubnet("10.0.0.0/8", 16, i) }
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2023-09-01"
  body        = { properties = { addressPrefix = each.value, networkSecurityGroup = { id = resource.nsg[each.key].id } } }
}
resource "role" {
  count       = var.n
  id          = "${resource.subnet[local.keys[count.index]].id}/providers/Microsoft.Authorization/roleAssignments/r${count.index}"
  api_version = "2022-04-01"
  body        = { properties = { principalId = "p", roleDefinitionId = "r", password = "x" } }
}
`
