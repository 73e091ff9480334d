package config

import (
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// evalOneSrc exercises what EvaluateInstance must get right: for_each and
// count whose keys come from locals and variables, references by literal
// and computed keys, whole-block references, a local made from another
// resource's output, sensitive values, settings and timeouts, a deferred
// data source and an action.
const evalOneSrc = `
variable "regions" { default = ["westus", "eastus"] }
variable "n" { default = 3 }
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
locals {
  rg     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups"
  groups = { for r in var.regions : r => "${local.rg}/rg-${r}" }
  nsg_id = resource.nsg["westus"].output.id
  guids  = [for k, n in resource.nsg : n.output.properties.resourceGuid]
}
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  ignore_changes  = ["tags.managedBy"]
}
resource "rg" {
  for_each    = local.groups
  id          = each.value
  api_version = "2021-04-01"
  body        = { location = each.key, tags = { id = "x" } }
}
resource "nsg" {
  for_each    = toset(var.regions)
  id          = "${resource.rg[each.key].id}/providers/Microsoft.Network/networkSecurityGroups/nsg"
  api_version = "2024-07-01"
  body        = { location = each.key, properties = {} }
  timeouts {
    create = "5m"
    delete = "1h"
  }
}
resource "ip" {
  count       = var.n
  id          = "${resource.rg[var.regions[count.index % length(var.regions)]].id}/providers/Microsoft.Network/publicIPAddresses/ip${count.index}"
  api_version = "2024-07-01"
  body = {
    location   = var.regions[count.index % 2]
    tags       = { nsg = resource.nsg[format("%s", var.regions[count.index % 2])].output.properties.resourceGuid, first = local.nsg_id }
    properties = { adminPassword = var.secret, idleTimeoutInMinutes = 4 }
  }
  update_method      = "PATCH"
  ignore_changes     = ["properties.ipTags"]
  sensitive          = ["properties.dnsSettings"]
  replace_on_changes = ["sku.name"]
  array_keys         = { "properties.ipTags" = "tag" }
  unordered          = ["zones"]
  prevent_destroy    = true
}
resource "lb" {
  id          = "${resource.rg["westus"].id}/providers/Microsoft.Network/loadBalancers/lb"
  api_version = "2024-07-01"
  body = {
    location = "westus"
    ips      = [for i in resource.ip : i.output.id]
    guids    = local.guids
    nsgs     = { for k in var.regions : k => resource.nsg[k].id }
    first    = resource.ip[0].body.location
    count    = length(keys(resource.rg))
  }
  depends_on = [resource.nsg]
}
resource "role" {
  for_each    = { for i in range(var.n) : format("r%d", i) => i }
  id          = "${resource.ip[each.value].id}/providers/Microsoft.Authorization/roleAssignments/${each.key}"
  api_version = "2022-04-01"
  body        = { properties = { principalId = resource.ip[each.value].output.properties.principalId } }
}
data "nsg" {
  id          = resource.nsg["eastus"].output.id
  api_version = "2024-07-01"
}
action "flush" {
  id          = "${resource.lb.id}/flush"
  api_version = "2024-07-01"
  body        = { guid = data.nsg.output.properties.resourceGuid }
  when        = "every_apply"
}
`

// TestEvaluateInstanceMatchesEvaluateAll evaluates every instance of
// every example, of the language tour and of evalOneSrc on its own, with
// no outputs, with some, and with all, and checks that it is the one
// EvaluateAll gives at that address.
func TestEvaluateInstanceMatchesEvaluateAll(t *testing.T) {
	cases := map[string]*Config{}
	dirs, _ := filepath.Glob("../examples/*")
	for _, dir := range dirs {
		if hcl, _ := filepath.Glob(filepath.Join(dir, "*.hcl")); len(hcl) == 0 {
			continue
		}
		cfg, diags := Load(dir, LoadOptions{Vars: exampleVars[filepath.Base(dir)]})
		if diags.HasErrors() {
			t.Fatal(diagText(cfg, diags))
		}
		cases[filepath.Base(dir)] = cfg
	}
	tour, diags := Load("../examples/language-tour", LoadOptions{Vars: map[string]string{"tiers": `["web", "app", "db", "cache"]`, "regions": "3"}})
	if diags.HasErrors() {
		t.Fatal(diagText(tour, diags))
	}
	cases["language-tour with 4 tiers"] = tour
	cases["evalOneSrc"] = mustLoad(t, map[string]string{"main.hcl": evalOneSrc}, LoadOptions{})
	if len(cases) < 8 {
		t.Fatalf("only %d configurations", len(cases))
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			all := allOutputs(t, cfg)
			some := map[string]any{}
			for i, addr := range slices.Sorted(mapKeys(all)) {
				if i%2 == 0 {
					some[addr] = all[addr]
				}
			}
			for _, oc := range []struct {
				name    string
				outputs map[string]any
			}{{"no outputs", nil}, {"some outputs", some}, {"all outputs", all}} {
				full := mustEval(t, cfg, oc.outputs)
				e := cfg.NewEvaluator()
				for _, want := range full.Instances {
					got, diags := e.Instance(want.Address, func(a string) (any, bool) {
						o, ok := oc.outputs[a]
						return o, ok
					})
					if diags.HasErrors() {
						t.Fatalf("%s, %s: %s", oc.name, want.Address, diagText(cfg, diags))
					}
					if d := instanceDiff(got, want); d != "" {
						t.Errorf("%s, %s: %s", oc.name, want.Address, d)
					}
					// The one-off form agrees too.
					if one, diags := cfg.EvaluateInstance(want.Address, oc.outputs); diags.HasErrors() || instanceDiff(one, want) != "" {
						t.Errorf("%s, EvaluateInstance(%s) differs from the Evaluator's: %s", oc.name, want.Address, diagText(cfg, diags))
					}
				}
			}
		})
	}
}

