package export

import (
	"bytes"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
)

func TestReferences(t *testing.T) {
	rg := &Resource{ID: rgID, Name: "rg"}
	vnet := &Resource{ID: vnetID, Name: "vnet"}
	subnet := &Resource{ID: vnetID + "/subnets/app", Name: "app"}
	nsg := &Resource{ID: nsgID, Name: "nsg"}
	g := newGraph([]*Resource{rg, vnet, subnet, nsg})
	for _, c := range []struct {
		name string
		from *Resource
		s    string
		want string
	}{
		{"an exported ID", subnet, nsgID, "resource.nsg.id"},
		{"in another casing", subnet, strings.ToUpper(nsgID), "resource.nsg.id"},
		{"under an exported ID", nsg, vnetID + "/subnets/other", `"${resource.vnet.id}/subnets/other"`},
		{"its own ID", nsg, nsgID, ""},
		{"an ID under itself", vnet, vnetID + "/subnets/app", ""},
		{"not exported", nsg, "/subscriptions/" + sub + "/resourceGroups/other", ""},
		{"not an ID", nsg, "/etc/passwd", ""},
		{"a plain string", nsg, "westus", ""},
		// The subnet refers to the NSG: the NSG referring back would close
		// a cycle.
		{"a cycle", nsg, vnetID + "/subnets/app", ""},
	} {
		if got := g.reference(c.from, c.s); got != c.want {
			t.Errorf("%s: reference(%s, %q) = %q, want %q", c.name, c.from.Name, c.s, got, c.want)
		}
	}
}

// TestExportIsStable: the same resources export to the same files, names
// and all.
func TestExportIsStable(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	seedGroup(t, c)
	first := exportGroup(t, c, Options{})
	for i := 0; i < 3; i++ {
		again := exportGroup(t, c, Options{})
		for name, data := range first.Files {
			if !bytes.Equal(again.Files[name], data) {
				t.Fatalf("%s differs between two exports:\n%s\n---\n%s", name, data, again.Files[name])
			}
		}
	}
}

// TestCrossReferencesStayAcyclic: two resources whose bodies name each
// other: one refers to the other, the other keeps the literal ID, so the
// configuration has no cycle.
func TestCrossReferencesStayAcyclic(t *testing.T) {
	_, c := newEmulator(t, emulator.Options{})
	put(t, c, rgID, "2021-04-01", map[string]any{"location": "westus"})
	a := rgID + "/providers/Microsoft.Network/ipGroups/a"
	b := rgID + "/providers/Microsoft.Network/ipGroups/b"
	put(t, c, a, "2024-07-01", map[string]any{"location": "westus", "properties": map[string]any{"peer": b}})
	put(t, c, b, "2024-07-01", map[string]any{"location": "westus", "properties": map[string]any{"peer": a}})
	res := exportGroup(t, c, Options{})
	text := string(res.Files["rg.hcl"])
	if !strings.Contains(text, "peer = resource.b.id") || !strings.Contains(text, `peer = "`+a+`"`) {
		t.Errorf("want a referring to b and b keeping a's literal ID:\n%s", text)
	}
}

// TestReferencesInAnySpelling: an ID written with doubled or trailing
// slashes or other keyword casing is the same resource (armid.Key), and a
// template on it keeps only the part below the resource.
func TestReferencesInAnySpelling(t *testing.T) {
	odd := "/subscriptions/" + sub + "/resourcegroups/rg//providers/Microsoft.Network/"
	for _, c := range []struct{ s, want string }{
		{nsgID + "/", "resource.nsg.id"},
		{odd + "networkSecurityGroups/rg", "resource.nsg.id"},
		{odd + "networkSecurityGroups/rg//securityRules/r1", `"${resource.nsg.id}/securityRules/r1"`},
	} {
		vnet := &Resource{ID: vnetID, Name: "vnet"}
		nsg := &Resource{ID: nsgID, Name: "nsg"}
		g := newGraph([]*Resource{vnet, nsg})
		if got := g.reference(vnet, c.s); got != c.want {
			t.Errorf("reference(vnet, %q) = %q, want %q", c.s, got, c.want)
		}
	}
}
