package emulator

import (
	"net/http"
	"testing"
	"time"
)

func TestReadAfterCreateWindow(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Consistency: Consistency{ReadAfterCreate: 5 * time.Second}})
	c.createRG()
	id := rgID + "/providers/Microsoft.Network/publicIPAddresses/pip1"
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	if got := c.do("GET", id, nil).must(t, http.StatusNotFound).errorCode(); got != "ResourceNotFound" {
		t.Errorf("code %q, want ResourceNotFound", got)
	}
	clock.advance(5 * time.Second)
	c.do("GET", id, nil).must(t, http.StatusOK)
	// An update is no create: no window.
	c.do("PUT", id, map[string]any{"location": "westus", "tags": map[string]any{"a": "b"}}).must(t, http.StatusOK)
	c.do("GET", id, nil).must(t, http.StatusOK)
}

func TestLingeringDelete(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Consistency: Consistency{LingeringDelete: 10 * time.Second}})
	c.createRG()
	id := rgID + "/providers/Microsoft.Network/publicIPAddresses/pip1"
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	c.do("DELETE", id, nil).must(t, http.StatusOK)
	if got := c.do("GET", id, nil).must(t, http.StatusOK).str("properties.provisioningState"); got != "Deleting" {
		t.Errorf("provisioningState %q, want Deleting", got)
	}
	if got := c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusConflict).errorCode(); got != "Conflict" {
		t.Errorf("code %q, want Conflict", got)
	}
	clock.advance(10 * time.Second)
	c.do("GET", id, nil).must(t, http.StatusNotFound)
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	if got := c.do("GET", id, nil).must(t, http.StatusOK).str("properties.provisioningState"); got != "Succeeded" {
		t.Errorf("provisioningState %q after the new create, want Succeeded", got)
	}
}

func TestPrincipalReplicationDelay(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, Consistency: Consistency{PrincipalDelay: 30 * time.Second}})
	c.createRG()
	uami := rgID + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app"
	pid := c.do("PUT", uami, map[string]any{"location": "westus"}).must(t, http.StatusCreated).str("properties.principalId")
	if len(pid) != 36 {
		t.Fatalf("principalId %q, want a GUID", pid)
	}
	ra := rgID + "/providers/Microsoft.Authorization/roleAssignments/11111111-2222-3333-4444-555555555555"
	body := map[string]any{"properties": map[string]any{"principalId": pid,
		"roleDefinitionId": sub + "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"}}
	if got := c.do("PUT", ra+"?api-version=2022-04-01", body).must(t, http.StatusBadRequest).errorCode(); got != "PrincipalNotFound" {
		t.Errorf("code %q, want PrincipalNotFound", got)
	}
	clock.advance(30 * time.Second)
	c.do("PUT", ra+"?api-version=2022-04-01", body).must(t, http.StatusCreated)
}

func TestOperationsEndByTime(t *testing.T) {
	clock := newFakeClock()
	c := newClient(t, Options{Now: clock.now, RetryAfter: time.Second, TimedOperations: true,
		Operations: []OperationRule{{Method: "PUT", Type: "Microsoft.Network/", Operation: Operation{Pattern: AsyncOperation, Polls: 3}}}})
	c.createRG()
	id := rgID + "/providers/Microsoft.Network/publicIPAddresses/pip1"
	c.do("PUT", id, map[string]any{"location": "westus"}).must(t, http.StatusCreated)
	if got := c.do("GET", id, nil).must(t, http.StatusOK).str("properties.provisioningState"); got != "Creating" {
		t.Fatalf("provisioningState %q right after the PUT, want Creating", got)
	}
	// Nobody polls; after the polls' worth of Retry-After, a GET of the
	// resource sees it done.
	clock.advance(4 * time.Second)
	if got := c.do("GET", id, nil).must(t, http.StatusOK).str("properties.provisioningState"); got != "Succeeded" {
		t.Fatalf("provisioningState %q once its time is up, want Succeeded", got)
	}
}
