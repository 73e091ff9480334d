package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestReadOnlyValues sends read-only values in writes: the value the
// service holds is accepted and ignored, any other is refused with 400
// and changes nothing.
func TestReadOnlyValues(t *testing.T) {
	vnet := rgID + "/providers/Microsoft.Network/virtualNetworks/v1"
	nsg := rgID + "/providers/Microsoft.Network/networkSecurityGroups/nsg1"
	// set returns an edit that sets path (dotted, numbers index arrays)
	// to v in a GET's output.
	set := func(path string, v any) func(map[string]any) {
		return func(b map[string]any) {
			segs := splitPath(path)
			var cur any = b
			for _, s := range segs[:len(segs)-1] {
				if m, ok := cur.(map[string]any); ok {
					cur = m[s]
				} else {
					i := 0
					for _, r := range s {
						i = i*10 + int(r-'0')
					}
					cur = cur.([]any)[i]
				}
			}
			cur.(map[string]any)[segs[len(segs)-1]] = v
		}
	}
	tests := []struct {
		name   string
		id     string
		method string // PUT of the GET's output with edit, or PATCH of patch
		edit   func(map[string]any)
		patch  map[string]any
		want   int
	}{
		{name: "GET output PUT back", id: acrID, method: "PUT", edit: func(map[string]any) {}, want: 200},
		{name: "provisioningState Succeeded", id: acrID, method: "PUT", edit: set("properties.provisioningState", "Succeeded"), want: 200},
		{name: "provisioningState Failed", id: acrID, method: "PUT", edit: set("properties.provisioningState", "Failed"), want: 400},
		{name: "id in another casing", id: acrID, method: "PUT", edit: set("id", strings.ToLower(acrID)), want: 200},
		{name: "another id", id: acrID, method: "PUT", edit: set("id", acrID+"x"), want: 400},
		{name: "another name", id: acrID, method: "PUT", edit: set("name", "acr2"), want: 400},
		{name: "type in lower case", id: acrID, method: "PUT", edit: set("type", "microsoft.containerregistry/registries"), want: 200},
		{name: "another type", id: acrID, method: "PUT", edit: set("type", "Microsoft.ContainerRegistry/other"), want: 400},
		{name: "a stale etag", id: acrID, method: "PUT", edit: set("etag", `W/"stale"`), want: 400},
		{name: "another systemData", id: acrID, method: "PUT", edit: set("systemData.createdBy", "someone"), want: 400},
		{name: "another loginServer", id: acrID, method: "PUT", edit: set("properties.loginServer", "other.azurecr.io"), want: 400},
		{name: "another creationDate", id: acrID, method: "PUT", edit: set("properties.creationDate", "2020-01-01T00:00:00Z"), want: 400},
		{name: "sku changed, held tier sent", id: acrID, method: "PUT", edit: set("sku.name", "Premium"), want: 200},
		{name: "tier set alone", id: acrID, method: "PUT", edit: set("sku.tier", "Premium"), want: 400},
		{name: "PATCH with the held loginServer", id: acrID, method: "PATCH",
			patch: map[string]any{"properties": map[string]any{"loginServer": "acr1.azurecr.io", "provisioningState": "Succeeded"}}, want: 200},
		{name: "PATCH with another loginServer", id: acrID, method: "PATCH",
			patch: map[string]any{"properties": map[string]any{"loginServer": "other.azurecr.io"}}, want: 400},
		{name: "PATCH with another provisioningState", id: acrID, method: "PATCH",
			patch: map[string]any{"properties": map[string]any{"provisioningState": "Deleting"}}, want: 400},
		{name: "network with its subnets PUT back", id: vnet, method: "PUT", edit: func(map[string]any) {}, want: 200},
		{name: "a subnet's stale etag", id: vnet, method: "PUT", edit: set("properties.subnets.0.etag", `W/"stale"`), want: 400},
		{name: "a subnet's other id", id: vnet, method: "PUT", edit: set("properties.subnets.0.id", vnet+"/subnets/other"), want: 400},
		{name: "a subnet's other type", id: vnet, method: "PUT", edit: set("properties.subnets.0.type", "Microsoft.Network/other"), want: 400},
		{name: "another resourceGuid", id: vnet, method: "PUT", edit: set("properties.resourceGuid", "00000000-0000-0000-0000-000000000001"), want: 400},
		{name: "security group PUT back", id: nsg, method: "PUT", edit: func(map[string]any) {}, want: 200},
		{name: "a default rule changed", id: nsg, method: "PUT", edit: set("properties.defaultSecurityRules.0.properties.access", "Deny"), want: 400},
		{name: "default rules left out", id: nsg, method: "PUT", edit: func(b map[string]any) {
			delete(b["properties"].(map[string]any), "defaultSecurityRules")
		}, want: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{})
			c.createRG()
			c.do("PUT", acrID, acrBody()).must(t, 201)
			c.do("PUT", vnet, parentBody("subnets", inlineParents[0].props, "a", "b")).must(t, 201)
			c.do("PUT", nsg, parentBody("securityRules", inlineParents[1].props, "r1")).must(t, 201)
			before := c.do("GET", tc.id, nil).must(t, 200)
			var r reply
			if tc.method == "PATCH" {
				r = c.do("PATCH", tc.id, tc.patch)
			} else {
				body := c.do("GET", tc.id, nil).must(t, 200).body
				tc.edit(body)
				r = c.do("PUT", tc.id, body)
			}
			if r.status != tc.want {
				t.Fatalf("%s: %d %s, want %d", tc.method, r.status, r.raw, tc.want)
			}
			after := c.do("GET", tc.id, nil).must(t, 200)
			if tc.want != http.StatusOK {
				if r.errorCode() != "InvalidParameter" || !strings.Contains(r.str("error.message"), "is a read only property") {
					t.Errorf("the refusal: %s", r.raw)
				}
				if before.raw != after.raw {
					t.Errorf("a refused write changed the resource:\n%s\n%s", before.raw, after.raw)
				}
				return
			}
			// Accepted and ignored: the read-only values are the service's.
			for _, p := range []string{"id", "name", "type", "properties.provisioningState", "properties.loginServer", "properties.resourceGuid", "systemData.createdBy"} {
				if normalized(t, before.body, p) != normalized(t, after.body, p) {
					t.Errorf("%s changed: %s -> %s", p, normalized(t, before.body, p), normalized(t, after.body, p))
				}
			}
			if after.str("etag") == before.str("etag") {
				t.Errorf("an accepted write keeps the etag")
			}
		})
	}
}

// TestReadOnlyValuesOnCreate checks that a create may send a computed
// value only as the service computes it.
func TestReadOnlyValuesOnCreate(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]any
		want  int
	}{
		{"the loginServer the service computes", map[string]any{"loginServer": "acr1.azurecr.io", "provisioningState": "Succeeded"}, 201},
		{"another loginServer", map[string]any{"loginServer": "elsewhere.azurecr.io"}, 400},
		{"provisioningState Creating", map[string]any{"provisioningState": "Creating"}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, Options{})
			c.createRG()
			body := acrBody()
			for k, v := range tc.props {
				body["properties"].(map[string]any)[k] = v
			}
			c.do("PUT", acrID, body).must(t, tc.want)
			want := http.StatusOK
			if tc.want != http.StatusCreated {
				want = http.StatusNotFound // nothing was created
			}
			c.do("GET", acrID, nil).must(t, want)
		})
	}
}
