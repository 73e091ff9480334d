package emulator

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestPatchIsAMergePatch(t *testing.T) {
	c := newClient(t, Options{NoBuiltinRules: true})
	c.createRG()
	c.do("PUT", acrID, map[string]any{"location": "westus", "tags": map[string]any{"a": "1", "b": "2"},
		"properties": map[string]any{"adminUserEnabled": true, "policies": map[string]any{"x": 1, "y": 2}}}).must(t, 201)
	r := c.do("PATCH", acrID, map[string]any{"tags": map[string]any{"c": "3"},
		"properties": map[string]any{"adminUserEnabled": nil, "policies": map[string]any{"y": 3}}}).must(t, 200)
	props := r.body["properties"].(map[string]any)
	if _, ok := props["adminUserEnabled"]; ok {
		t.Error("null in a merge patch must remove the value")
	}
	if pol := props["policies"].(map[string]any); pol["x"] != 1.0 || pol["y"] != 3.0 {
		t.Errorf("nested maps merge: %v", pol)
	}
	if tags := r.body["tags"].(map[string]any); len(tags) != 1 || tags["c"] != "3" {
		t.Errorf("PATCH replaces the whole tags map, as ARM does: %v", tags)
	}
	if got := c.do("GET", acrID, nil).body["tags"].(map[string]any); len(got) != 1 {
		t.Errorf("the patch was not stored: %v", got)
	}
	c.do("PATCH", rgID+"/providers/Microsoft.ContainerRegistry/registries/nope", map[string]any{}).must(t, 404)
	if code := c.do("PATCH", acrID, map[string]any{"location": "eastus"}).must(t, 400).errorCode(); code != "LocationNotUpdatable" {
		t.Errorf("changing location: %s", code)
	}
}

func TestPostActions(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	c.do("PUT", acrID, acrBody()).must(t, 201)
	c.do("POST", acrID+"/restart", nil).must(t, 200)
	k1 := c.do("POST", acrID+"/listKeys", nil).must(t, 200)
	k2 := c.do("POST", acrID+"/listKeys", nil).must(t, 200)
	if k1.raw != k2.raw || !strings.Contains(k1.raw, `"keyName":"key1"`) {
		t.Fatalf("listKeys must return stable keys: %s then %s", k1.raw, k2.raw)
	}
	k3 := c.do("POST", acrID+"/regenerateKey", map[string]any{"keyName": "key1"}).must(t, 200)
	if k3.raw == k1.raw {
		t.Fatal("regenerateKey did not change key1")
	}
	c.do("POST", rgID+"/providers/Microsoft.ContainerRegistry/registries/nope/listKeys", nil).must(t, 404)
	c.do("POST", acrID+"/listKeys", nil, "Content-Type: application/json").must(t, 200)
}

func TestCollectionsPageWithNextLink(t *testing.T) {
	c := newClient(t, Options{PageSize: 2})
	c.createRG()
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/"
	for _, n := range []string{"v1", "v2", "v3", "v4", "v5"} {
		c.do("PUT", vnet+n, map[string]any{"location": "westus"}).must(t, 201)
	}
	var names []string
	next := rgID + "/providers/Microsoft.Network/virtualNetworks?api-version=2024-07-01"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("nextLink never ends")
		}
		r := c.do("GET", next, nil).must(t, 200)
		for _, v := range r.body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		next = r.str("nextLink")
		if next != "" && !strings.HasPrefix(next, testBase) {
			t.Fatalf("nextLink %q is not absolute", next)
		}
	}
	if strings.Join(names, ",") != "v1,v2,v3,v4,v5" {
		t.Fatalf("listed %v", names)
	}
	// Subscription-wide list, resource groups, everything in a group, and a
	// child collection.
	if n := len(c.do("GET", sub+"/providers/Microsoft.Network/virtualNetworks?api-version=x", nil).must(t, 200).body["value"].([]any)); n != 2 {
		t.Errorf("first subscription page has %d items", n)
	}
	if v := c.do("GET", sub+"/resourcegroups?api-version=x", nil).must(t, 200).body["value"].([]any); len(v) != 1 {
		t.Errorf("resource groups: %v", v)
	}
	c.do("GET", rgID+"/resources?api-version=x", nil).must(t, 200)
	c.do("PUT", vnet+"v1/subnets/s1", map[string]any{"properties": map[string]any{"addressPrefix": "10.0.0.0/24"}}).must(t, 201)
	if v := c.do("GET", vnet+"v1/subnets?api-version=x", nil).must(t, 200).body["value"].([]any); len(v) != 1 {
		t.Errorf("subnets: %v", v)
	}
	c.do("GET", sub+"/resourceGroups/none/providers/Microsoft.Network/virtualNetworks?api-version=x", nil).must(t, 404)
}

