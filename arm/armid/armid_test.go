package armid

import (
	"strings"
	"testing"
)

const (
	sub  = "/subscriptions/00000000-0000-0000-0000-000000000001"
	rg   = sub + "/resourceGroups/demo"
	vnet = rg + "/providers/Microsoft.Network/virtualNetworks/vnet1"
)

func TestParseParts(t *testing.T) {
	tests := []struct {
		id, typ, name, parent, scope, sub, rg string
		extension                             bool
	}{
		{sub, "Microsoft.Resources/subscriptions", "00000000-0000-0000-0000-000000000001", "/", "/", "00000000-0000-0000-0000-000000000001", "", false},
		{rg, "Microsoft.Resources/resourceGroups", "demo", sub, sub, "00000000-0000-0000-0000-000000000001", "demo", false},
		{rg + "/", "Microsoft.Resources/resourceGroups", "demo", sub, sub, "00000000-0000-0000-0000-000000000001", "demo", false},
		{vnet, "Microsoft.Network/virtualNetworks", "vnet1", rg, rg, "00000000-0000-0000-0000-000000000001", "demo", false},
		{vnet + "/subnets/app", "Microsoft.Network/virtualNetworks/subnets", "app", vnet, rg, "00000000-0000-0000-0000-000000000001", "demo", false},
		{vnet + "/providers/Microsoft.Authorization/roleAssignments/ra1", "Microsoft.Authorization/roleAssignments", "ra1", vnet, vnet, "00000000-0000-0000-0000-000000000001", "demo", true},
		{sub + "/providers/Microsoft.Authorization/roleAssignments/ra2", "Microsoft.Authorization/roleAssignments", "ra2", sub, sub, "00000000-0000-0000-0000-000000000001", "", false},
		{"/providers/Microsoft.Management/managementGroups/mg1", "Microsoft.Management/managementGroups", "mg1", "/", "/", "", "", false},
		{"/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/policyAssignments/pa", "Microsoft.Authorization/policyAssignments", "pa", "/providers/Microsoft.Management/managementGroups/mg1", "/providers/Microsoft.Management/managementGroups/mg1", "", "", true},
		{sub + "/providers/Microsoft.Network", "Microsoft.Resources/providers", "Microsoft.Network", sub, sub, "00000000-0000-0000-0000-000000000001", "", false},
		{sub + "/locations/westus", "Microsoft.Resources/subscriptions/locations", "westus", sub, sub, "00000000-0000-0000-0000-000000000001", "", false},
		{"/SUBSCRIPTIONS/s/resourcegroups/RG/providers/microsoft.network/VirtualNetworks/v", "microsoft.network/VirtualNetworks", "v", "/subscriptions/s/resourceGroups/RG", "/subscriptions/s/resourceGroups/RG", "s", "RG", false},
		{"//subscriptions/s//resourceGroups/RG/PROVIDERS/Microsoft.Network/virtualNetworks//v/", "Microsoft.Network/virtualNetworks", "v", "/subscriptions/s/resourceGroups/RG", "/subscriptions/s/resourceGroups/RG", "s", "RG", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			id, err := Parse(tt.id)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := id.String(); got != Canonical(tt.id) {
				t.Errorf("String() = %q, want the canonical %q", got, Canonical(tt.id))
			}
			checks := []struct{ what, got, want string }{
				{"ResourceType", id.ResourceType(), tt.typ},
				{"Name", id.Name(), tt.name},
				{"Parent", id.Parent().String(), tt.parent},
				{"Scope", id.Scope().String(), tt.scope},
				{"SubscriptionID", id.SubscriptionID(), tt.sub},
				{"ResourceGroup", id.ResourceGroup(), tt.rg},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s() = %q, want %q", c.what, c.got, c.want)
				}
			}
			if id.IsExtension() != tt.extension {
				t.Errorf("IsExtension() = %v, want %v", id.IsExtension(), tt.extension)
			}
			if !id.IsUnder(id.Parent()) {
				t.Errorf("%s is not under its parent %s", id, id.Parent())
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ id, want string }{
		{"", "empty"},
		{"/", "tenant root"},
		{"https://management.azure.com/subscriptions/x", "is a URL"},
		{"subscriptions/x", `does not start with "/"`},
		{rg + "?api-version=2021-04-01", "query or fragment"},
		{rg + "/../x", `".." segment`},
		{rg + "/providers/Microsoft.Web/sites/my app", "white space"},
		{rg + "/providers/Microsoft.Web/sites/a\x00b", "control character"},
		{rg + "/providers/Microsoft.Network/virtualNetworks", "odd number of segments"},
		{vnet + "/subnets", "odd number of segments"},
		{"/tenants/x", `starts with "tenants"`},
		{rg + "/virtualNetworks/v", "after the resource group"},
		{rg + "/providers/Network/virtualNetworks/v", "namespace has a dot"},
		{rg + "/providers/Microsoft.Network/providers/Microsoft.Authorization", "no type"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			_, err := Parse(tt.id)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tt.id)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) = %v, want it to mention %q", tt.id, err, tt.want)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	tests := []struct{ in, canonical string }{
		{rg, rg},
		{rg + "/", rg},
		{rg + "//", rg},
		{"/" + rg, rg},
		{sub + "//resourceGroups/demo", rg},
		{"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/demo", rg},
		{"/Subscriptions/S/ResourceGroups/Demo/Providers/microsoft.network/VirtualNetworks/Vnet1",
			"/subscriptions/S/resourceGroups/Demo/providers/microsoft.network/VirtualNetworks/Vnet1"},
		// A second provider section (an extension resource) and a
		// tenant-level ID.
		{vnet + "/PROVIDERS/Microsoft.Authorization/roleAssignments/r", vnet + "/providers/Microsoft.Authorization/roleAssignments/r"},
		{"/Providers/Microsoft.Management/managementGroups/mg", "/providers/Microsoft.Management/managementGroups/mg"},
		// Names are kept as written, even when they spell a keyword.
		{rg + "/providers/Microsoft.Web/sites/Providers", rg + "/providers/Microsoft.Web/sites/Providers"},
		{sub + "/resourceGroups/RESOURCEGROUPS", sub + "/resourceGroups/RESOURCEGROUPS"},
		{"/subscriptions/Providers/resourceGroups/x", "/subscriptions/Providers/resourceGroups/x"},
		// A resource group keyword only after a subscription.
		{"/providers/Microsoft.Management/managementGroups/mg/resourcegroups/x", "/providers/Microsoft.Management/managementGroups/mg/resourcegroups/x"},
		// Not an ID: left alone, or the root.
		{"", ""},
		{"acr1", "acr1"},
		{"/", "/"},
		{"///", "/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Canonical(tt.in); got != tt.canonical {
				t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.canonical)
			}
			if got := Key(tt.in); got != strings.ToLower(tt.canonical) {
				t.Errorf("Key(%q) = %q", tt.in, got)
			}
			if !Equal(tt.in, tt.canonical) || !Equal(strings.ToUpper(tt.in), tt.canonical) {
				t.Errorf("Equal(%q, %q) is false", tt.in, tt.canonical)
			}
		})
	}
}

