package apply

import (
	"context"
	"strings"
	"testing"

	"github.com/azapply/azapply/emulator"
	"github.com/azapply/azapply/plan"
	"github.com/azapply/azapply/state"
)

// TestPurgeOnlyWhatThePlanShowed: with soft_deleted = "purge", a create
// that meets a soft-deleted vault the plan did not show (its read was
// refused, say) purges nothing: purging destroys for good.
func TestPurgeOnlyWhatThePlanShowed(t *testing.T) {
	srv := emulator.New(emulator.Options{SoftDelete: true})
	client := emulatorClient(t, srv)
	rg := sub + "/resourceGroups/guard"
	kv := rg + "/providers/Microsoft.KeyVault/vaults/guardkv"
	deleted := sub + "/providers/Microsoft.KeyVault/locations/westus/deletedVaults/guardkv"
	body := map[string]any{"location": "westus", "properties": map[string]any{"tenantId": "00000000-0000-0000-0000-0000000000bb",
		"sku": map[string]any{"family": "A", "name": "standard"}}}
	emuPut(t, srv, rg, "2021-04-01", map[string]any{"location": "westus"})
	emuPut(t, srv, kv, "2023-07-01", body)
	if err := srv.DeleteOutOfBand(kv); err != nil {
		t.Fatal(err)
	}
	p := &plan.Plan{Changes: []*plan.Change{{Address: "resource.kv", ID: kv, APIVersion: "2023-07-01", Action: plan.Create,
		Desired: body, Request: &plan.Request{Method: "PUT", Body: body}}}}
	_, err := Run(context.Background(), Options{Plan: p, Client: client, State: state.New(), SoftDeleted: plan.SoftDeletedPurge})
	if err == nil || !strings.Contains(err.Error(), "did not purge it") {
		t.Fatalf("err = %v; want the purge refused", err)
	}
	for _, e := range srv.RequestLog() {
		if e.Method == "POST" && strings.Contains(strings.ToLower(e.Path), "/purge") {
			t.Fatalf("apply sent %s %s", e.Method, e.Path)
		}
	}
	if _, err := client.Get(context.Background(), deleted, "2023-07-01"); err != nil {
		t.Errorf("the soft-deleted vault is gone: %v", err)
	}
}