func TestSubscriptionAndExtensionResources(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	c.do("PUT", acrID, acrBody()).must(t, 201)
	ra := map[string]any{"properties": map[string]any{
		"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
		"principalId":      "ce2ce14e-85d7-4629-bdbc-454d0519d987"}}
	for _, scope := range []string{sub, rgID, acrID} {
		id := scope + "/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff"
		r := c.do("PUT", id+"?api-version=2022-04-01", ra).must(t, 201)
		if r.str("type") != "Microsoft.Authorization/roleAssignments" || r.str("id") != id {
			t.Fatalf("at %s: %s", scope, r.raw)
		}
	}
	missing := rgID + "/providers/Microsoft.ContainerRegistry/registries/gone/providers/Microsoft.Authorization/roleAssignments/x?api-version=2022-04-01"
	if code := c.do("PUT", missing, ra).must(t, 404).errorCode(); code != "ParentResourceNotFound" {
		t.Errorf("an extension resource on a missing scope: %s", code)
	}
	// Deleting the registry removes the role assignment made on it.
	c.do("DELETE", acrID, nil).must(t, 200)
	c.do("GET", acrID+"/providers/Microsoft.Authorization/roleAssignments/05c5a614-a7d6-4502-b150-c2fb455033ff?api-version=2022-04-01", nil).must(t, 404)
}

func TestResourceGroupDeleteCascadesAsynchronously(t *testing.T) {
	c := newClient(t, Options{Operations: RealisticOperations()})
	c.createRG()
	c.do("PUT", rgID+"/providers/Microsoft.Network/virtualNetworks/v1", map[string]any{"location": "westus",
		"properties": map[string]any{"subnets": []any{map[string]any{"name": "s1", "properties": map[string]any{"addressPrefix": "10.0.0.0/24"}}}}})
	c.srv.SetOperations() // the rest synchronous
	c.do("PUT", acrID, acrBody()).must(t, 201)
	c.srv.SetOperations(RealisticOperations()...)
	r := c.do("DELETE", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusAccepted)
	loc := r.header.Get("Location")
	if loc == "" {
		t.Fatal("a resource group DELETE answers 202 with Location")
	}
	if st := c.do("GET", rgID+"?api-version=2021-04-01", nil).must(t, 200).str("properties.provisioningState"); st != "Deleting" {
		t.Fatalf("the group shows %q while deleting", st)
	}
	if code := c.do("PUT", rgID+"/providers/Microsoft.Network/virtualNetworks/v2", map[string]any{"location": "westus"}).must(t, 409).errorCode(); code != "ResourceGroupBeingDeleted" {
		t.Fatalf("a write into a group being deleted: %s", code)
	}
	c.do("GET", loc, nil).must(t, http.StatusAccepted)
	c.do("GET", loc, nil).must(t, http.StatusAccepted)
	c.do("GET", loc, nil).must(t, http.StatusNoContent)
	if ids := c.srv.IDs(); len(ids) != 0 {
		t.Fatalf("left after the group's delete: %v", ids)
	}
}

func TestETags(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	c.do("PUT", acrID, acrBody(), "If-Match: *").must(t, http.StatusPreconditionFailed)
	c.do("PUT", acrID, acrBody(), `If-Match: "abc"`).must(t, http.StatusPreconditionFailed)
	r1 := c.do("PUT", acrID, acrBody(), "If-None-Match: *").must(t, 201)
	e1 := r1.header.Get("ETag")
	if e1 == "" || e1 != r1.str("etag") {
		t.Fatalf("ETag header %q, body etag %q", e1, r1.str("etag"))
	}
	if code := c.do("PUT", acrID, acrBody(), "If-None-Match: *").must(t, http.StatusPreconditionFailed).errorCode(); code != "PreconditionFailed" {
		t.Fatalf("If-None-Match on an existing resource: %s", code)
	}
	if got := c.do("GET", acrID, nil).header.Get("ETag"); got != e1 {
		t.Fatalf("GET ETag %q, want %q", got, e1)
	}
	e2 := c.do("PUT", acrID, acrBody(), "If-Match: "+e1).must(t, 200).header.Get("ETag")
	if e2 == e1 {
		t.Fatal("a write must give a new etag")
	}
	c.do("PATCH", acrID, map[string]any{"tags": map[string]any{}}, "If-Match: "+e1).must(t, http.StatusPreconditionFailed)
	e3 := c.do("PATCH", acrID, map[string]any{"tags": map[string]any{}}, "If-Match: "+strings.TrimPrefix(e2, "W/")).must(t, 200).header.Get("ETag")
	c.do("DELETE", acrID, nil, "If-Match: "+e2).must(t, http.StatusPreconditionFailed)
	c.do("DELETE", acrID, nil, "If-Match: "+e3).must(t, 200)
	c.do("DELETE", acrID, nil, "If-Match: "+e3).must(t, http.StatusNoContent)
	c.do("PATCH", acrID, map[string]any{}, "If-Match: *").must(t, http.StatusNotFound)
}

