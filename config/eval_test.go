package config

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
)

func TestForEachAndCount(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "vnet" {
  id          = "` + sub + `/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet"
  api_version = "2023-09-01"
  body        = { location = "westus" }
}
resource "subnet" {
  for_each    = { app = "10.0.1.0/24", db = "10.0.2.0/24" }
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2023-09-01"
  body        = { properties = { addressPrefix = each.value } }
}
resource "zone" {
  count       = 2
  id          = "` + sub + `/resourceGroups/zone${count.index}"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { subnet = resource.subnet["db"].id } }
}
resource "nsg" {
  for_each    = toset(["web"])
  id          = "` + sub + `/resourceGroups/net/providers/Microsoft.Network/networkSecurityGroups/${each.value}"
  api_version = "2023-09-01"
  body        = { tags = { subnets = join(",", [for s in resource.subnet : s.id]) } }
}
`}, LoadOptions{})
	insts := mustEval(t, cfg, nil).Resources()
	wantOrder := []string{"resource.vnet", `resource.subnet["app"]`, `resource.subnet["db"]`, "resource.zone[0]", "resource.zone[1]", `resource.nsg["web"]`}
	if got := addresses(insts); !reflect.DeepEqual(got, wantOrder) {
		t.Errorf("order = %v, want %v", got, wantOrder)
	}
	db := byAddress(t, insts, `resource.subnet["db"]`)
	if db.ID != sub+"/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/db" || db.Key != cty.StringVal("db") || db.Block != "resource.subnet" {
		t.Errorf("subnet db = %+v", db)
	}
	if got := jsonOf(t, ToJSONValue(db.Body)); got != `{"properties":{"addressPrefix":"10.0.2.0/24"}}` {
		t.Errorf("subnet db body = %s", got)
	}
	zone1 := byAddress(t, insts, "resource.zone[1]")
	if zone1.ID != sub+"/resourceGroups/zone1" || !reflect.DeepEqual(zone1.DependsOn, []string{`resource.subnet["db"]`}) {
		t.Errorf("zone[1]: id %s, depends on %v (want only the db subnet: the reference names its key)", zone1.ID, zone1.DependsOn)
	}
	nsg := byAddress(t, insts, `resource.nsg["web"]`)
	if !reflect.DeepEqual(nsg.DependsOn, []string{`resource.subnet["app"]`, `resource.subnet["db"]`}) {
		t.Errorf("nsg depends on %v", nsg.DependsOn)
	}
	if got := jsonOf(t, ToJSONValue(nsg.Body)); !strings.Contains(got, "subnets/app,") {
		t.Errorf("nsg body = %s", got)
	}
}

func TestDependenciesAndOrder(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
locals {
  registry_name = "acr${resource.rg.body.tags.suffix}"
}
resource "registry" {
  id          = "${resource.rg.id}/providers/Microsoft.ContainerRegistry/registries/${local.registry_name}"
  api_version = "2023-07-01"
  depends_on  = [resource.identity]
}
resource "role" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr1/providers/Microsoft.Authorization/roleAssignments/r1"
  api_version = "2022-04-01"
}
resource "identity" {
  id          = "` + sub + `/resourceGroups/other/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"
  api_version = "2023-01-31"
}
resource "rg" {
  id          = "` + sub + `/resourceGroups/demo"
  api_version = "2021-04-01"
  body        = { location = "westus", tags = { suffix = "1" } }
}
`}, LoadOptions{})
	insts := mustEval(t, cfg, nil).Resources()
	want := []string{"resource.rg", "resource.identity", "resource.registry", "resource.role"}
	if got := addresses(insts); !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	deps := map[string][]string{}
	for _, in := range insts {
		deps[in.Address] = in.DependsOn
	}
	wantDeps := map[string][]string{
		"resource.identity": nil,
		"resource.rg":       nil,
		// through local.registry_name and containment, and depends_on
		"resource.registry": {"resource.identity", "resource.rg"},
		// containment only: its ID lies under the registry's and the group's
		"resource.role": {"resource.registry", "resource.rg"},
	}
	if !reflect.DeepEqual(deps, wantDeps) {
		t.Errorf("DependsOn = %v, want %v", deps, wantDeps)
	}
}

