package plan

import "testing"

func TestTemplateResource(t *testing.T) {
	const sub = "/subscriptions/s1"
	cases := []struct {
		id, scope, typ, name, extScope string
	}{
		{sub + "/resourceGroups/rg", sub, "Microsoft.Resources/resourceGroups", "rg", ""},
		{sub + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vn/subnets/a", sub + "/resourceGroups/rg", "Microsoft.Network/virtualNetworks/subnets", "vn/a", ""},
		{sub + "/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/providers/Microsoft.Authorization/roleAssignments/g", sub + "/resourceGroups/rg",
			"Microsoft.Authorization/roleAssignments", "g", sub + "/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r"},
		{sub + "/providers/Microsoft.Authorization/locks/l", sub, "Microsoft.Authorization/locks", "l", ""},
	}
	for _, tc := range cases {
		scope, res, err := templateResource(tc.id, "2023-01-01", map[string]any{"location": "westus"})
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		ext, _ := res["scope"].(string)
		if scope != tc.scope || res["type"] != tc.typ || res["name"] != tc.name || ext != tc.extScope || res["apiVersion"] != "2023-01-01" || res["location"] != "westus" {
			t.Errorf("%s: scope %s, resource %v", tc.id, scope, res)
		}
	}
	if _, _, err := templateResource("/providers/Microsoft.Management/managementGroups/mg", "2020-05-01", nil); err == nil {
		t.Error("a tenant-level resource was given a deployment scope")
	}
}
