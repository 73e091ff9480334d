package emulator

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"
)

// TestWorldFileKeepsSoftDeletesAndRegistrations: the world file keeps
// the soft-deleted resources and the registrations asked for, so that the
// next run (a new server loading the file) finds them as they were: a
// deleted vault and a deleted Cognitive Services account still hold their
// names and recover with their values, and a registration started before
// the save is still Registering, then Registered, on the same clock.
func TestWorldFileKeepsSoftDeletesAndRegistrations(t *testing.T) {
	clock := newFakeClock()
	opts := Options{Now: clock.now, SoftDelete: true, Unregistered: []string{"Microsoft.ContainerRegistry"}, RegistrationDelay: time.Hour}
	first := newClient(t, opts)
	first.createRG()
	vault := rgID + "/providers/Microsoft.KeyVault/vaults/kv1"
	acct := rgID + "/providers/Microsoft.CognitiveServices/accounts/ai1"
	for _, id := range []string{vault, acct} {
		first.do("PUT", id, map[string]any{"location": "westus", "tags": map[string]any{"kept": "yes"}}).must(t, http.StatusCreated)
		first.do("DELETE", id, nil).must(t, http.StatusOK)
	}
	first.do("POST", sub+"/providers/Microsoft.ContainerRegistry/register?api-version=2021-04-01", nil).must(t, http.StatusOK)
	file := filepath.Join(t.TempDir(), "emulator.json")
	if err := first.srv.SaveFile(file); err != nil {
		t.Fatal(err)
	}

	clock.advance(30 * time.Minute)
	next := newClient(t, opts)
	if err := next.srv.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	deletedVault := sub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv1"
	deletedAcct := sub + "/providers/Microsoft.CognitiveServices/locations/westus/resourceGroups/rg1/deletedAccounts/ai1"
	for _, d := range []string{deletedVault, deletedAcct} {
		next.do("GET", d, nil).must(t, http.StatusOK)
	}
	if code := next.do("PUT", vault, map[string]any{"location": "westus"}).must(t, http.StatusConflict).errorCode(); code != "ConflictError" {
		t.Errorf("a create over the deleted vault after a reload: %s", code)
	}
	r := next.do("PUT", acct, map[string]any{"location": "westus", "properties": map[string]any{"restore": true}}).must(t, http.StatusCreated)
	if r.str("tags.kept") != "yes" {
		t.Errorf("the account recovered after a reload without its values: %s", r.raw)
	}
	provider := sub + "/providers/Microsoft.ContainerRegistry?api-version=2021-04-01"
	if got := next.do("GET", provider, nil).must(t, http.StatusOK).str("registrationState"); got != "Registering" {
		t.Errorf("registrationState after a reload, 30 minutes in: %q, want Registering", got)
	}
	clock.advance(31 * time.Minute)
	if got := next.do("GET", provider, nil).must(t, http.StatusOK).str("registrationState"); got != "Registered" {
		t.Errorf("registrationState after a reload, 61 minutes in: %q, want Registered", got)
	}
	next.do("PUT", rgID+"/providers/Microsoft.ContainerRegistry/registries/acr9", map[string]any{"location": "westus", "sku": map[string]any{"name": "Basic"}}).must(t, http.StatusCreated)

	// And back again: what the second run changed is what the file holds.
	if err := next.srv.SaveFile(file); err != nil {
		t.Fatal(err)
	}
	third := newClient(t, opts)
	if err := third.srv.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	third.do("GET", deletedVault, nil).must(t, http.StatusOK)
	third.do("GET", deletedAcct, nil).must(t, http.StatusNotFound) // recovered
}
