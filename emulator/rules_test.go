package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestBuiltinRules PUTs a body per type and checks what the server made of
// it: each want path must hold the value, each absent path must be gone.
func TestBuiltinRules(t *testing.T) {
	net := rgID + "/providers/Microsoft.Network"
	tests := []struct {
		name    string
		id      string
		body    string
		want    map[string]any
		absent  []string
		setup   []string // IDs to create first with {"location":"westus"}
		comment string
	}{
		{name: "ACR defaults and loginServer", id: acrID,
			body: `{"location":"West US","sku":{"name":"standard"},"properties":{"adminUserEnabled":true}}`,
			want: map[string]any{"properties.loginServer": "acr1.azurecr.io", "sku.name": "Standard", "sku.tier": "Standard",
				"location": "westus", "properties.zoneRedundancy": "Disabled", "properties.policies.exportPolicy.status": "enabled",
				"properties.encryption.status": "disabled", "properties.adminUserEnabled": true, "properties.provisioningState": "Succeeded"}},
		{name: "NSG default rules and re-cased rule values", id: net + "/networkSecurityGroups/nsg1",
			body: `{"location":"westus","properties":{"securityRules":[{"name":"z","properties":{"protocol":"TCP","access":"allow","direction":"inbound","priority":200}},{"name":"a","properties":{"protocol":"*","access":"Deny","direction":"Outbound","priority":100}}]}}`,
			want: map[string]any{"properties.defaultSecurityRules.#": 6, "properties.securityRules.#": 2,
				"properties.securityRules.0.name": "a", "properties.securityRules.1.properties.protocol": "Tcp",
				"properties.securityRules.1.properties.access": "Allow", "properties.securityRules.1.properties.direction": "Inbound",
				"properties.securityRules.1.id": net + "/networkSecurityGroups/nsg1/securityRules/z"}},
		{name: "vnet subnets become children", id: net + "/virtualNetworks/v1",
			body: `{"location":"westus","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"s1","properties":{"addressPrefix":"10.0.1.0/24"}}]}}`,
			want: map[string]any{"properties.subnets.#": 1, "properties.subnets.0.properties.privateEndpointNetworkPolicies": "Disabled",
				"properties.virtualNetworkPeerings.#": 0, "properties.enableDdosProtection": false}},
		{name: "public IP Standard is Static with an address", id: net + "/publicIPAddresses/ip1",
			body: `{"location":"westus","sku":{"name":"standard"}}`,
			want: map[string]any{"sku.name": "Standard", "properties.publicIPAllocationMethod": "Static", "properties.idleTimeoutInMinutes": 4.0,
				"properties.publicIPAddressVersion": "IPv4"}},
		{name: "public IP Basic is Dynamic", id: net + "/publicIPAddresses/ip2", body: `{"location":"westus"}`,
			want: map[string]any{"sku.name": "Basic", "properties.publicIPAllocationMethod": "Dynamic"}, absent: []string{"properties.ipAddress"}},
		{name: "NIC ip configurations", id: net + "/networkInterfaces/nic1",
			body: `{"location":"westus","properties":{"ipConfigurations":[{"name":"ipconfig1","properties":{"privateIPAllocationMethod":"dynamic"}}]}}`,
			want: map[string]any{"properties.ipConfigurations.0.properties.primary": true, "properties.ipConfigurations.0.properties.privateIPAllocationMethod": "Dynamic",
				"properties.ipConfigurations.0.properties.privateIPAddress": "10.0.0.4", "properties.enableIPForwarding": false}},
		{name: "App Service plan", id: rgID + "/providers/Microsoft.Web/serverfarms/plan1",
			body: `{"location":"westus","sku":{"name":"p1v3"}}`,
			want: map[string]any{"location": "West US", "sku.name": "P1V3", "sku.tier": "PremiumV3", "sku.capacity": 1.0,
				"properties.status": "Ready", "kind": "app"}},
		{name: "web site hides app settings", id: rgID + "/providers/Microsoft.Web/sites/Site1",
			body:   `{"location":"eastus","properties":{"siteConfig":{"appSettings":[{"name":"A","value":"secret"}]}}}`,
			want:   map[string]any{"location": "East US", "properties.defaultHostName": "site1.azurewebsites.net", "properties.state": "Running"},
			absent: []string{"properties.siteConfig.appSettings"}},
		{name: "Log Analytics", id: rgID + "/providers/Microsoft.OperationalInsights/workspaces/Logs1",
			body: `{"location":"westus","properties":{"sku":{"name":"pergb2018"}}}`,
			want: map[string]any{"id": rgIDLower + "/providers/microsoft.operationalinsights/workspaces/logs1", "name": "Logs1",
				"properties.sku.name": "PerGB2018", "properties.retentionInDays": 30.0, "properties.publicNetworkAccessForQuery": "Enabled"}},
		{name: "Application Insights", id: rgID + "/providers/Microsoft.Insights/components/ai1",
			body: `{"location":"South Central US","kind":"web","properties":{"Application_Type":"web"}}`,
			want: map[string]any{"location": "South Central US", "properties.ApplicationId": "ai1", "properties.IngestionMode": "ApplicationInsights",
				"properties.RetentionInDays": 90.0}},
		{name: "role assignment", id: rgID + "/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff",
			body: `{"properties":{"roleDefinitionId":"` + sub + `/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7","principalId":"ce2ce14e-85d7-4629-bdbc-454d0519d987"}}`,
			want: map[string]any{"properties.roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
				"properties.scope": rgID, "properties.principalType": "User"},
			absent: []string{"properties.provisioningState", "etag"}},
		{name: "storage account", id: rgID + "/providers/Microsoft.Storage/storageAccounts/stacct1",
			body: `{"location":"westus","sku":{"name":"standard_grs"},"kind":"storagev2"}`,
			want: map[string]any{"kind": "StorageV2", "sku.name": "Standard_GRS", "sku.tier": "Standard", "properties.accessTier": "Hot",
				"properties.primaryEndpoints.blob": "https://stacct1.blob.core.windows.net/", "properties.statusOfSecondary": "available",
				"properties.supportsHttpsTrafficOnly": true}},
		{name: "resource group", id: rgID, body: `{"location":"West US 2"}`,
			want: map[string]any{"location": "westus2", "properties.provisioningState": "Succeeded"}, absent: []string{"etag", "systemData"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{})
			if tc.id != rgID {
				c.createRG()
			}
			var body map[string]any
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}
			put := c.do("PUT", tc.id, body)
			if put.status != http.StatusCreated && put.status != http.StatusOK {
				t.Fatalf("PUT: %d %s", put.status, put.raw)
			}
			got := c.do("GET", tc.id, nil).must(t, 200)
			for path, want := range tc.want {
				v, ok := lookup(got.body, path)
				if !ok || !reflect.DeepEqual(v, normalizeNum(want)) {
					t.Errorf("%s = %#v (present %v), want %#v\n%s", path, v, ok, want, got.raw)
				}
			}
			for _, path := range tc.absent {
				if v, ok := lookup(got.body, path); ok {
					t.Errorf("%s = %#v, want it absent", path, v)
				}
			}
			// A second identical PUT changes nothing but the etag and the
			// timestamps the service moves.
			again := c.do("PUT", tc.id, body).must(t, 200)
			for path := range tc.want {
				a, _ := lookup(again.body, path)
				b, _ := lookup(got.body, path)
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s changed on an identical PUT: %v then %v", path, b, a)
				}
			}
		})
	}
}