func TestUnknownUntilApply(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "registry" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr"
  api_version = "2023-07-01"
  body        = { location = "westus" }
}
resource "app" {
  id          = "` + sub + `/resourceGroups/demo/providers/Microsoft.Web/sites/app"
  api_version = "2023-12-01"
  body = {
    location   = resource.registry.body.location
    properties = { registry = resource.registry.output.properties.loginServer }
  }
}
output "login_server" {
  value = resource.registry.output.properties.loginServer
}
`}, LoadOptions{})
	ev := mustEval(t, cfg, nil)
	app := byAddress(t, ev.Resources(), "resource.app")
	if got := jsonOf(t, ToJSONValue(app.Body)); got != `{"location":"westus","properties":{"registry":"(known after apply)"}}` {
		t.Errorf("before apply: %s", got)
	}
	if ev.Outputs[0].Value.IsKnown() {
		t.Errorf("output known before apply: %#v", ev.Outputs[0].Value)
	}
	ev = mustEval(t, cfg, map[string]any{"resource.registry": map[string]any{"properties": map[string]any{"loginServer": "acr.azurecr.io"}}})
	app = byAddress(t, ev.Resources(), "resource.app")
	if got := jsonOf(t, ToJSONValue(app.Body)); got != `{"location":"westus","properties":{"registry":"acr.azurecr.io"}}` {
		t.Errorf("after apply: %s", got)
	}
	if ev.Outputs[0].Name != "login_server" || ev.Outputs[0].Value != cty.StringVal("acr.azurecr.io") {
		t.Errorf("output = %+v", ev.Outputs[0])
	}
}

func TestDataAndActions(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
data "subscription" {
  id          = "` + sub + `"
  api_version = "2022-12-01"
}
data "group" {
  id          = "${data.subscription.output.id}/resourceGroups/${data.subscription.output.tags.rg}"
  api_version = "2021-04-01"
  timeouts { read = "2m" }
}
resource "registry" {
  id          = "${data.group.id}/providers/Microsoft.ContainerRegistry/registries/acr"
  api_version = "2023-07-01"
  body        = { location = data.group.output.location }
}
action "regenerate" {
  id          = "${resource.registry.id}/regenerateCredential"
  api_version = "2023-07-01"
  body        = { name = "password" }
}
action "every" {
  id          = "${resource.registry.id}/listCredentials"
  api_version = "2023-07-01"
  when        = "every_apply"
}
`}, LoadOptions{})
	// Before the data sources are read, the group's id is not known, and
	// the registry's id, made from it, cannot be planned.
	if _, diags := cfg.EvaluateAll(nil); !diags.HasErrors() || diags[0].Summary != "Value not known until apply" || diags[0].Subject.Start.Line != 12 {
		t.Fatalf("evaluating before reading the data: %v", diags)
	}
	var reads []string
	live := map[string]map[string]any{
		sub:                          {"id": sub, "tags": map[string]any{"rg": "demo"}},
		sub + "/resourceGroups/demo": {"id": sub + "/resourceGroups/demo", "location": "westeurope"},
	}
	outputs, ev, diags := cfg.ReadData(context.Background(), nil, func(_ context.Context, in *Instance) (map[string]any, error) {
		id, apiVersion := in.ID, in.APIVersion
		reads = append(reads, id+"@"+apiVersion)
		body, ok := live[id]
		if !ok {
			return nil, fmt.Errorf("not found")
		}
		return body, nil
	})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if want := []string{sub + "@2022-12-01", sub + "/resourceGroups/demo@2021-04-01"}; !reflect.DeepEqual(reads, want) {
		t.Errorf("reads = %v, want %v", reads, want)
	}
	if _, ok := outputs["data.group"]; !ok {
		t.Errorf("outputs lack data.group: %v", outputs)
	}
	want := []string{"data.subscription", "data.group", "resource.registry", "action.regenerate", "action.every"}
	if got := addresses(ev.Instances); !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	reg := byAddress(t, ev.Instances, "resource.registry")
	if got := jsonOf(t, ToJSONValue(reg.Body)); got != `{"location":"westeurope"}` || !reflect.DeepEqual(reg.DependsOn, []string{"data.group"}) {
		t.Errorf("registry body %s, depends on %v", got, reg.DependsOn)
	}
	group := byAddress(t, ev.Instances, "data.group")
	if group.Kind != KindData || group.Timeouts.Read != 2*time.Minute {
		t.Errorf("data.group = %+v", group)
	}
	regen := byAddress(t, ev.Instances, "action.regenerate")
	if regen.Kind != KindAction || regen.When != "create" || regen.ID != reg.ID+"/regenerateCredential" || !reflect.DeepEqual(regen.DependsOn, []string{"resource.registry"}) {
		t.Errorf("action.regenerate = %+v", regen)
	}
	if every := byAddress(t, ev.Instances, "action.every"); every.When != "every_apply" {
		t.Errorf("action.every when = %q", every.When)
	}
	// Evaluate (what plan and apply call) returns resources only.
	insts, diags := cfg.Evaluate(outputs)
	if diags.HasErrors() || !reflect.DeepEqual(addresses(insts), []string{"resource.registry"}) {
		t.Errorf("Evaluate = %v, %v", addresses(insts), diags)
	}
	// A failed read names the data block.
	_, _, diags = cfg.ReadData(context.Background(), nil, func(context.Context, *Instance) (map[string]any, error) {
		return nil, fmt.Errorf("403 AuthorizationFailed")
	})
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "data.subscription") || !strings.Contains(diags[0].Detail, "AuthorizationFailed") {
		t.Errorf("failed read: %v", diags)
	}
}