func TestParseAction(t *testing.T) {
	id, action, err := ParseAction(vnet + "/listUsage")
	if err != nil || action != "listUsage" || id.String() != vnet {
		t.Fatalf("ParseAction = %v, %q, %v", id, action, err)
	}
	if _, _, err := ParseAction(vnet); err == nil || !strings.Contains(err.Error(), "names no action") {
		t.Errorf("ParseAction on a resource ID: %v", err)
	}
	if _, _, err := ParseAction(rg + "/virtualNetworks/v/x"); err == nil || !strings.Contains(err.Error(), `the action "x"`) {
		t.Errorf("ParseAction on a bad ID: %v", err)
	}
}

func TestEqualAndIsUnder(t *testing.T) {
	tests := []struct {
		a, b         string
		equal, under bool
	}{
		{vnet, strings.ToUpper(vnet), true, false},
		{vnet + "/", vnet, true, false},
		{vnet + "/subnets/app", vnet, false, true},
		{vnet + "/subnets/app", strings.ToLower(rg), false, true},
		{vnet + "2", vnet, false, false},
		{rg, vnet, false, false},
		{vnet + "/providers/Microsoft.Authorization/roleAssignments/r", vnet, false, true},
		{sub + "//resourceGroups/demo/", rg, true, false},
		{"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/demo//providers/Microsoft.Network/virtualNetworks/vnet1", rg + "/", false, true},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("Equal(%q, %q) = %v", tt.a, tt.b, got)
		}
		if got := IsUnder(tt.a, tt.b); got != tt.under {
			t.Errorf("IsUnder(%q, %q) = %v", tt.a, tt.b, got)
		}
		a, b := MustParse(tt.a), MustParse(tt.b)
		if got := a.Equal(b); got != tt.equal {
			t.Errorf("%q.Equal(%q) = %v", tt.a, tt.b, got)
		}
		if got := a.IsUnder(b); got != tt.under {
			t.Errorf("%q.IsUnder(%q) = %v", tt.a, tt.b, got)
		}
	}
	if !MustParse(rg).IsUnder(ID{}) {
		t.Error("a group is not under the root")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{sub, rg, vnet, vnet + "/subnets/a", vnet + "/providers/Microsoft.Authorization/roleAssignments/x",
		"/providers/Microsoft.Management/managementGroups/m", sub + "/providers/Microsoft.Network", "/", "//", "/subscriptions/x/providers"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		again, err := Parse(id.String())
		if err != nil {
			t.Fatalf("Parse(%q) succeeded but its String %q does not parse: %v", s, id, err)
		}
		if !again.Equal(id) || !Equal(s, id.String()) {
			t.Fatalf("round trip of %q changed the ID to %q", s, again)
		}
		if id.ResourceType() == "" || id.Name() == "" {
			t.Fatalf("%q parsed with no type or name", s)
		}
		p := id.Parent()
		if !id.IsUnder(p) || !IsUnder(id.String(), p.String()) && !p.IsRoot() {
			t.Fatalf("%q is not under its parent %q", s, p)
		}
		if !p.IsRoot() {
			if _, err := Parse(p.String()); err != nil {
				t.Fatalf("the parent %q of %q does not parse: %v", p, s, err)
			}
		}
		if !id.IsUnder(id.Scope()) {
			t.Fatalf("%q is not under its scope %q", s, id.Scope())
		}
		if id.Key() != Key(s) {
			t.Fatalf("%q: the ID's Key %q is not Key of the string, %q", s, id.Key(), Key(s))
		}
		if id.IsChild() == p.Equal(id.Scope()) {
			t.Fatalf("%q: IsChild = %v, but its parent %q and its scope %q say otherwise", s, id.IsChild(), p, id.Scope())
		}
		below := id
		for _, a := range id.Ancestors() {
			if !below.IsUnder(a) || !IsUnder(id.String(), a.String()) {
				t.Fatalf("%q: the ancestor %q does not contain %q", s, a, below)
			}
			below = a
		}
	})
}

