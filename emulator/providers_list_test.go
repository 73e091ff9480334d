package emulator

import (
	"net/http"
	"testing"
)

func TestProviderRegistrationListsTypesAndVersions(t *testing.T) {
	c := newClient(t, Options{APIVersions: map[string][]string{"Microsoft.Network/virtualNetworks": {"2023-09-01", "2024-07-01"}}})
	r := c.do(http.MethodGet, sub+"/providers/microsoft.network?api-version=2021-04-01", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if r.body["namespace"] != "Microsoft.Network" || r.body["registrationState"] != "Registered" {
		t.Fatalf("namespace %v, state %v", r.body["namespace"], r.body["registrationState"])
	}
	versions := map[string][]any{}
	for _, rt := range r.body["resourceTypes"].([]any) {
		m := rt.(map[string]any)
		versions[m["resourceType"].(string)] = m["apiVersions"].([]any)
	}
	if got := versions["virtualNetworks"]; len(got) != 2 || got[0] != "2024-07-01" {
		t.Errorf("virtualNetworks lists %v, want Options.APIVersions newest first", got)
	}
	if got := versions["virtualNetworks/subnets"]; len(got) < 2 || got[0] != "2025-07-01-preview" {
		t.Errorf("virtualNetworks/subnets lists %v, want a preview first", got)
	}
	if r := c.do(http.MethodGet, sub+"/providers/Microsoft.Nothing?api-version=2021-04-01", nil); r.status != http.StatusNotFound {
		t.Errorf("an unknown namespace answered %d, want 404", r.status)
	}
}