func TestRequestValidation(t *testing.T) {
	c := newClient(t, Options{Token: "right"})
	tests := []struct {
		name, method, path string
		headers            []string
		want               int
		code               string
	}{
		{"no token", "GET", rgID, nil, 401, "AuthenticationFailed"},
		{"wrong token", "GET", rgID, []string{"Authorization: Bearer wrong"}, 401, "AuthenticationFailed"},
		{"no api-version", "GET", rgID + "?x=1", []string{"Authorization: Bearer right"}, 400, "MissingApiVersionParameter"},
		{"not an ID", "PUT", "/foo/bar?api-version=1", []string{"Authorization: Bearer right"}, 400, "InvalidResourceId"},
		{"missing group", "PUT", acrID, []string{"Authorization: Bearer right"}, 404, "ResourceGroupNotFound"},
		{"unknown operation", "GET", sub + "/providers/Microsoft.Resources/locations/westus/operationStatuses/nope?api-version=1",
			[]string{"Authorization: Bearer right"}, 404, "OperationNotFound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do(tc.method, tc.path, map[string]any{"location": "westus"}, append([]string{"Authorization: "}, tc.headers...)...)
			if r.status != tc.want || r.errorCode() != tc.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.errorCode(), tc.want, tc.code)
			}
		})
	}
}

func TestAPIVersions(t *testing.T) {
	c := newClient(t, Options{APIVersions: map[string][]string{
		"microsoft.containerregistry/registries": {"2023-07-01", "2023-01-01-preview"},
		resourceGroupType:                        {"2021-04-01"},
	}})
	if code := c.do("PUT", rgID+"?api-version=2020-01-01", map[string]any{"location": "westus"}).must(t, 400).errorCode(); code != "InvalidApiVersionParameter" {
		t.Fatalf("resource group: %s", code)
	}
	c.createRG()
	r := c.do("PUT", acrID+"?api-version=2019-05-01", acrBody()).must(t, 400)
	if r.errorCode() != "NoRegisteredProviderFound" || !strings.Contains(r.str("error.message"), "2023-07-01, 2023-01-01-preview") {
		t.Fatalf("registry: %s", r.raw)
	}
	c.do("PUT", acrID+"?api-version=2023-01-01-PREVIEW", acrBody()).must(t, 201)
	c.do("POST", acrID+"/listKeys?api-version=2019-05-01", nil).must(t, 400)
	c.do("GET", rgID+"/providers/Microsoft.ContainerRegistry/registries?api-version=2019-05-01", nil).must(t, 400)
	c.do("PUT", rgID+"/providers/Microsoft.Network/virtualNetworks/v?api-version=1999-01-01", map[string]any{"location": "westus"}).must(t, 201)
}

func TestHeadAndLocationRequired(t *testing.T) {
	c := newClient(t, Options{})
	c.do("HEAD", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusNotFound)
	c.createRG()
	c.do("HEAD", rgID+"?api-version=2021-04-01", nil).must(t, http.StatusNoContent)
	c.do("HEAD", acrID, nil).must(t, http.StatusNotFound)
	if code := c.do("PUT", acrID, map[string]any{"sku": map[string]any{"name": "Basic"}}).must(t, 400).errorCode(); code != "LocationRequired" {
		t.Fatalf("a tracked resource without location: %s", code)
	}
	c.do("PUT", acrID, acrBody()).must(t, 201)
	c.do("HEAD", acrID, nil).must(t, http.StatusOK)
}