func TestResourceSettings(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
provider {
  ignore_changes = ["tags.policy"]
}
resource "registry" {
  id                 = "` + sub + `/resourceGroups/demo/providers/Microsoft.ContainerRegistry/registries/acr"
  api_version        = "2023-01-01-preview"
  body               = { location = "westus" }
  update_method      = "patch"
  ignore_changes     = ["properties.policies", "properties.rules[*].name"]
  sensitive          = ["properties.adminPassword"]
  prevent_destroy    = true
  replace_on_changes = ["location"]
  array_keys         = { "properties.securityRules" = "priority" }
  unordered          = ["properties.ipRules"]
  timeouts {
    create = "30m"
    update = "1h"
    delete = "45s"
  }
}
resource "defaults" {
  id          = "` + sub + `/resourceGroups/other"
  api_version = "2021-04-01"
}
`}, LoadOptions{})
	insts := mustEval(t, cfg, nil).Resources()
	got := byAddress(t, insts, "resource.registry")
	checks := []struct {
		name      string
		got, want any
	}{
		{"UpdateMethod", got.UpdateMethod, "PATCH"},
		{"IgnoreChanges", got.IgnoreChanges, []string{"properties.policies", "properties.rules[*].name", "tags.policy"}},
		{"Sensitive", got.Sensitive, []string{"properties.adminPassword"}},
		{"PreventDestroy", got.PreventDestroy, true},
		{"ReplaceOnChanges", got.ReplaceOnChanges, []string{"location"}},
		{"ArrayKeys", got.ArrayKeys, map[string]string{"properties.securityRules": "priority"}},
		{"Unordered", got.Unordered, []string{"properties.ipRules"}},
		{"Timeouts", got.Timeouts, Timeouts{Create: 30 * time.Minute, Update: time.Hour, Delete: 45 * time.Second}},
		{"Kind", got.Kind, KindResource},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	d := byAddress(t, insts, "resource.defaults")
	if d.UpdateMethod != "PUT" || d.PreventDestroy || !reflect.DeepEqual(d.IgnoreChanges, []string{"tags.policy"}) || d.Timeouts != (Timeouts{}) {
		t.Errorf("defaults = %+v", d)
	}
}

func TestOutputs(t *testing.T) {
	src := `
variable "pw" {
  sensitive = true
  default   = "hunter2"
}
output "plain" {
  value       = "x"
  description = "A value."
}
output "secret" {
  value     = var.pw
  sensitive = true
}
`
	ev := mustEval(t, mustLoad(t, map[string]string{"main.hcl": src}, LoadOptions{}), nil)
	if len(ev.Outputs) != 2 || ev.Outputs[0].Name != "plain" || ev.Outputs[0].Description != "A value." || ev.Outputs[0].Sensitive {
		t.Errorf("outputs = %+v", ev.Outputs)
	}
	if o := ev.Outputs[1]; !o.Sensitive || !o.Value.HasMark(SensitiveMark) {
		t.Errorf("secret output = %+v", o)
	}
	_, diags := Load(writeDir(t, map[string]string{"main.hcl": strings.Replace(src, "sensitive = true\n}\n", "}\n", 1)}), LoadOptions{})
	if !diags.HasErrors() || diags[0].Summary != "Output refers to sensitive values" {
		t.Errorf("an output of a sensitive value without sensitive = true: %v", diags)
	}
}

func TestDynamicLocals(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
locals {
  base  = "` + sub + `/resourceGroups"
  names = ["a", "b"]
  ids   = [for r in resource.rg : r.id]
  count = length(local.ids)
}
resource "rg" {
  for_each    = toset(local.names)
  id          = "${local.base}/${each.key}"
  api_version = "2021-04-01"
}
output "ids" { value = local.ids }
output "count" { value = local.count }
`}, LoadOptions{})
	if _, ok := cfg.Locals["ids"]; ok {
		t.Error("local.ids, which refers to resources, was evaluated by Load")
	}
	if cfg.Locals["base"] != cty.StringVal(sub+"/resourceGroups") {
		t.Errorf("local.base = %#v", cfg.Locals["base"])
	}
	ev := mustEval(t, cfg, nil)
	if got := jsonOf(t, ToJSONValue(ev.Outputs[0].Value)); got != `["`+sub+`/resourceGroups/a","`+sub+`/resourceGroups/b"]` {
		t.Errorf("output ids = %s", got)
	}
	if got := jsonOf(t, ToJSONValue(ev.Outputs[1].Value)); got != "2" {
		t.Errorf("output count = %s", got)
	}
}

