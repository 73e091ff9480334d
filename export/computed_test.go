package export

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestWithoutServiceOwned(t *testing.T) {
	for _, c := range []struct {
		name, typ, live, want string
	}{
		{"bookkeeping at the top and at any depth", "Microsoft.Example/things",
			`{"id":"/x","name":"n","type":"t","etag":"e","systemData":{},"location":"westus","properties":{"provisioningState":"Succeeded","name":"kept","items":[{"name":"a","etag":"e2","provisioningState":"Succeeded"}]}}`,
			`{"location":"westus","properties":{"name":"kept","items":[{"name":"a"}]}}`},
		{"an object emptied of what the service owns goes", "Microsoft.Resources/resourceGroups",
			`{"location":"westus","properties":{"provisioningState":"Succeeded"},"tags":{}}`,
			`{"location":"westus","tags":{}}`},
		{"the registry's computed values", "Microsoft.ContainerRegistry/registries",
			`{"location":"westus","sku":{"name":"Basic","tier":"Basic"},"properties":{"adminUserEnabled":true,"loginServer":"a.azurecr.io","creationDate":"2024-01-01T00:00:00Z"}}`,
			`{"location":"westus","sku":{"name":"Basic"},"properties":{"adminUserEnabled":true}}`},
		{"a wildcard in the table", "microsoft.storage/STORAGEACCOUNTS",
			`{"kind":"StorageV2","properties":{"encryption":{"keySource":"Microsoft.Storage","services":{"blob":{"enabled":true,"lastEnabledTime":"t"},"file":{"enabled":true,"lastEnabledTime":"t"}}},"primaryEndpoints":{"blob":"https://x"}}}`,
			`{"kind":"StorageV2","properties":{"encryption":{"keySource":"Microsoft.Storage","services":{"blob":{"enabled":true},"file":{"enabled":true}}}}}`},
		{"the identities ARM makes; a user-assigned identity stays declared by its key", "Microsoft.Example/things",
			`{"identity":{"type":"SystemAssigned, UserAssigned","principalId":"p","tenantId":"t","userAssignedIdentities":{"/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u":{"principalId":"p2","clientId":"c2"}}}}`,
			`{"identity":{"type":"SystemAssigned, UserAssigned","userAssignedIdentities":{"/subscriptions/s/resourceGroups/g/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u":{}}}}`},
		{"the NSG's default rules and back-references", "Microsoft.Network/networkSecurityGroups",
			`{"location":"westus","properties":{"resourceGuid":"g","defaultSecurityRules":[{"name":"AllowVnetInBound"}],"subnets":[{"id":"/s"}],"flowLogs":[]}}`,
			`{"location":"westus"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var live, want map[string]any
			if err := json.Unmarshal([]byte(c.live), &live); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(c.want), &want); err != nil {
				t.Fatal(err)
			}
			if got := withoutServiceOwned(c.typ, live); !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				t.Errorf("got  %s\nwant %s", g, c.want)
			}
		})
	}
}

// TestTableNamesRealTypes: every type in the tables is written as ARM
// names it (namespace/type), and every path is non-empty.
func TestTableNamesRealTypes(t *testing.T) {
	for _, table := range []map[string][]string{serviceOwned, serviceWriteOnly} {
		for typ, paths := range table {
			if _, err := resourceType("/subscriptions/s/resourceGroups/g/providers/" + typeToPath(typ)); err != nil {
				t.Errorf("%s: %v", typ, err)
			}
			for _, p := range paths {
				if p == "" || p[0] == '.' || p[len(p)-1] == '.' {
					t.Errorf("%s: malformed path %q", typ, p)
				}
			}
		}
	}
}

// typeToPath turns Microsoft.A/b/c into Microsoft.A/b/n/c/n.
func typeToPath(typ string) string {
	out := ""
	for i, s := range splitType(typ) {
		if i == 0 {
			out = s
			continue
		}
		out += "/" + s + "/n"
	}
	return out
}

func splitType(typ string) []string {
	var out []string
	start := 0
	for i := 0; i < len(typ); i++ {
		if typ[i] == '/' {
			out = append(out, typ[start:i])
			start = i + 1
		}
	}
	return append(out, typ[start:])
}

func TestInlineChildrenLeftOut(t *testing.T) {
	nic := rgID + "/providers/Microsoft.Network/networkInterfaces/nic1"
	vnet := &Resource{ID: vnetID, Type: "Microsoft.Network/virtualNetworks", Body: map[string]any{"properties": map[string]any{
		"subnets":                []any{map[string]any{"id": vnetID + "/subnets/app", "name": "app"}},
		"virtualNetworkPeerings": []any{},
	}}}
	subnet := &Resource{ID: vnetID + "/subnets/app", Type: "Microsoft.Network/virtualNetworks/subnets"}
	n := &Resource{ID: nic, Type: "Microsoft.Network/networkInterfaces", Body: map[string]any{"properties": map[string]any{
		"ipConfigurations": []any{map[string]any{"id": nic + "/ipConfigurations/ip1", "name": "ip1", "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
			"properties": map[string]any{"subnet": map[string]any{"id": vnetID + "/subnets/app"}}}},
	}}}
	g := newGraph([]*Resource{vnet, subnet, n})
	got := withoutInlineChildren(vnet, g)
	if want := map[string]any{"properties": map[string]any{"virtualNetworkPeerings": []any{}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("network body %v, want %v", got, want)
	}
	got = withoutInlineChildren(n, g)
	want := map[string]any{"properties": map[string]any{"ipConfigurations": []any{map[string]any{"name": "ip1",
		"properties": map[string]any{"subnet": map[string]any{"id": vnetID + "/subnets/app"}}}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("NIC body %v, want %v (no id or type of its own ipConfiguration, the subnet's id kept)", got, want)
	}
}