func TestLocationAndTagsChecks(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	if code := c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "eastus"}).must(t, 409).errorCode(); code != "InvalidResourceGroupLocation" {
		t.Fatalf("moving a group: %s", code)
	}
	c.do("PUT", rgID+"?api-version=2021-04-01", map[string]any{"location": "West US"}).must(t, 200)
	c.do("PUT", acrID, acrBody()).must(t, 201)
	moved := acrBody()
	moved["location"] = "eastus"
	if code := c.do("PUT", acrID, moved).must(t, 409).errorCode(); code != "InvalidResourceLocation" {
		t.Fatalf("moving a registry: %s", code)
	}
	many := map[string]any{}
	for i := 0; i <= maxTags; i++ {
		many["t"+itoa(i)] = "v"
	}
	for name, tags := range map[string]any{"too many": many, "not a string": map[string]any{"a": 1}, "bad name": map[string]any{"a/b": "c"}, "not a map": "x"} {
		body := acrBody()
		body["tags"] = tags
		if r := c.do("PUT", acrID, body); r.status != 400 || !strings.HasPrefix(r.errorCode(), "InvalidTag") {
			t.Errorf("PUT %s: %d %s", name, r.status, r.raw)
		}
		if r := c.do("PATCH", acrID, map[string]any{"tags": tags}); r.status != 400 {
			t.Errorf("PATCH %s: %d %s", name, r.status, r.raw)
		}
	}
}

func TestIDsAreCaseInsensitiveAndKeepTheLatestCasing(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	c.do("PUT", acrID, acrBody()).must(t, 201)
	upper := strings.ToUpper(rgID[:len(sub)]) + "/RESOURCEGROUPS/RG1/providers/Microsoft.ContainerRegistry/registries/ACR1"
	r := c.do("GET", upper, nil).must(t, 200)
	if r.str("id") != acrID {
		t.Fatalf("GET in other casing answered id %q", r.str("id"))
	}
	c.do("PUT", upper, acrBody()).must(t, 200)
	if got := c.do("GET", acrID, nil).str("id"); got != upper {
		t.Fatalf("after a PUT in other casing the id is %q, want %q", got, upper)
	}
	if ids := c.srv.IDs(); len(ids) != 2 {
		t.Fatalf("the world holds %v", ids)
	}
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/none"
	if code := c.do("PUT", vnet+"/subnets/s1", map[string]any{"properties": map[string]any{}}).must(t, 404).errorCode(); code != "ParentResourceNotFound" {
		t.Fatalf("a subnet of a missing network: %s", code)
	}
	c.do("GET", vnet+"/subnets", nil).must(t, 404)
}

// TestListRules: a type's rule can make its collection GET list less than
// a GET reads, or refuse to list at all, while GETs are unchanged.
func TestListRules(t *testing.T) {
	ipType := "Microsoft.Network/publicIPAddresses"
	ips := rgID + "/providers/" + ipType
	tests := []struct {
		name   string
		rule   *TypeRule
		status int
		code   string
		// omitted is a path the list item lacks and the GET has.
		omitted string
	}{
		{name: "no rule: the list item is the GET", status: 200},
		{name: "omits a property", rule: &TypeRule{ListOmits: []string{"properties.idleTimeoutInMinutes"}}, status: 200, omitted: "idleTimeoutInMinutes"},
		{name: "refuses to list", rule: &TypeRule{ListError: &ErrorDetail{Code: "AuthorizationFailed", Message: "no list permission"}}, status: 403, code: "AuthorizationFailed"},
		{name: "refuses with a status of its own", rule: &TypeRule{ListError: &ErrorDetail{Code: "NoRegisteredProviderFound", Message: "no such version"}, ListStatus: 400},
			status: 400, code: "NoRegisteredProviderFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{}
			if tt.rule != nil {
				opts.Rules = map[string]*TypeRule{ipType: tt.rule}
			}
			c := newClient(t, opts)
			c.createRG()
			c.do("PUT", ips+"/ip1", map[string]any{"location": "westus", "properties": map[string]any{"idleTimeoutInMinutes": 4}}).must(t, 201)
			get := c.do("GET", ips+"/ip1", nil).must(t, 200)
			if !strings.Contains(get.raw, `"idleTimeoutInMinutes"`) {
				t.Fatalf("the GET lacks the property: %s", get.raw)
			}
			list := c.do("GET", ips, nil).must(t, tt.status)
			if tt.code != "" {
				if list.errorCode() != tt.code {
					t.Errorf("error code %q, want %q", list.errorCode(), tt.code)
				}
				return
			}
			items, _ := list.body["value"].([]any)
			if len(items) != 1 {
				t.Fatalf("listed %v", list.raw)
			}
			item, _ := json.Marshal(items[0])
			if tt.omitted == "" && !reflect.DeepEqual(items[0], get.body) {
				t.Errorf("list item %s\ndiffers from the GET %s", item, get.raw)
			}
			if tt.omitted != "" && strings.Contains(string(item), tt.omitted) {
				t.Errorf("list item still has %s: %s", tt.omitted, item)
			}
		})
	}
}