func TestForEachOverData(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
data "groups" {
  id          = "` + sub + `/resourceGroups/catalog"
  api_version = "2021-04-01"
}
resource "rg" {
  for_each    = toset(data.groups.output.tags.names)
  id          = "` + sub + `/resourceGroups/${each.key}"
  api_version = "2021-04-01"
  body        = { location = data.groups.output.location }
}
`}, LoadOptions{})
	_, ev, diags := cfg.ReadData(context.Background(), nil, func(context.Context, *Instance) (map[string]any, error) {
		return map[string]any{"location": "westus", "tags": map[string]any{"names": []any{"a", "b"}}}, nil
	})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if got := addresses(ev.Resources()); !reflect.DeepEqual(got, []string{`resource.rg["a"]`, `resource.rg["b"]`}) {
		t.Errorf("instances = %v", got)
	}
}

// TestEvaluateConcurrently evaluates one Config from several goroutines, as
// apply's workers may: run with -race.
func TestEvaluateConcurrently(t *testing.T) {
	cfg, diags := Load("../examples/network", LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	want := addresses(mustEval(t, cfg, nil).Resources())
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			insts, diags := cfg.Evaluate(map[string]any{"resource.rg": map[string]any{"location": "westus"}})
			switch {
			case diags.HasErrors():
				errs <- diags
			case !reflect.DeepEqual(addresses(insts), want):
				errs <- fmt.Errorf("instances %v", addresses(insts))
			default:
				errs <- nil
			}
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestReadDataDeferring(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "rg" {
  id          = "` + sub + `/resourceGroups/new"
  api_version = "2021-04-01"
  body        = { location = "westus" }
}
data "subscription" {
  id          = "` + sub + `"
  api_version = "2022-12-01"
}
data "rg" {
  id          = resource.rg.id
  api_version = "2021-04-01"
  depends_on  = [resource.rg]
}
`}, LoadOptions{})
	var reads []string
	read := func(_ context.Context, in *Instance) (map[string]any, error) {
		id := in.ID
		reads = append(reads, id)
		return map[string]any{"id": id}, nil
	}
	// Plan defers data that depends on a resource it has yet to create.
	outputs, ev, diags := cfg.ReadDataDeferring(context.Background(), nil, read, func(in *Instance) bool {
		return slices.Contains(in.DependsOn, "resource.rg")
	})
	if diags.HasErrors() {
		t.Fatal(diagText(cfg, diags))
	}
	if !reflect.DeepEqual(reads, []string{sub}) {
		t.Fatalf("reads = %v, want only the subscription", reads)
	}
	if _, ok := outputs["data.rg"]; ok || len(ev.Data()) != 2 {
		t.Fatalf("data.rg was read, or the evaluation lost a data instance: %v, %d", outputs, len(ev.Data()))
	}
}
