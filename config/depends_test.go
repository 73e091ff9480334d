package config

import (
	"slices"
	"testing"
)

// TestSharedDependsOnStaysPerInstance checks that the instances of a block,
// which share the list of what the block refers to, each get their own
// containment parents without changing the others' lists.
func TestSharedDependsOnStaysPerInstance(t *testing.T) {
	cfg := mustLoad(t, map[string]string{"main.hcl": `
resource "tag" {
  for_each    = toset(["a", "b"])
  id          = "` + sub + `/resourceGroups/tag-${each.key}"
  api_version = "2021-04-01"
}
resource "net" {
  for_each    = toset(["one", "two"])
  id          = "` + sub + `/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/${each.key}"
  api_version = "2024-07-01"
}
resource "subnet" {
  for_each    = { x = "one", y = "two", z = "three" }
  id          = "` + sub + `/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/${each.value}/subnets/${each.key}"
  api_version = "2024-07-01"
  body        = { tags = { t = resource.tag[each.key == "x" ? "a" : "b"].id } }
}
resource "child" {
  for_each    = toset(["one", "two"])
  id          = "${resource.net[each.key].id}/subnets/s"
  api_version = "2024-07-01"
}
resource "peer" {
  for_each    = toset(["one", "two"])
  id          = "${resource.net[each.key].id}/virtualNetworkPeerings/p"
  api_version = "2024-07-01"
  body        = { tags = { n = length(keys(resource.net)) } }
}
`}, LoadOptions{})
	ev := mustEval(t, cfg, nil)
	for addr, want := range map[string][]string{
		// A key computed per instance names the one instance it uses.
		`resource.subnet["x"]`:  {`resource.net["one"]`, `resource.tag["a"]`},
		`resource.subnet["y"]`:  {`resource.net["two"]`, `resource.tag["b"]`},
		`resource.subnet["z"]`:  {`resource.tag["b"]`},
		`resource.child["one"]`: {`resource.net["one"]`},
		`resource.child["two"]`: {`resource.net["two"]`},
		// The whole block: every instance (its containment parent among them).
		`resource.peer["one"]`: {`resource.net["one"]`, `resource.net["two"]`},
		`resource.peer["two"]`: {`resource.net["one"]`, `resource.net["two"]`},
	} {
		if got := byAddress(t, ev.Resources(), addr).DependsOn; !slices.Equal(got, want) {
			t.Errorf("%s depends on %q, want %q", addr, got, want)
		}
	}
	// A parent already among what the block refers to is not added again:
	// the instances keep sharing one list.
	one, two := byAddress(t, ev.Resources(), `resource.peer["one"]`), byAddress(t, ev.Resources(), `resource.peer["two"]`)
	if &one.DependsOn[0] != &two.DependsOn[0] {
		t.Errorf("the instances of resource.peer each have their own copy of the same dependencies")
	}
}