// allOutputs makes an output for every instance of cfg, as if each had
// been applied (or read, or posted), evaluating again until the deferred
// data and actions have theirs.
func allOutputs(t *testing.T, cfg *Config) map[string]any {
	t.Helper()
	outputs := map[string]any{}
	for range 4 {
		for _, in := range mustEval(t, cfg, outputs).Instances {
			if _, ok := outputs[in.Address]; ok || in.Deferred {
				continue
			}
			outputs[in.Address] = map[string]any{
				"id":   strings.ToUpper(in.ID),
				"name": in.Name,
				// a listCredentials answer, for a data block that POSTs one
				"username":  "u-" + in.Name,
				"passwords": []any{map[string]any{"name": "password", "value": "pw-" + in.Address}},
				"properties": map[string]any{
					"resourceGuid": "guid-" + in.Address, "principalId": "p-" + in.Address,
					"loginServer": "ls-" + in.Name, "ConnectionString": "cs-" + in.Address,
				},
			}
		}
	}
	return outputs
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// instanceDiff says how got differs from want, DependsOn aside; "" when
// they are the same.
func instanceDiff(got, want *Instance) string {
	if got == nil {
		return "no instance"
	}
	if !got.Body.RawEquals(want.Body) {
		return "body:\n got " + got.Body.GoString() + "\nwant " + want.Body.GoString()
	}
	if !slices.Equal(SensitivePaths(got.Body), SensitivePaths(want.Body)) {
		return "marks differ"
	}
	if (got.Key == cty.NilVal) != (want.Key == cty.NilVal) || (got.Key != cty.NilVal && !got.Key.RawEquals(want.Key)) {
		return "key differs"
	}
	g, w := *got, *want
	g.Body, w.Body, g.Key, w.Key, g.DependsOn, w.DependsOn = cty.NilVal, cty.NilVal, cty.NilVal, cty.NilVal, nil, nil
	if !reflect.DeepEqual(g, w) {
		return "fields:\n got " + strings.ReplaceAll(strings.TrimSpace(sprintInstance(g)), "\n", " ") + "\nwant " + strings.TrimSpace(sprintInstance(w))
	}
	return ""
}

func sprintInstance(in Instance) string {
	return strings.Join([]string{in.Address, in.ID, in.APIVersion, string(in.Kind), in.UpdateMethod, in.When,
		strings.Join(in.IgnoreChanges, ","), strings.Join(in.Sensitive, ","), in.Timeouts.Create.String()}, " | ")
}

// TestEvaluateInstanceUsesNamedInstancesOnly checks that evaluating one
// instance reads the outputs of the instances it names and no others.
func TestEvaluateInstanceUsesNamedInstancesOnly(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": evalOneSrc}, LoadOptions{})
	all := allOutputs(t, cfg)
	for _, c := range []struct {
		address string
		reads   []string
	}{
		{`resource.rg["westus"]`, nil},
		{`resource.nsg["eastus"]`, []string{`resource.rg["eastus"]`}},
		{`resource.ip[1]`, []string{`resource.nsg["eastus"]`, `resource.nsg["westus"]`, `resource.rg["eastus"]`, `resource.rg["westus"]`}},
		{`resource.ip[2]`, []string{`resource.nsg["westus"]`, `resource.rg["westus"]`}},
		{`resource.role["r2"]`, []string{`resource.ip[2]`, `resource.nsg["westus"]`, `resource.rg["westus"]`}},
		{`data.nsg`, []string{`resource.nsg["eastus"]`, `resource.rg["eastus"]`}},
	} {
		var reads []string
		in, diags := cfg.NewEvaluator().Instance(c.address, func(a string) (any, bool) {
			reads = append(reads, a)
			o, ok := all[a]
			return o, ok
		})
		if diags.HasErrors() || in == nil {
			t.Fatalf("%s: %s", c.address, diagText(cfg, diags))
		}
		reads = slices.DeleteFunc(reads, func(a string) bool { return a == c.address })
		slices.Sort(reads)
		reads = slices.Compact(reads)
		if !slices.Equal(reads, c.reads) {
			t.Errorf("%s read the outputs of %v, want %v", c.address, reads, c.reads)
		}
	}
}

func TestEvaluateInstanceErrors(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": evalOneSrc}, LoadOptions{})
	for _, c := range []struct{ address, want string }{
		{`resource.nope`, "no block declares it"},
		{`resource.ip[7]`, "resource.ip has no instance with the key [7]"},
		{`resource.rg["northpole"]`, `has no instance with the key ["northpole"]`},
	} {
		in, diags := cfg.EvaluateInstance(c.address, nil)
		if in != nil || !diags.HasErrors() || !strings.Contains(diags.Error(), c.want) {
			t.Errorf("%s: %v, %v; want an error containing %q", c.address, in, diags, c.want)
		}
	}
	// A resource whose id is made from an output not known yet is an error,
	// as in EvaluateAll.
	bad := mustLoad(t, map[string]string{"main.hcl": `
resource "a" {
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/a"
  api_version = "2021-04-01"
}
resource "b" {
  id          = "${resource.a.output.id}/providers/X.Y/z/b"
  api_version = "2021-04-01"
}
`}, LoadOptions{})
	if _, diags := bad.EvaluateInstance("resource.b", nil); !diags.HasErrors() || !strings.Contains(diags.Error(), "Value not known until apply") {
		t.Errorf("resource.b with resource.a's output unknown: %v", diags)
	}
	if in, diags := bad.EvaluateInstance("resource.b", map[string]any{"resource.a": map[string]any{"id": sub + "/resourceGroups/A"}}); diags.HasErrors() || in.ID != sub+"/resourceGroups/A/providers/X.Y/z/b" {
		t.Errorf("resource.b with resource.a's output known: %v, %v", in, diags)
	}
}

// TestComputedKeyDependsOnNamedInstance checks that a reference by a
// computed key (resource.rg[format(...)]) makes an instance depend on the
// instance it names, not on every instance of the block.
func TestComputedKeyDependsOnNamedInstance(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": evalOneSrc}, LoadOptions{})
	ev := mustEval(t, cfg, nil)
	for _, c := range []struct {
		address string
		deps    []string
	}{
		// ip[1] names rg["eastus"] and nsg["eastus"]; local.nsg_id names nsg["westus"].
		{`resource.ip[1]`, []string{`resource.nsg["eastus"]`, `resource.nsg["westus"]`, `resource.rg["eastus"]`}},
		{`resource.ip[2]`, []string{`resource.nsg["westus"]`, `resource.rg["westus"]`}},
		// role["r1"] lies under ip[1], which lies under rg["eastus"].
		{`resource.role["r1"]`, []string{`resource.ip[1]`, `resource.rg["eastus"]`}},
		// A whole-block use (a for expression, length, depends_on) waits for all.
		{`resource.lb`, []string{`resource.ip[0]`, `resource.ip[1]`, `resource.ip[2]`, `resource.nsg["eastus"]`, `resource.nsg["westus"]`, `resource.rg["eastus"]`, `resource.rg["westus"]`}},
	} {
		in := byAddress(t, ev.Instances, c.address)
		if !slices.Equal(in.DependsOn, c.deps) {
			t.Errorf("%s depends on %v, want %v", c.address, in.DependsOn, c.deps)
		}
	}
}

// TestRefsOf checks which references name their instances by key.
func TestRefsOf(t *testing.T) {
	for _, c := range []struct {
		expr string
		want string // per block: all, or the number of literal and computed keys
	}{
		{`resource.a["x"].id`, "resource.a:1/0"},
		{`resource.a[0].id`, "resource.a:1/0"},
		{`resource.a[each.key].id`, "resource.a:0/1"},
		{`"${resource.a[format("%s", local.k)].id}/x"`, "resource.a:0/1"},
		{`resource.a[count.index % 2].body.x`, "resource.a:0/1"},
		{`resource.a.id`, "resource.a:all"},
		{`values(resource.a)`, "resource.a:all"},
		{`resource.a[*].id`, "resource.a:all"},
		{`resource.a[resource.b.id]`, "resource.a:all resource.b:all"},
		{`[for k in local.ks : resource.a[k].id]`, "resource.a:all"},
		{`[for count in [1] : resource.a[count.index]]`, "resource.a:all"},
		{`[for k in local.ks : resource.a["x"].id]`, "resource.a:1/0"},
		{`[resource.a["x"].id, resource.a.y]`, "resource.a:all"},
		{`{ a = resource.a[var.k].id, b = data.d[0].output }`, "data.d:1/0 resource.a:0/1"},
	} {
		expr, diags := hclsyntax.ParseExpression([]byte(c.expr), "x.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		rs := refsOf([]hcl.Expression{expr}, "")
		var got []string
		for _, to := range slices.Sorted(mapKeys(rs.blocks)) {
			u := rs.blocks[to]
			if u.all {
				got = append(got, to+":all")
			} else {
				got = append(got, to+":"+strconv.Itoa(len(u.lits))+"/"+strconv.Itoa(len(u.keys)))
			}
		}
		if s := strings.Join(got, " "); s != c.want {
			t.Errorf("%s: %s, want %s", c.expr, s, c.want)
		}
	}
}

// TestEvaluatorConcurrent asks one Evaluator for every instance from
// several goroutines at once, as apply's workers do (run with -race).
func TestEvaluatorConcurrent(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": evalOneSrc}, LoadOptions{})
	all := allOutputs(t, cfg)
	full := mustEval(t, cfg, all)
	e := cfg.NewEvaluator()
	lookup := func(a string) (any, bool) {
		o, ok := all[a]
		return o, ok
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(full.Instances))
	for range 8 {
		wg.Go(func() {
			for _, want := range full.Instances {
				got, diags := e.Instance(want.Address, lookup)
				if diags.HasErrors() {
					errs <- want.Address + ": " + diags.Error()
				} else if d := instanceDiff(got, want); d != "" {
					errs <- want.Address + ": " + d
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