const rgIDLower = "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg1"

// lookup reads a dotted path where a number indexes an array and "#" is
// an array's length.
func lookup(v any, path string) (any, bool) {
	cur := v
	for _, seg := range splitPath(path) {
		switch c := cur.(type) {
		case map[string]any:
			var ok bool
			if cur, ok = c[seg]; !ok {
				return nil, false
			}
		case []any:
			if seg == "#" {
				return float64(len(c)), true
			}
			i := 0
			for _, r := range seg {
				i = i*10 + int(r-'0')
			}
			if i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func normalizeNum(v any) any {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v
}

func TestChildArraysFollowThePut(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/v1"
	sn := func(names ...string) map[string]any {
		var arr []any
		for _, n := range names {
			arr = append(arr, map[string]any{"name": n, "properties": map[string]any{"addressPrefix": "10.0." + itoa(len(n)) + ".0/24"}})
		}
		props := map[string]any{"addressSpace": map[string]any{"addressPrefixes": []any{"10.0.0.0/16"}}}
		if names != nil {
			props["subnets"] = arr
		}
		return map[string]any{"location": "westus", "properties": props}
	}
	c.do("PUT", vnet, sn("a", "b")).must(t, 201)
	c.do("GET", vnet+"/subnets/b?api-version=2024-07-01", nil).must(t, 200)
	// A subnet made on its own shows in the network's GET.
	c.do("PUT", vnet+"/subnets/c?api-version=2024-07-01", map[string]any{"properties": map[string]any{"addressPrefix": "10.0.9.0/24"}}).must(t, 201)
	if n, _ := lookup(c.do("GET", vnet, nil).body, "properties.subnets.#"); n != 3.0 {
		t.Fatalf("%v subnets, want 3", n)
	}
	// PATCH without subnets leaves them; PUT without them deletes them, as
	// ARM does.
	c.do("PATCH", vnet, map[string]any{"tags": map[string]any{"x": "y"}}).must(t, 200)
	if n, _ := lookup(c.do("GET", vnet, nil).body, "properties.subnets.#"); n != 3.0 {
		t.Fatalf("after PATCH: %v subnets, want 3", n)
	}
	c.do("PUT", vnet, sn("a")).must(t, 200)
	c.do("GET", vnet+"/subnets/b?api-version=2024-07-01", nil).must(t, 404)
	c.do("PUT", vnet, sn()).must(t, 200)
	if n, _ := lookup(c.do("GET", vnet, nil).body, "properties.subnets.#"); n != 0.0 {
		t.Fatalf("a PUT without subnets left %v", n)
	}
	bad := sn("a")
	bad["properties"].(map[string]any)["subnets"] = []any{map[string]any{"properties": map[string]any{}}}
	c.do("PUT", vnet, bad).must(t, 400)
}

func TestRuleValidation(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	c.do("PUT", rgID+"/providers/Microsoft.Storage/storageAccounts/Bad_Name", map[string]any{"location": "westus"}).must(t, 400)
	ra := rgID + "/providers/Microsoft.Authorization/roleAssignments/r1?api-version=2022-04-01"
	body := func(principal string) map[string]any {
		return map[string]any{"properties": map[string]any{"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/x", "principalId": principal}}
	}
	c.do("PUT", ra, body("p1")).must(t, 201)
	c.do("PUT", ra, body("p1")).must(t, 200)
	if code := c.do("PUT", ra, body("p2")).must(t, 409).errorCode(); code != "RoleAssignmentUpdateNotPermitted" {
		t.Fatalf("changing the principal: %s", code)
	}
}

func TestACRCredentialActions(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	body := acrBody()
	body["properties"] = map[string]any{"adminUserEnabled": false}
	c.do("PUT", acrID, body).must(t, 201)
	c.do("POST", acrID+"/listCredentials", nil).must(t, 400)
	c.do("PUT", acrID, acrBody()).must(t, 200)
	a := c.do("POST", acrID+"/listCredentials", nil).must(t, 200)
	if a.str("username") != "acr1" {
		t.Fatalf("credentials %s", a.raw)
	}
	b := c.do("POST", acrID+"/regenerateCredential", map[string]any{"name": "password"}).must(t, 200)
	pw := func(r reply, i int) any { v, _ := lookup(r.body, "passwords."+itoa(i)+".value"); return v }
	if pw(a, 0) == pw(b, 0) || pw(a, 1) != pw(b, 1) {
		t.Fatalf("regenerating password must change it and only it: %s then %s", a.raw, b.raw)
	}
	c.do("POST", acrID+"/regenerateCredential", map[string]any{"name": "nope"}).must(t, 400)
}

func TestNoBuiltinRules(t *testing.T) {
	c := newClient(t, Options{NoBuiltinRules: true})
	c.createRG()
	r := c.do("PUT", acrID, acrBody()).must(t, 201)
	if _, ok := lookup(r.body, "properties.loginServer"); ok {
		t.Fatal("NoBuiltinRules still computed loginServer")
	}
	c2 := newClient(t, Options{Rules: map[string]*TypeRule{"microsoft.containerregistry/registries": {
		Compute: func(c *ComputeContext) { c.Set("properties.custom", c.Name) }}}})
	c2.createRG()
	if v := c2.do("PUT", acrID, acrBody()).must(t, 201).str("properties.custom"); v != "acr1" {
		t.Fatalf("a rule from Options was not used: %q", v)
	}
}

func TestDeclarativeRuleParts(t *testing.T) {
	c := newClient(t, Options{NoBuiltinRules: true, Rules: map[string]*TypeRule{"Microsoft.Test/things": {
		Defaults:   map[string]any{"properties": map[string]any{"mode": "auto", "nested": map[string]any{"a": 1, "b": 2}}},
		WriteOnly:  []string{"properties.password", "properties.items[].secret"},
		Recase:     map[string]func(string) string{"properties.items[].kind": strings.ToUpper},
		SortArrays: map[string]string{"properties.items": "name", "properties.tags": ""},
	}}})
	c.createRG()
	id := rgID + "/providers/Microsoft.Test/things/t1"
	r := c.do("PUT", id, map[string]any{"properties": map[string]any{
		"password": "hunter2", "nested": map[string]any{"b": 3}, "tags": []any{"b", "A", "c"},
		"items": []any{map[string]any{"name": "z", "kind": "x", "secret": "s"}, map[string]any{"name": "a", "kind": "y"}},
	}}).must(t, 201)
	if strings.Contains(r.raw, "hunter2") || strings.Contains(r.raw, `"secret"`) {
		t.Errorf("write-only values came back: %s", r.raw)
	}
	want := map[string]any{"properties.mode": "auto", "properties.nested.a": 1.0, "properties.nested.b": 3.0,
		"properties.items.0.name": "a", "properties.items.0.kind": "Y", "properties.items.1.kind": "X",
		"properties.tags.0": "A", "properties.tags.2": "c"}
	for path, w := range want {
		if v, _ := lookup(r.body, path); v != w {
			t.Errorf("%s = %v, want %v", path, v, w)
		}
	}
	data, err := c.srv.MarshalWorld()
	if err != nil || strings.Contains(string(data), "hunter2") {
		t.Errorf("the world file keeps a write-only value (%v)", err)
	}
}
