package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchForEach is a configuration of n resources of the shape `go run
// ./bench` generates (bench/stack.go, which this package cannot import):
// resource groups, a security group in each, one network with a for_each
// of subnets referring to a security group, and a for_each of public IPs
// for the rest. Unlike the bench's, its bodies refer to no output, so that
// the figures measure loading and evaluating, not outputs (none are known
// here); BenchmarkEvaluateInstance10000 covers those.
func benchForEach(n int) string {
	groups, subnets := max(1, n/50), max(10, n/20)
	ips := n - 2*groups - 1 - subnets
	return fmt.Sprintf(`
provider {
  subscription_id = "00000000-0000-0000-0000-000000000000"
  endpoint        = "emulator"
}
locals {
  location = "westeurope"
  groups   = [for i in range(%d) : format("rg%%04d", i)]
  subnets  = { for i in range(%d) : format("snet%%04d", i) => format("10.%%d.%%d.0/24", floor(i / 256), i %% 256) }
  tags     = { env = "bench" }
}
resource "rg" {
  for_each    = toset(local.groups)
  id          = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${each.key}"
  api_version = "2021-04-01"
  body        = { location = local.location, tags = local.tags }
}
resource "nsg" {
  for_each    = toset(local.groups)
  id          = "${resource.rg[each.key].id}/providers/Microsoft.Network/networkSecurityGroups/nsg"
  api_version = "2024-07-01"
  body        = { location = local.location, tags = local.tags, properties = {} }
}
resource "vnet" {
  id          = "${resource.rg["rg0000"].id}/providers/Microsoft.Network/virtualNetworks/vnet"
  api_version = "2024-07-01"
  body        = { location = local.location, properties = { addressSpace = { addressPrefixes = ["10.0.0.0/8"] } } }
}
resource "subnet" {
  for_each    = local.subnets
  id          = "${resource.vnet.id}/subnets/${each.key}"
  api_version = "2024-07-01"
  body        = { properties = { addressPrefix = each.value, networkSecurityGroup = { id = resource.nsg["rg0000"].id } } }
}
resource "ip" {
  count       = %d
  id          = "${resource.rg[format("rg%%04d", count.index %% %d)].id}/providers/Microsoft.Network/publicIPAddresses/${format("ip%%05d", count.index)}"
  api_version = "2024-07-01"
  body = {
    location   = local.location
    tags       = local.tags
    sku        = { name = "Standard" }
    properties = { publicIPAllocationMethod = "Static", idleTimeoutInMinutes = 4 }
  }
}
`, groups, subnets, ips, groups)
}

// benchBlocks is n resources each written as a block of its own, in 100
// groups, each referring to its group: the shape of a generated or
// hand-written estate without for_each.
func benchBlocks(n int) string {
	var b strings.Builder
	b.WriteString("provider {\n  subscription_id = \"00000000-0000-0000-0000-000000000000\"\n  endpoint = \"emulator\"\n}\n")
	groups := min(100, n)
	for g := range groups {
		fmt.Fprintf(&b, "resource \"rg%d\" {\n  id = \"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg%d\"\n  api_version = \"2021-04-01\"\n  body = { location = \"westeurope\" }\n}\n", g, g)
	}
	for i := range n - groups {
		fmt.Fprintf(&b, `resource "ip%d" {
  id          = "${resource.rg%d.id}/providers/Microsoft.Network/publicIPAddresses/ip%d"
  api_version = "2024-07-01"
  body = {
    location   = "westeurope"
    tags       = { env = "bench", index = "%d" }
    sku        = { name = "Standard" }
    properties = { publicIPAllocationMethod = "Static", idleTimeoutInMinutes = 4 }
  }
}
`, i, i%groups, i, i)
	}
	return b.String()
}

// BenchmarkLoadEvaluate10000 loads and evaluates 10,000-resource
// configurations: parse, expand, build the dependency graph, and evaluate
// every instance's id and body (no outputs yet: a first plan).
func BenchmarkLoadEvaluate10000(b *testing.B) {
	for _, c := range []struct {
		name string
		src  string
	}{
		{"for_each/resources=10000", benchForEach(10000)},
		{"blocks/resources=10000", benchBlocks(10000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(c.src), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				cfg, diags := Load(dir, LoadOptions{})
				if diags.HasErrors() {
					b.Fatal(diagText(cfg, diags))
				}
				insts, diags := cfg.Evaluate(nil)
				if diags.HasErrors() || len(insts) != 10000 {
					b.Fatalf("%d instances: %s", len(insts), diagText(cfg, diags))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/10000, "µs/resource")
		})
	}
}

// BenchmarkEvaluate10000 is one evaluation of a loaded 10,000-resource
// configuration.
func BenchmarkEvaluate10000(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(benchForEach(10000)), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		b.Fatal(diagText(cfg, diags))
	}
	b.ReportAllocs()
	for b.Loop() {
		if insts, diags := cfg.Evaluate(nil); diags.HasErrors() || len(insts) != 10000 {
			b.Fatalf("%d instances: %s", len(insts), diagText(cfg, diags))
		}
	}
}

// BenchmarkEvaluateInstance10000 evaluates single instances of the
// 10,000-resource stack with every output known, as apply does for each
// body that had values unknown at plan time: a public IP (which names its
// group by a computed key), a subnet and a security group, each with a
// fresh call on one Evaluator. Compare BenchmarkEvaluate10000, what the
// same evaluation cost when apply evaluated the whole configuration.
func BenchmarkEvaluateInstance10000(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(benchForEach(10000)), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		b.Fatal(diagText(cfg, diags))
	}
	insts, diags := cfg.Evaluate(nil)
	if diags.HasErrors() {
		b.Fatal(diagText(cfg, diags))
	}
	outputs := make(map[string]any, len(insts))
	for _, in := range insts {
		outputs[in.Address] = map[string]any{"id": in.ID, "properties": map[string]any{"resourceGuid": "g"}}
	}
	lookup := func(a string) (any, bool) {
		o, ok := outputs[a]
		return o, ok
	}
	for _, addr := range []string{`resource.ip[4321]`, `resource.subnet["snet0123"]`, `resource.nsg["rg0042"]`} {
		b.Run(addr, func(b *testing.B) {
			e := cfg.NewEvaluator()
			b.ReportAllocs()
			for b.Loop() {
				if in, diags := e.Instance(addr, lookup); diags.HasErrors() || in == nil {
					b.Fatal(diagText(cfg, diags))
				}
			}
		})
	}
}
