package emulator

import "testing"

// TestDeletedCognitiveAccountsAreKeptPerGroup: ARM keeps a deleted
// Cognitive Services account by location, resource group and name
// (.../locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}).
// Accounts of one name in two groups, both deleted, are two records; each
// is read, recovered and purged in its own group, and one held in rg1
// does not block a create of that name in rg2.
func TestDeletedCognitiveAccountsAreKeptPerGroup(t *testing.T) {
	c := newClient(t, Options{SoftDelete: true})
	rg2 := sub + "/resourceGroups/rg2"
	c.createRG()
	c.do("PUT", rg2+"?api-version=2021-04-01", map[string]any{"location": "westus"}).must(t, 201)
	acct := func(rg string) string { return rg + "/providers/Microsoft.CognitiveServices/accounts/ai" }
	deleted := func(rg string) string {
		return sub + "/providers/Microsoft.CognitiveServices/locations/westus/resourceGroups/" + rg + "/deletedAccounts/ai"
	}
	for i, rg := range []string{rgID, rg2} {
		c.do("PUT", acct(rg), map[string]any{"location": "westus", "tags": map[string]any{"n": []string{"1", "2"}[i]}}).must(t, 201)
		c.do("DELETE", acct(rg), nil).must(t, 200)
	}
	for _, rg := range []string{"rg1", "rg2"} {
		if got := c.do("GET", deleted(rg), nil).must(t, 200).str("properties.resourceId"); got != acct(sub+"/resourceGroups/"+rg) {
			t.Errorf("the deleted account in %s is %q", rg, got)
		}
	}
	// Purge the one in rg1: the one in rg2 stays, and rg1 may create the
	// name again while rg2 may not.
	c.do("DELETE", deleted("rg1"), nil).must(t, 200)
	c.do("GET", deleted("rg1"), nil).must(t, 404)
	c.do("GET", deleted("rg2"), nil).must(t, 200)
	c.do("PUT", acct(rgID), map[string]any{"location": "westus"}).must(t, 201)
	if code := c.do("PUT", acct(rg2), map[string]any{"location": "westus"}).must(t, 409).errorCode(); code != "FlagMustBeSetForRestore" {
		t.Errorf("create over the deleted account in rg2: %s", code)
	}
	r := c.do("PUT", acct(rg2), map[string]any{"location": "westus", "properties": map[string]any{"restore": true}}).must(t, 201)
	if r.str("tags.n") != "2" {
		t.Errorf("rg2 recovered %s, want its own account (tag n=2)", r.raw)
	}
}