func TestChildAndAncestors(t *testing.T) {
	tests := []struct {
		id        string
		child     bool
		ancestors []string
	}{
		{sub, false, nil},
		{rg, false, []string{sub}},
		{vnet, false, []string{rg, sub}},
		{vnet + "/subnets/app", true, []string{vnet, rg, sub}},
		{vnet + "/subnets/app/ipConfigurations/c", true, []string{vnet + "/subnets/app", vnet, rg, sub}},
		{vnet + "/providers/Microsoft.Authorization/roleAssignments/r", false, []string{vnet, rg, sub}},
		{vnet + "/providers/Microsoft.Insights/diagnosticSettings/d/parts/p", true, []string{vnet + "/providers/Microsoft.Insights/diagnosticSettings/d", vnet, rg, sub}},
		{sub + "/providers/Microsoft.Network", false, []string{sub}},
		{sub + "/providers/Microsoft.Authorization/roleDefinitions/d", false, []string{sub}},
		{"/providers/Microsoft.Management/managementGroups/mg", false, nil},
	}
	for _, tt := range tests {
		id := MustParse(tt.id)
		if got := id.IsChild(); got != tt.child {
			t.Errorf("%s: IsChild = %v", tt.id, got)
		}
		var got []string
		for _, a := range id.Ancestors() {
			got = append(got, a.String())
		}
		if strings.Join(got, " ") != strings.Join(tt.ancestors, " ") {
			t.Errorf("%s: Ancestors =\n  %s\nwant\n  %s", tt.id, strings.Join(got, "\n  "), strings.Join(tt.ancestors, "\n  "))
		}
		if id.Key() != strings.ToLower(tt.id) {
			t.Errorf("%s: Key = %s", tt.id, id.Key())
		}
	}
}

// FuzzCanonical checks that the canonical form is a fixed point, changes
// no name, and that Key, Equal and Parse agree with it.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{rg, rg + "/", "//" + rg[1:], strings.ToUpper(vnet), vnet + "/PROVIDERS/Microsoft.Authorization/roleAssignments/x", "/", "", "a//b/", "/SUBSCRIPTIONS/x", "/subscriptions/x/ResourceGroups/y", "/subscriptions/x/resourceGroups/y/Providers/M.N/t/n", "/x/Providers", "/providers/M/t/n/PROVIDERS/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Canonical(s)
		if strings.HasPrefix(s, "/") && isCanonical(s) != (canonical(s) == s) {
			t.Fatalf("isCanonical(%q) = %v, but canonical gives %q", s, isCanonical(s), canonical(s))
		}
		if Canonical(c) != c {
			t.Fatalf("Canonical(%q) = %q is not canonical: %q", s, c, Canonical(c))
		}
		if !strings.EqualFold(c, s) && strings.HasPrefix(s, "/") {
			// Only slashes and keyword casing may differ.
			strip := func(x string) string { return strings.ReplaceAll(x, "/", "") }
			if !strings.EqualFold(strip(c), strip(s)) {
				t.Fatalf("Canonical(%q) = %q changed more than slashes and casing", s, c)
			}
		}
		if Key(s) != strings.ToLower(c) || !Equal(s, c) {
			t.Fatalf("Key(%q) = %q, Canonical %q", s, Key(s), c)
		}
		if id, err := Parse(s); err == nil && id.String() != c {
			t.Fatalf("Parse(%q).String() = %q, Canonical %q", s, id, c)
		}
	})
}
