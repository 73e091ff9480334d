package emulator

import (
	"errors"
	"net/http"
	"testing"
)

func TestChangeOutOfBand(t *testing.T) {
	c := newClient(t, Options{})
	c.createRG()
	before := c.do("PUT", acrID, acrBody()).must(t, 201)
	err := c.srv.ChangeOutOfBand(acrID, map[string]any{
		"tags":       map[string]any{"owner": "someone"},
		"properties": map[string]any{"publicNetworkAccess": "Disabled", "adminUserEnabled": nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	after := c.do("GET", acrID, nil).must(t, 200)
	if after.str("properties.publicNetworkAccess") != "Disabled" || after.str("tags.owner") != "someone" {
		t.Fatalf("the change did not land: %s", after.raw)
	}
	if v, _ := lookup(after.body, "properties.adminUserEnabled"); v != false {
		t.Errorf("removing adminUserEnabled brings the server default back (false), got %v", v)
	}
	if after.str("etag") == before.str("etag") || after.str("systemData.lastModifiedBy") != portalUser ||
		after.str("systemData.createdAt") != before.str("systemData.createdAt") {
		t.Errorf("etag/systemData after the change: %s", after.raw)
	}
	if after.str("properties.loginServer") != "acr1.azurecr.io" {
		t.Error("the type's rules must still apply")
	}
	if err := c.srv.ChangeOutOfBand(rgID+"/providers/Microsoft.ContainerRegistry/registries/nope", map[string]any{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a missing resource: %v", err)
	}
	if err := c.srv.DeleteOutOfBand(rgID); err != nil {
		t.Fatal(err)
	}
	c.do("GET", acrID, nil).must(t, 404)
	if err := c.srv.DeleteOutOfBand(rgID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestOutOfBandOverHTTP(t *testing.T) {
	c := newClient(t, Options{Throttle: &Throttle{}, Faults: Faults{ErrorRate: 1}})
	c.srv.world.resources[key(rgID)] = &Resource{ID: rgID, Type: resourceGroupType, Body: map[string]any{"location": "westus"}}
	tests := []struct {
		name string
		body any
		want int
	}{
		{"merge", map[string]any{"id": rgID, "merge": map[string]any{"tags": map[string]any{"a": "b"}}}, 200},
		{"both", map[string]any{"id": rgID, "merge": map[string]any{}, "delete": true}, 400},
		{"no id", map[string]any{"delete": true}, 400},
		{"missing", map[string]any{"id": rgID + "x", "delete": true}, 404},
		{"delete", map[string]any{"id": rgID, "delete": true}, 204},
	}
	for _, tc := range tests {
		// Not throttled (an empty bucket) and not faulted (every ARM
		// request fails): the control API is outside ARM.
		r := c.do("POST", "/_emulator/out-of-band?x", tc.body)
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.raw, tc.want)
		}
	}
	c.do("GET", "/_emulator/world?x", nil).must(t, http.StatusOK)
	if r := c.do("GET", "/_emulator/counters?x", nil, "Authorization: "); r.status != 401 {
		t.Errorf("the control API without a token: %d", r.status)
	}
}
