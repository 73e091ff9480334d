package plan

import (
	"net/http"
	"testing"
)

func TestSoftDeleteTable(t *testing.T) {
	const rg = "/subscriptions/s1/resourceGroups/rg"
	cases := []struct {
		id, location, deleted, purge, method string
	}{
		{rg + "/providers/Microsoft.KeyVault/vaults/kv", "West US", "/subscriptions/s1/providers/Microsoft.KeyVault/locations/westus/deletedVaults/kv", "/purge", http.MethodPost},
		{rg + "/providers/Microsoft.CognitiveServices/accounts/ai", "eastus", "/subscriptions/s1/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg/deletedAccounts/ai", "", http.MethodDelete},
		{rg + "/providers/Microsoft.ApiManagement/service/api", "eastus", "/subscriptions/s1/providers/Microsoft.ApiManagement/locations/eastus/deletedservices/api", "", http.MethodDelete},
		{rg + "/providers/Microsoft.AppConfiguration/configurationStores/cfg", "eastus", "/subscriptions/s1/providers/Microsoft.AppConfiguration/locations/eastus/deletedConfigurationStores/cfg", "/purge", http.MethodPost},
	}
	for _, tc := range cases {
		st := SoftDeleteOf(tc.id)
		if st == nil {
			t.Fatalf("%s is not in the table", tc.id)
		}
		got := st.DeletedID(tc.id, tc.location)
		if got != tc.deleted {
			t.Errorf("%s: deleted ID %s, want %s", tc.id, got, tc.deleted)
		}
		if req := st.PurgeRequest(got); req.Method != tc.method || req.ID != tc.deleted+tc.purge {
			t.Errorf("%s: purge %s %s", tc.id, req.Method, req.ID)
		}
	}
	if SoftDeleteOf(rg+"/providers/Microsoft.ContainerRegistry/registries/acr") != nil {
		t.Error("a registry is taken for a soft-deleting type")
	}
}
