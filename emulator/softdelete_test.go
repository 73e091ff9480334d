package emulator

import "testing"

func TestSoftDelete(t *testing.T) {
	const loc = sub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv1"
	kv := rgID + "/providers/Microsoft.KeyVault/vaults/kv1"
	body := func(extra map[string]any) map[string]any {
		props := map[string]any{"tenantId": "t", "sku": map[string]any{"name": "standard", "family": "A"}}
		for k, v := range extra {
			props[k] = v
		}
		return map[string]any{"location": "West US", "properties": props}
	}
	c := newClient(t, Options{SoftDelete: true})
	c.createRG()
	c.do("PUT", kv, body(map[string]any{"enableRbacAuthorization": true})).must(t, 201)
	c.do("DELETE", kv, nil).must(t, 200)
	c.do("GET", kv, nil).must(t, 404)
	if got := c.do("GET", loc, nil).must(t, 200).str("properties.resourceId"); got != kv {
		t.Fatalf("the deleted vault names %q", got)
	}
	if code := c.do("PUT", kv, body(nil)).must(t, 409).errorCode(); code != "ConflictError" {
		t.Fatalf("create over a deleted vault: %s", code)
	}
	r := c.do("PUT", kv, body(map[string]any{"createMode": "recover"})).must(t, 201)
	if r.body["properties"].(map[string]any)["enableRbacAuthorization"] != true {
		t.Fatalf("the recovered vault lost its settings: %s", r.raw)
	}
	c.do("GET", loc, nil).must(t, 404)

	// Deleted with its group, then purged: the name is free.
	c.do("DELETE", rgID, nil).must(t, 200)
	c.do("GET", loc, nil).must(t, 200)
	c.do("DELETE", loc, nil).must(t, 405) // Key Vault purges with POST
	c.do("POST", loc+"/purge", nil).must(t, 200)
	c.createRG()
	c.do("PUT", kv, body(nil)).must(t, 201)

	// Cognitive Services: deletedAccounts under the group, purged by DELETE.
	acct := rgID + "/providers/Microsoft.CognitiveServices/accounts/cs1"
	del := sub + "/providers/Microsoft.CognitiveServices/locations/westus/resourceGroups/rg1/deletedAccounts/cs1"
	c.do("PUT", acct, map[string]any{"location": "westus", "kind": "OpenAI"}).must(t, 201)
	c.do("DELETE", acct, nil).must(t, 200)
	if code := c.do("PUT", acct, map[string]any{"location": "westus"}).must(t, 409).errorCode(); code != "FlagMustBeSetForRestore" {
		t.Fatalf("create over a deleted account: %s", code)
	}
	c.do("DELETE", del, nil).must(t, 200)
	c.do("PUT", acct, map[string]any{"location": "westus"}).must(t, 201)

	// Off by default: a delete is a delete.
	c = newClient(t, Options{})
	c.createRG()
	c.do("PUT", kv, body(nil)).must(t, 201)
	c.do("DELETE", kv, nil).must(t, 200)
	c.do("PUT", kv, body(nil)).must(t, 201)
}

// TestSoftDeleteKinds: each soft-deleting type answers its own conflict,
// recovers with its own flag and purges its own way.
func TestSoftDeleteKinds(t *testing.T) {
	cases := []struct {
		typ, deleted, code string
		recover            map[string]any
		purgeMethod        string
	}{
		{"Microsoft.KeyVault/vaults", sub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/x1", "ConflictError",
			map[string]any{"createMode": "recover"}, "POST"},
		{"Microsoft.CognitiveServices/accounts", sub + "/providers/Microsoft.CognitiveServices/locations/westus/resourceGroups/rg1/deletedAccounts/x1", "FlagMustBeSetForRestore",
			map[string]any{"restore": true}, "DELETE"},
		{"Microsoft.ApiManagement/service", sub + "/providers/Microsoft.ApiManagement/locations/westus/deletedservices/x1", "ServiceAlreadyExistsInSoftDeletedState",
			map[string]any{"restore": true}, "DELETE"},
		{"Microsoft.AppConfiguration/configurationStores", sub + "/providers/Microsoft.AppConfiguration/locations/westus/deletedConfigurationStores/x1", "NameUnavailable",
			map[string]any{"createMode": "Recover"}, "POST"},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			c := newClient(t, Options{SoftDelete: true})
			c.createRG()
			id := rgID + "/providers/" + tc.typ + "/x1"
			c.do("PUT", id, map[string]any{"location": "westus", "tags": map[string]any{"v": "1"}}).must(t, 201)
			c.do("DELETE", id, nil).must(t, 200)
			c.do("GET", tc.deleted, nil).must(t, 200)
			if code := c.do("PUT", id, map[string]any{"location": "westus"}).must(t, 409).errorCode(); code != tc.code {
				t.Fatalf("create over the deleted one: %s, want %s", code, tc.code)
			}
			r := c.do("PUT", id, map[string]any{"location": "westus", "properties": tc.recover}).must(t, 201)
			if r.str("tags.v") != "1" {
				t.Fatalf("recovered without its tags: %s", r.raw)
			}
			c.do("DELETE", id, nil).must(t, 200)
			purge := tc.deleted
			if tc.purgeMethod == "POST" {
				purge += "/purge"
			}
			c.do(tc.purgeMethod, purge, nil).must(t, 200)
			c.do("GET", tc.deleted, nil).must(t, 404)
			c.do("PUT", id, map[string]any{"location": "westus"}).must(t, 201)
		})
	}
}

// TestRecoverMeetsLocks: a recover of a soft-deleted vault is a write like
// any other: a ReadOnly lock on its group refuses it before the service
// sees it, and the deleted vault stays deleted.
func TestRecoverMeetsLocks(t *testing.T) {
	const loc = sub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv2"
	kv := rgID + "/providers/Microsoft.KeyVault/vaults/kv2"
	body := map[string]any{"location": "westus", "properties": map[string]any{"tenantId": "t", "sku": map[string]any{"name": "standard", "family": "A"}}}
	c := newClient(t, Options{SoftDelete: true, Locks: true})
	c.createRG()
	c.do("PUT", kv, body).must(t, 201)
	c.do("DELETE", kv, nil).must(t, 200)
	c.do("PUT", rgID+"/providers/Microsoft.Authorization/locks/ro?api-version=2016-09-01", map[string]any{"properties": map[string]any{"level": "ReadOnly"}}).must(t, 201)
	recover := map[string]any{"location": "westus", "properties": map[string]any{"tenantId": "t", "sku": map[string]any{"name": "standard", "family": "A"}, "createMode": "recover"}}
	if code := c.do("PUT", kv, recover).must(t, 409).errorCode(); code != "ScopeLocked" {
		t.Fatalf("a recover under a ReadOnly lock: %s, want ScopeLocked", code)
	}
	c.do("GET", loc, nil).must(t, 200)
	c.do("GET", kv, nil).must(t, 404)
}
